// THE ENGINE-MODULE CONTRACT: what each engine module under assets/engines/ (webllm.js, wllama.js,
// prompt-api.js) exports, and what Python's adapter (app/assistant/engines/js_adapter.py) relies on.
// This file is its one definition. The modules reference it from JSDoc (`import("./engine-module")`
// types: editors and `tsc --checkJs` read them; nothing imports this file at run time, and there is
// no build step). tests/e2e/test_engine_contract.py reads the functions and interfaces below and
// checks every module against them. docs/engines.md has the prose about each engine.
//
// Kept simple on purpose, for that test's reader: one field per line, named interfaces (no object
// literal types), unions of primitives, string literals, `null`, named interfaces, `T[]` and
// `Record<string, T>`.

// ---- outcomes ----

/**
 * What every exported async function settles to. NONE EVER REJECTS: a rejection that Pyodide has
 * seen is reported as a page error, and WebLLM's worker rejects with strings, which Python cannot
 * raise (stream.js `settle` turns anything thrown into `{error}`).
 */
export type Outcome<T> = Settled<T> | Failed;

export interface Settled<T> {
  value: T;
  error?: undefined; // (for readers that test `outcome.error`: never there beside a value)
}

export interface Failed {
  error: EngineFailure;
  value?: undefined;
}

/** An engine's error. The NAME is the contract: app/assistant/engines/reports.py sorts names into the port's kinds. */
export interface EngineFailure {
  name: string; // the engine's own name ("QuotaExceededError", "DeviceLostError", …); "Cancelled" after cancelLoad()
  message: string;
  host?: string; // load(): the host the model comes from
  received?: number; // load(): bytes this load received before it failed (0: nothing arrived)
}

// ---- what crosses ----

/** Can this engine run here, and how well? Every field is there; one an engine does not know is null. */
export interface Availability {
  available: boolean;
  reason: string; // why not, or what is special ("software adapter (SwiftShader)", "4 threads", "downloadable")
  preferred: boolean; // false: it runs, but another engine should be chosen first (a software GPU)
  f16: boolean | null; // the WebGPU adapter has shader-f16
  maxStorageBufferBindingSize: number | null; // the WebGPU adapter's limits, in bytes
  maxBufferSize: number | null;
  threads: number | null; // the threads a CPU engine uses
  gpu: boolean; // load() can be asked to put the model's layers on a real (not software) GPU (wllama)
}

/** A model as Python passes it (a plain object); a module reads the fields its engine needs. */
export interface Model {
  model_id: string;
  url: string | null; // a GGUF's URL, absolute or relative to the page (wllama)
  record: object | null; // a WebLLM ModelRecord from the site's models.json (webllm)
  context_window: number | null; // the tokens of context to build (wllama)
}

/** What load() is asked to load. */
export interface LoadRequest extends Model {
  gpu: boolean; // run the layers on the GPU (wllama; the others ignore it)
}

/**
 * One progress report of load(), in the same shape from every engine (each module reads its
 * engine's own reports into it; Python reads only this). A module may report {phase: "prepare"}
 * once every byte is in. onProgress is never called after load() has settled.
 */
export interface LoadProgress {
  phase: "download" | "device" | "prepare"; // from the network | already on this device | compiling, building the context
  loaded: number | null; // bytes so far
  total: number | null; // bytes in all
  fraction?: number | null; // 0..1 of the whole load, where the bytes do not say it (else loaded / total)
  elapsed?: number | null; // seconds since the load began, where the engine counts them
  estimated?: boolean; // `total` was worked out from a percentage (WebLLM), not announced
}

/** What a load that worked says (null where the module knows nothing more). */
export interface Loaded {
  context_window: number | null; // the tokens the loaded context really holds; the app budgets its prompt to it
  device?: "gpu" | "cpu"; // where the model runs (wllama)
  gpu_error?: string | null; // why the GPU could not run it (wllama then runs it on the CPU)
}

export interface Message {
  role: "system" | "user" | "assistant";
  content: string;
}

/** The sampling every engine is asked for (app/assistant/engines/sampling.py); each uses what it can. */
export interface GenerateOptions {
  temperature: number;
  top_p: number;
  repetition_penalty: number;
  frequency_penalty: number;
  max_tokens: number;
  json_schema?: object | null; // a JSON schema the answer must match (constrained decoding)
}

/** What generate() hands back at once. */
export interface Feed {
  batches: AsyncIterable<string>; // one string per frame (stream.js `batch`); "" when only result.reading moved
  result: GenerateResult; // filled as the answer arrives, final when `batches` ends
  fail?: (reason: unknown) => void; // ends the batches with `reason` in result.error (a worker that died)
}

export interface GenerateResult {
  finish: string | null; // "stop" | "length" | "abort" (after stop()) | null
  stats: Stats | null;
  error: EngineFailure | null; // a failure mid-answer (nothing is thrown)
  reading: Reading | null; // how much of the prompt has been read (wllama)
}

/** Figures of one answer; an engine may add its own (wllama prompt_tokens, cached_prompt_tokens; prompt-api context_used, context_window). */
export interface Stats {
  decode_tokens_per_s?: number | null;
  prefill_tokens_per_s?: number | null;
  time_to_first_token_s?: number | null;
  completion_tokens?: number | null;
  [extra: string]: number | null | undefined;
}

export interface Reading {
  done: number; // prompt tokens read so far
  total: number;
}

/** What prefill() read: tokens in all, and of them already in the cache. */
export interface Prefilled {
  prompt_tokens: number;
  cached_prompt_tokens: number;
}

// ---- the functions every engine module exports ----

export declare function availability(): Promise<Outcome<Availability>>;

/** Load `model`; after cancelLoad(): {error: {name: "Cancelled"}}. One load at a time. */
export declare function load(model: LoadRequest, onProgress: (report: LoadProgress) => void): Promise<Outcome<Loaded | null>>;

/** Stops a load in progress (terminating workers where that is the only way); nothing to stop: a no-op. */
export declare function cancelLoad(): void;

/** Frees the loaded model (and ends a load, a prefill or an answer in progress). */
export declare function unload(): Promise<Outcome<null>>;

/** Streams an answer to `messages`; never throws: a failure ends the batches with result.error. */
export declare function generate(messages: Message[], options: GenerateOptions): Feed;

/** Ends the answer in progress early; its `batches` then drain and end with finish "abort". */
export declare function stop(): void;

/**
 * Reads `messages` (the system prompt and the chat so far) into the engine's cache, so the next
 * request starting with them reads only what follows; generate() waits for one in progress.
 * null: cancelled, no model loaded, or nothing to tell (a no-op for WebLLM).
 */
export declare function prefill(messages: Message[], options: GenerateOptions): Promise<Outcome<Prefilled | null>>;

/** Ends the prefill in progress (its prefix is stale). */
export declare function cancelPrefill(): void;

/** Forgets the conversation (a new chat). */
export declare function reset(): Promise<Outcome<null>>;

/** The ids of `models` that are fully on this device. */
export declare function cachedIds(models: Model[]): Promise<Outcome<string[]>>;

/** Bytes each of `models` has on this device, partial downloads included (models with none left out). */
export declare function bytesOnDevice(models: Model[]): Promise<Outcome<Record<string, number>>>;

export declare function deleteModel(model: Model): Promise<Outcome<null>>;
