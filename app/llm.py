"""The WebLLM adapter: the only module that touches the engine (WebLLM 0.2.86) or WebGPU.

It runs the engine in a Web Worker (`assets/llm-worker.js` with WebLLM's WebWorkerMLCEngineHandler),
so the page stays responsive while a model loads and generates. The WebLLM module (6.6 MB) is
imported on first use only: a user who never opens the assistant never downloads it.
"""

import asyncio

from js import Function, Object, URL, Worker, caches, document, fetch, navigator
from pyodide.ffi import create_proxy, to_js
from pyscript import js_import

from app.assistant import LoadCancelled
from app.dom import listen

WEB_LLM = "./vendor/web-llm/index.js"
WORKER = "./assets/llm-worker.js"
CUSTOM_MODELS = "./models.json"


def _url(path):
    return URL.new(path, document.baseURI).href


def _get(record, key):
    """A field of a ModelRecord, whether a JS object (prebuilt) or a Python dict (models.json)."""
    return record.get(key, "") if isinstance(record, dict) else getattr(record, key, "")


async def _size(response):
    length = response.headers.get("content-length") if response else None
    if length:
        return int(length)
    return int((await response.blob()).size) if response else 0


def _js(value):
    return to_js(value, dict_converter=Object.fromEntries)


class EngineError(Exception):
    """A failure reported by WebLLM; the message keeps its "ErrorName: text" form."""


# WebLLM's worker engine rejects with strings (its handler posts err.toString()), which Pyodide cannot
# raise as exceptions (and a rejected promise that Python has seen is reported as a page error). So
# WebLLM is called from JS, its promise settled there into a plain outcome, and Python raises
# EngineError itself; streams end normally and report their failure the same way.
_reason = "(r) => (r instanceof Error ? `${r.name}: ${r.message}` : String(r))"
_call = Function.new(
    "target", "method", "...args",
    "return Promise.resolve().then(() => target[method](...args))"
    f".then((value) => ({{value}}), (r) => ({{error: ({_reason})(r)}}));",
)
# Streams are read in JS and handed to Python as text batches, one per frame (about 16 ms): a
# Pyodide event-loop step per chunk would cost more than the chunk itself. JS does constant work per
# chunk (append to a string); Python iterates the batches with `async for`. The reader yields to the
# page every few milliseconds, so a fast stream never makes a long task. Failures end the batches
# and are reported in `result`, like _call's outcomes.
_FRAME_MS = 16
_SLICE_MS = 8
_batched = Function.new(
    "stream", "frameMs", "sliceMs",
    f"""const reason = {_reason};
    const result = {{finish: null, extra: null, error: null}};
    let pending = "", done = false, wake = null;
    const notify = () => {{ if (wake) {{ const w = wake; wake = null; w(); }} }};
    (async () => {{
      try {{
        let slice = performance.now();
        for await (const chunk of stream) {{
          const choice = chunk.choices[0];
          if (choice) {{
            const content = choice.delta && choice.delta.content;
            if (content) pending += content;
            if (choice.finish_reason) result.finish = choice.finish_reason;
          }} else if (chunk.usage) {{
            result.extra = chunk.usage.extra;
          }}
          notify();
          if (performance.now() - slice > sliceMs) {{
            await new Promise((r) => setTimeout(r, 0));
            slice = performance.now();
          }}
        }}
      }} catch (r) {{
        result.error = reason(r);
      }}
      done = true;
      notify();
    }})();
    const batches = (async function* () {{
      while (true) {{
        if (!pending && !done) await new Promise((r) => (wake = r));
        if (!done) await new Promise((r) => setTimeout(r, frameMs));
        const text = pending;
        pending = "";
        if (text) yield text;
        if (done && !pending) return;
      }}
    }})();
    return {{batches, result}};""",
)


async def _settle(target, method, *args):
    """await target[method](*args) without letting a rejection reach Pyodide unconverted."""
    outcome = await _call(target, method, *args)
    error = getattr(outcome, "error", None)
    if error is not None:
        raise EngineError(error)
    return getattr(outcome, "value", None)


class WebLlmEngine:
    def __init__(self):
        self._module = None
        self._engine = None
        self._worker = None
        self._cancel = None
        self._stopping = False
        self._proxies = []

    async def module(self):
        if self._module is None:
            (self._module,) = await js_import(_url(WEB_LLM))
        return self._module

    async def detect_gpu(self):
        """{"available", "f16", "detail"}: is there a WebGPU adapter, and does it have shader-f16?"""
        gpu = getattr(navigator, "gpu", None)
        if not gpu:
            return {"available": False, "f16": False, "detail": "navigator.gpu is missing."}
        try:
            adapter = await gpu.requestAdapter()
        except Exception as error:
            return {"available": False, "f16": False, "detail": f"No GPU adapter: {error}"}
        if not adapter:
            return {"available": False, "f16": False, "detail": "The browser found no usable GPU adapter."}
        return {"available": True, "f16": bool(adapter.features.has("shader-f16")), "detail": ""}

    def online(self):
        return bool(navigator.onLine)

    async def custom_models_text(self):
        """The site's models.json, or None when there is none."""
        try:
            response = await fetch(_url(CUSTOM_MODELS))
        except Exception:
            return None
        return await response.text() if response.ok else None

    def _app_config(self, webllm, models):
        """WebLLM's prebuilt list plus the site's own records (it looks models up by id here)."""
        # Relative URLs from models.json are made absolute: WebLLM caches a model library only
        # when its URL starts with "http" (a relative one would need the network on every start).
        custom = [_js(dict(m.record, model=_url(m.record["model"]), model_lib=_url(m.record["model_lib"])))
                  for m in models if m.record]
        model_list = webllm.prebuiltAppConfig.model_list.concat(*custom) if custom else webllm.prebuiltAppConfig.model_list
        return _js({"model_list": model_list, "cacheBackend": "cache"})

    async def cached_ids(self, models):
        webllm = await self.module()
        config = self._app_config(webllm, models)
        cached = set()
        for model in models:
            try:
                if await _settle(webllm, "hasModelInCache", model.model_id, config):
                    cached.add(model.model_id)
            except Exception:
                pass  # an unknown or half-written record counts as not downloaded
        return cached

    # Model storage: what WebLLM keeps in the Cache API (webllm/model, webllm/wasm, webllm/config).

    async def bytes_on_device(self, models):
        """{model_id: bytes} of each model's files in WebLLM's caches (partial downloads included)."""
        webllm = await self.module()
        prefixes = {}
        for model in models:
            urls = self._file_urls(webllm, model)
            if urls:
                prefixes[model.model_id] = urls
        sizes = dict.fromkeys(prefixes, 0)
        for cache_name in ("webllm/model", "webllm/wasm"):
            if not await caches.has(cache_name):
                continue
            cache = await caches.open(cache_name)
            for request in await cache.keys():
                url = request.url
                for model_id, (model_prefix, lib_url) in prefixes.items():
                    if url.startswith(model_prefix) or url == lib_url:
                        sizes[model_id] += await _size(await cache.match(request))
        return {model_id: size for model_id, size in sizes.items() if size}

    def _file_urls(self, webllm, model):
        """(prefix of the model's files, model library URL) as WebLLM keys them, or None if unknown."""
        record = model.record
        if record is None:
            record = next((e for e in webllm.prebuiltAppConfig.model_list if e.model_id == model.model_id), None)
        if record is None:
            return None
        return _url(_get(record, "model")).rstrip("/") + "/", _url(_get(record, "model_lib"))

    async def delete_model(self, model):
        webllm = await self.module()
        await _settle(webllm, "deleteModelAllInfoInCache", model.model_id, self._app_config(webllm, [model]))
        # WebLLM 0.2.86 keeps tensor-cache.json; remove whatever is left under the model's URL.
        urls = self._file_urls(webllm, model)
        if urls and await caches.has("webllm/model"):
            prefix = urls[0]
            cache = await caches.open("webllm/model")
            for request in await cache.keys():
                if request.url.startswith(prefix):
                    await cache.delete(request)

    async def storage_estimate(self):
        """(usage, quota) in bytes, or None where the browser does not say."""
        storage = getattr(navigator, "storage", None)
        if not storage:
            return None
        estimate = await storage.estimate()
        return int(estimate.usage or 0), int(estimate.quota or 0)

    async def persist(self):
        """Ask the browser not to evict this site's data (models are gigabytes); True if granted."""
        storage = getattr(navigator, "storage", None)
        if not storage:
            return False
        return bool(await storage.persisted()) or bool(await storage.persist())

    async def load(self, model, on_progress):
        """Load `model` in a fresh worker; raises LoadCancelled after cancel_load()."""
        webllm = await self.module()
        self.unload()
        loop = asyncio.get_event_loop()
        self._cancel = loop.create_future()
        crashed = loop.create_future()
        worker = self._worker = Worker.new(_url(WORKER), _js({"type": "module"}))

        def on_worker_error(event):
            if not crashed.done():
                crashed.set_exception(RuntimeError(f"The model worker crashed: {getattr(event, 'message', '')}"))

        report = create_proxy(lambda r: on_progress(str(r.text), float(r.progress)))
        self._proxies = [report]
        self._proxies.append(listen(worker, "error", on_worker_error))
        config = _js({"appConfig": self._app_config(webllm, [model]), "initProgressCallback": report})
        loading = asyncio.ensure_future(_settle(webllm, "CreateWebWorkerMLCEngine", worker, model.model_id, config))
        done, _ = await asyncio.wait([loading, self._cancel, crashed], return_when=asyncio.FIRST_COMPLETED)
        if loading not in done:
            loading.cancel()
            self.unload()
            if self._cancel in done:
                raise LoadCancelled()
            crashed.result()
        self._engine = loading.result()

    def cancel_load(self):
        if self._cancel is not None and not self._cancel.done():
            self._cancel.set_result(True)

    def unload(self):
        """Terminate the worker: the only cancel that stops downloads, cache reads and shader builds."""
        if self._worker is not None:
            self._worker.terminate()
        self._worker = self._engine = None

    async def generate(self, messages, on_delta, max_tokens):
        """Stream an answer, calling on_delta(text) once per frame's worth of chunks.

        Returns (finish_reason, usage.extra); raises EngineError when WebLLM fails mid-answer.
        """
        self._stopping = False
        request = _js({"messages": messages, "stream": True, "max_tokens": max_tokens,
                       "stream_options": {"include_usage": True}})
        stream = await _settle(self._engine.chat.completions, "create", request)
        feed = _batched(stream, _FRAME_MS, _SLICE_MS)
        async for text in feed.batches:
            if self._stopping:
                self._engine.interruptGenerate()  # an interrupt sent before the first chunk is lost
            on_delta(text)
        # The batches end only when the stream is drained, also after a stop, so WebLLM releases
        # its lock (mlc-llm #3113).
        result = feed.result
        if result.error:
            raise EngineError(result.error)
        return result.finish or None, result.extra.to_py() if result.extra else None

    def stop(self):
        self._stopping = True
        if self._engine is not None:
            self._engine.interruptGenerate()

    async def reset(self):
        if self._engine is not None:
            await _settle(self._engine, "resetChat")
