"""Fakes of the engine port (app/assistant/engines/port.py `Engine`, `Device`) for the controller and storage tests.

They keep the port's promises: errors arrive as EngineErrors, cancel_load() makes a pending load
raise Cancelled, stop() makes a running generation end soon after with finish "abort" (the engine
sends about one more chunk after an interrupt, as WebLLM does), and progress arrives as
LoadProgress. test_assistant_controller checks each fake against its Protocol's signatures.
"""

import asyncio

from app.assistant.engines.capabilities import CAPABILITIES  # the adapters' own table
from app.assistant.engines.names import PROMPT_API, WEBLLM, WLLAMA
from app.assistant.engines.port import (
    Answer,
    Availability,
    Cancelled,
    Loaded,
    Stats,
)

SPEED = Stats(decode_tokens_per_s=12.34, prefill_tokens_per_s=200.0)
LABELS = {WEBLLM: "WebLLM", WLLAMA: "wllama", PROMPT_API: "Prompt API"}


class FakeEngine:
    def __init__(self, name, availability=None, *, cached=(), sizes=None, log=None):
        self.name = name
        self.label = LABELS[name]
        self.capabilities = CAPABILITIES[name]
        self.available = availability or Availability(True)
        self.cached = set(cached)
        self.sizes = dict(sizes or {})  # model_id -> bytes on this device (partial ones too)
        self.listing_gate = None  # an asyncio.Event the next bytes_on_device() waits on, its figures read
        self.calls = log if log is not None else []  # shared between engines to see the order
        self.progress = []  # LoadProgress reports each load emits
        self.load_error = None  # the EngineError the next load raises
        self.hold_load = False  # the load waits until cancel_load()
        self.during_load = None  # called as a load starts: what the browser does meanwhile
        self.gpu_error = ""  # a load on the GPU fails with this and runs on the CPU instead
        self.context_window = None  # what a load reports it got
        self.load_pending = asyncio.Event()
        self._cancel = None
        self.chunks = ["Hello", ", ", "world."]
        self.finish = "stop"
        self.stats = SPEED
        self.generate_error = None
        self.pause_at = None  # generation waits before this chunk until stop() or release()
        self.paused = asyncio.Event()
        self._release = asyncio.Event()
        self._stopped = False
        self.reading = []  # fractions of the prompt read that generate() reports first
        self.prefilled = []  # the messages of each prefill()
        self.hold_prefill = False  # prefill waits until cancel_prefill() or release_prefill()
        self.prefill_pending = asyncio.Event()
        self._prefill_gate = None
        self.sent = []  # (messages, sampling) of each generate()
        self.schemas = []  # the json_schema of each generate()

    def _log(self, *what):
        self.calls.append((self.name, *what) if len(what) > 1 else (self.name, what[0]))

    async def availability(self):
        self._log("availability")
        await asyncio.sleep(0)
        self._log("availability done")
        return self.available

    async def cached_ids(self, models):
        self._log("cached_ids", [m.model_id for m in models])
        return {m.model_id for m in models if m.model_id in self.cached}

    async def bytes_on_device(self, models):
        self._log("bytes_on_device", [m.model_id for m in models])
        sizes = {m.model_id: self.sizes[m.model_id] for m in models if m.model_id in self.sizes}
        if self.listing_gate is not None:  # the listing is read, then held until the test lets it end
            gate, self.listing_gate = self.listing_gate, None
            await gate.wait()
        return sizes

    async def delete_model(self, model):
        self._log("delete_model", model.model_id)
        self.cached.discard(model.model_id)
        self.sizes.pop(model.model_id, None)

    async def load(self, model, on_progress, gpu=False):
        self._log("load", model.model_id, "gpu") if gpu else self._log("load", model.model_id)
        if self.during_load:
            self.during_load()
        for report in self.progress:
            on_progress(report)
            await asyncio.sleep(0)
        if self.hold_load:
            self._cancel = asyncio.Event()
            self.load_pending.set()
            await self._cancel.wait()
            raise Cancelled("Cancelled")
        if self.load_error:
            raise self.load_error
        self.cached.add(model.model_id)
        if gpu and self.gpu_error:
            return Loaded(self.context_window, "cpu", self.gpu_error)
        return Loaded(self.context_window, "gpu" if gpu else None)

    def cancel_load(self):
        self._log("cancel_load")
        if self._cancel is not None:
            self._cancel.set()

    def unload(self):
        """Logged at the call, like the adapter's, which starts unloading awaited or not."""
        self._log("unload")
        return asyncio.ensure_future(asyncio.sleep(0))

    async def generate(self, messages, on_delta, sampling, json_schema=None, on_reading=None):
        """Streams `chunks` as they are: the raw text an engine produced (JSON or not), after
        reporting `reading` (fractions of the prompt read) where set."""
        self._log("generate")
        for fraction in self.reading:
            if on_reading is not None:
                on_reading(fraction)
        self.sent.append((messages, sampling))
        self.schemas.append(json_schema)
        self.paused.clear()
        self._release.clear()
        self._stopped = False
        for index, chunk in enumerate(self.chunks):
            if index == self.pause_at:
                self.paused.set()
                await self._release.wait()
            on_delta(chunk)
            await asyncio.sleep(0)
            if self._stopped:
                on_delta("one more after the stop")
                break
        if self.generate_error:
            raise self.generate_error
        return Answer("abort" if self._stopped else self.finish, self.stats)

    async def prefill(self, messages, sampling):
        """Records the prefix; with `hold_prefill` set, waits until cancel_prefill() or release_prefill()."""
        self._log("prefill")
        self.prefilled.append(messages)
        if self.hold_prefill:
            self._prefill_gate = asyncio.Event()
            self.prefill_pending.set()
            await self._prefill_gate.wait()

    def cancel_prefill(self):
        self._log("cancel_prefill")
        if self._prefill_gate is not None:
            self._prefill_gate.set()

    def release_prefill(self):
        self._prefill_gate.set()

    def release(self):
        self._release.set()

    def stop(self):
        self._log("stop")
        self._stopped = True
        self._release.set()

    async def reset(self):
        self._log("reset")


class FakeDevice:
    def __init__(self, *, online=True, custom=None, estimate=None, blocked=()):
        self.is_online = online
        self.blocked = set(blocked)  # origins this site's policy does not allow
        self.custom = custom
        self.estimate = estimate  # (usage, quota) bytes, or None
        self.persisted = 0

    def online(self):
        return self.is_online

    def blocked_origin(self, url):
        origin = "/".join(url.split("/")[:3]) if "://" in url else None
        return origin if origin in self.blocked else None

    async def storage_estimate(self):
        return self.estimate

    async def persist(self):
        self.persisted += 1
        return True

    async def custom_models_text(self):
        return self.custom
