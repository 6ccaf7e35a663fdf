"""One Python adapter for every engine module of docs/engines.md (WebLLM, wllama, the Prompt API).

It implements the Engine port (app/assistant/engines/port.py) by calling a same-origin JS module under
assets/engines/ through Pyodide's FFI. Every module keeps one contract (assets/engines/engine-module.d.ts):
the same functions, reports in the same shapes, which app/assistant/engines/reports.py reads into the
port's types, so nothing here differs by engine but the module's URL, label and capabilities. The
modules never reject: each call settles into {value} or {error}, and the error is raised here as a
typed EngineError. The JS module is imported on first use, so an engine nobody picks costs nothing.
"""

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from typing import Any, TypedDict

from js import URL, Object, console
from pyodide.ffi import JsCallableDoubleProxy, JsPromise, JsProxy, create_proxy, to_js
from pyscript import document, js_import  # the page's, also where Python runs in a worker

from app.assistant.engines.port import (
    Answer,
    Availability,
    Cancelled,
    Capabilities,
    EngineError,
    Loaded,
    LoadProgress,
    Sampling,
)
from app.assistant.engines.capabilities import CAPABILITIES
from app.assistant.engines.names import PROMPT_API, WEBLLM, WLLAMA
from app.assistant.engines.reports import error_from, progress_from, stats_from
from app.assistant.models.catalogue import Model
from app.assistant.requests.prompts import Message


def _js(value: object) -> JsProxy:
    proxy: JsProxy = to_js(value, dict_converter=Object.fromEntries)  # a dict or a list: a JS object or array
    return proxy


def _py(value: object) -> Any:  # a JS value as Python: what it holds is the contract's, unchecked
    return value.to_py() if hasattr(value, "to_py") else value


MIB = 1 << 20


class ModelFields(TypedDict):
    """The contract's Model: the plain record a module takes for a model."""

    model_id: str
    url: str | None
    record: dict[str, Any] | None
    context_window: int | None


def availability_from(raw: Mapping[str, Any]) -> Availability:
    """A module's availability() value -> Availability (WebGPU limits from bytes to MiB)."""
    def mib(key: str) -> float | None:
        value = raw.get(key)
        return value / MIB if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    return Availability(bool(raw.get("available")), reason=str(raw.get("reason") or ""),
                        preferred=raw.get("preferred", True) is not False, f16=bool(raw.get("f16")),
                        max_storage_buffer_mb=mib("maxStorageBufferBindingSize"),
                        max_buffer_mb=mib("maxBufferSize"),
                        threads=raw.get("threads") if isinstance(raw.get("threads"), int) else None,
                        gpu=raw.get("gpu") is True)


class JsEngine:
    """app.assistant.engines.port.Engine over the JS module at `module_url` (relative to the page)."""

    def __init__(self, name: str, label: str, module_url: str, capabilities: Capabilities) -> None:
        self.name = name
        self.label = label
        self.capabilities = capabilities
        self._module_url = module_url
        self._module: JsProxy | None = None  # the module's namespace, once imported
        self._cancelled = False
        # The module's progress callback for the latest load. A new one for each load (one proxy
        # handed over again would, where Python runs in a worker, lose its id to the page's copy
        # of an earlier hand-over collected late), kept until the next load rather than destroyed
        # when the load settles: a report the page sent just before then can arrive after it.
        self._on_progress: Callable[[LoadProgress], None] | None = None
        self._report: JsCallableDoubleProxy[[Any], None] | None = None  # the latest load's

    async def _js_module(self) -> JsProxy:
        if self._module is None:
            try:
                (self._module,) = await js_import(URL.new(self._module_url, document.baseURI).href)
            except Exception as error:  # offline before the service worker had it, say
                raise EngineError(f"The {self.label} engine could not be loaded: {error}") from None
        return self._module

    async def _call(self, function_name: str, *args: JsProxy) -> Any:
        """The value of an exported function's {value} | {error} outcome; raises the error."""
        module = await self._js_module()
        outcome = _py(await getattr(module, function_name)(*args))
        return self._value(outcome)

    def _value(self, outcome: Mapping[str, Any]) -> Any:
        error = outcome.get("error")
        if error:
            raise self._error(error)
        return outcome.get("value")

    def _error(self, raw: Mapping[str, Any]) -> EngineError:
        return error_from(raw.get("name"), raw.get("message"), raw.get("received"), raw.get("host") or "")

    def _fields(self, model: Model) -> ModelFields:
        """The plain record a module takes (the contract's Model): {model_id, url, record, context_window}."""
        return {
            "model_id": model.model_id,
            "url": getattr(model, "url", None),
            "record": getattr(model, "record", None),
            "context_window": getattr(model, "context_window", None),
        }

    def _model(self, model: Model) -> JsProxy:
        return _js(self._fields(model))

    def _models(self, models: Sequence[Model]) -> JsProxy:
        return _js([self._fields(model) for model in models])

    async def availability(self) -> Availability:
        try:
            raw = await self._call("availability")
        except EngineError as error:
            return Availability(False, reason=error.detail or str(error))
        return availability_from(raw or {})

    async def cached_ids(self, models: Sequence[Model]) -> set[str]:
        return set(await self._call("cachedIds", self._models(models)) or ()) if models else set()

    async def bytes_on_device(self, models: Sequence[Model]) -> dict[str, int]:
        return dict(await self._call("bytesOnDevice", self._models(models)) or {}) if models else {}

    async def delete_model(self, model: Model) -> None:
        await self._call("deleteModel", self._model(model))

    async def load(self, model: Model, on_progress: Callable[[LoadProgress], None], gpu: bool = False) -> Loaded:
        """Load `model`; raises Cancelled after cancel_load(), another EngineError on failure."""
        self._cancelled = False
        module = await self._js_module()
        if self._cancelled:  # cancelled while the module was still being fetched
            raise Cancelled("The load was cancelled.")
        if self._report is not None:
            self._report.destroy()  # the last load's: it settled before this one began
        self._report = create_proxy(self._reported)
        self._on_progress = on_progress
        try:
            outcome = _py(await module.load(_js({**self._fields(model), "gpu": bool(gpu)}), self._report))
        finally:
            self._on_progress = None  # a report arriving after the load settled is dropped
        value = self._value(outcome) or {}
        window = value.get("context_window")
        return Loaded(window if isinstance(window, int) and window > 0 else None, value.get("device"),
                      str(value.get("gpu_error") or ""))

    def _reported(self, raw: Any) -> None:
        if self._on_progress is not None:
            self._on_progress(progress_from(_py(raw)))

    def cancel_load(self) -> None:
        self._cancelled = True
        if self._module is not None:
            self._module.cancelLoad()

    def unload(self) -> asyncio.Task[None]:
        """Free the model: the module's unload() is called now; the task returned is done once it has settled."""
        return asyncio.ensure_future(self._unloaded(None if self._module is None else self._module.unload()))

    async def _unloaded(self, pending: JsPromise[Any] | None) -> None:
        if pending is None:
            return
        try:
            self._value(_py(await pending))
        except EngineError as error:  # nothing to do about it: the next load replaces the model anyway
            console.warn(f"Unload failed: {error}")

    async def generate(self, messages: Sequence[Message], on_delta: Callable[[str], None], sampling: Sampling,
                       json_schema: dict[str, Any] | None = None,
                       on_reading: Callable[[float], None] | None = None) -> Answer:
        """Stream an answer: on_delta(text) once per frame's batch; raises an EngineError on failure.

        `json_schema` (a dict) constrains the answer to that schema where the engine can;
        on_reading(fraction) follows the prompt being read, where the engine reports it.
        """
        module = await self._js_module()
        options = asdict(sampling)
        if json_schema is not None:
            options["json_schema"] = json_schema
        feed = module.generate(_js(messages), _js(options))
        async for text in feed.batches:
            if text:
                on_delta(text)
            elif on_reading is not None and feed.result.reading:  # "": the prompt read further
                on_reading(feed.result.reading.done / feed.result.reading.total)
        # The batches end only when the engine's stream is drained, after a stop too.
        result = _py(feed.result)
        if result.get("error"):
            raise self._error(result["error"])
        return Answer(result.get("finish") or None, stats_from(result.get("stats")))

    def stop(self) -> None:
        if self._module is not None:
            self._module.stop()

    async def prefill(self, messages: Sequence[Message], sampling: Sampling) -> None:
        """Warm the engine's cache with `messages` (see the port); a failure is only logged."""
        if not self.capabilities.prefills:
            return
        try:
            await self._call("prefill", _js(messages), _js(asdict(sampling)))
        except EngineError as error:
            console.warn(f"Prefill failed: {error}")

    def cancel_prefill(self) -> None:
        if self._module is not None and self.capabilities.prefills:
            self._module.cancelPrefill()

    async def reset(self) -> None:
        if self._module is not None:
            await self._call("reset")


def browser_engines() -> list[JsEngine]:
    """The three engines this app offers, each over its module under assets/engines/."""
    return [
        JsEngine(WEBLLM, "WebLLM", "./assets/engines/webllm.js", CAPABILITIES[WEBLLM]),
        JsEngine(WLLAMA, "llama.cpp (wllama)", "./assets/engines/wllama.js", CAPABILITIES[WLLAMA]),
        JsEngine(PROMPT_API, "the browser's built-in model", "./assets/engines/prompt-api.js",
                 CAPABILITIES[PROMPT_API]),
    ]
