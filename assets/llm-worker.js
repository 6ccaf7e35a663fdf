// The model runs here, off the page's main thread: WebLLM's handler answers the page-side engine
// that assets/engines/webllm.js creates with CreateWebWorkerMLCEngine. Loaded as a module worker,
// same origin.
import { WebWorkerMLCEngineHandler } from "../vendor/web-llm/index.js";

const handler = new WebWorkerMLCEngineHandler();
self.onmessage = (message) => handler.onmessage(message);
