"""The engine port: everything the rest of the app knows of a language-model engine.

Pure Python (no `js` imports). Three adapters implement it: WebLLM on the GPU, wllama (llama.cpp in
WebAssembly) on the CPU, and Chrome's built-in Prompt API. The assistant's controller, the views and
the prompt code speak only these types; each adapter turns its engine's reports and failures into
them, so no engine's strings are parsed anywhere else.
"""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from app.assistant.models.catalogue import Model
from app.assistant.requests.prompts import Message


# Load phases, in the order a first load goes through them.
DOWNLOAD = "download"  # bytes are coming from the network
DEVICE = "device"  # reading a model already on this device
PREPARE = "prepare"  # compiling shaders, building the context, creating the session


@dataclass(frozen=True)
class Availability:
    """Can this engine run here, and how well?

    `preferred` is False where it runs but another engine should be chosen first (a software GPU
    adapter such as SwiftShader). `reason` says why not, or what is special ("software adapter").
    `f16` and the limits describe a WebGPU adapter; `threads` the CPU engine's thread count; `gpu`
    says the CPU engine can run its GGUF models on a real (not software) GPU adapter.
    """

    available: bool
    reason: str = ""
    preferred: bool = True
    f16: bool = False
    max_storage_buffer_mb: float | None = None
    max_buffer_mb: float | None = None
    threads: int | None = None
    gpu: bool = False  # a CPU engine that can also put a model's layers on a real GPU (wllama)


@dataclass(frozen=True)
class LoadProgress:
    """One progress report while a model loads. `fraction` is 0..1 over the whole load, or None.

    `total_estimated` is True where the engine gives no total and one was worked out from a
    percentage. `elapsed_s`: seconds since the load began, where the engine counts them.
    """

    phase: str
    fraction: float | None = None
    loaded_bytes: int | None = None
    total_bytes: int | None = None
    elapsed_s: float | None = None
    total_estimated: bool = False


@dataclass(frozen=True)
class Loaded:
    """A model that loaded: the context it got (None: the engine does not say), where it runs
    ("gpu", "cpu" or None), and, where it was to run on the GPU and could not, why (it runs on the
    CPU instead)."""

    context_window: int | None = None
    device: str | None = None
    gpu_error: str = ""


@dataclass(frozen=True)
class Sampling:
    """What every engine is asked to sample with; the app sets it, never the model's defaults."""

    temperature: float
    top_p: float
    repetition_penalty: float
    frequency_penalty: float
    max_tokens: int


@dataclass(frozen=True)
class Stats:
    """Figures for one answer, each None where the engine gives none."""

    decode_tokens_per_s: float | None = None
    prefill_tokens_per_s: float | None = None
    time_to_first_token_s: float | None = None
    completion_tokens: int | None = None


@dataclass(frozen=True)
class Capabilities:
    """What an engine can do beyond plain streaming."""

    needs_download: bool = True  # False: the browser manages the model (the Prompt API)
    json_schema: bool = False  # constrained decoding to a JSON schema
    lists_device_models: bool = True  # its models show under "Models on this device"
    resumes_downloads: bool = True  # a cut or cancelled download keeps what arrived (WebLLM's shards)
    prefills: bool = False  # reads the chat so far into its cache before a question is sent (wllama)


class EngineError(Exception):
    """A failure an engine reported, sorted by what the person can do about it."""

    kind = "other"

    def __init__(self, detail: str = "", *, host: str = "") -> None:
        super().__init__(detail)
        self.detail = detail
        self.host = host


class Unsupported(EngineError):
    """This browser or device cannot run this engine or this model (no WebGPU, no shader-f16…)."""

    kind = "unsupported"


class OutOfMemory(EngineError):
    """The model does not fit, or the GPU device was lost: only a page reload gets a fresh one."""

    kind = "memory"


class HostUnreachable(EngineError):
    """Nothing arrived from the model host (`host` names it): offline, blocked or down."""

    kind = "unreachable"


class DownloadCut(EngineError):
    """A download started and then stopped; what arrived is kept, so trying again resumes."""

    kind = "network"


class Cancelled(EngineError):
    """The person cancelled the load."""

    kind = "cancelled"


class QuotaExceeded(EngineError):
    """The browser refused to store more for this site."""

    kind = "quota"


ERRORS_BY_KIND = {cls.kind: cls for cls in (EngineError, Unsupported, OutOfMemory, HostUnreachable,
                                             DownloadCut, Cancelled, QuotaExceeded)}


def engine_error(kind: str, detail: str = "", host: str = "") -> EngineError:
    """The EngineError subclass for `kind` (an unknown kind gives a plain EngineError)."""
    return ERRORS_BY_KIND.get(kind, EngineError)(detail, host=host)


@dataclass(frozen=True)
class Answer:
    """How a generation ended: finish is "stop", "length", "abort" or None; stats may be empty."""

    finish: str | None
    stats: Stats = field(default_factory=Stats)


class Engine(Protocol):
    """An engine adapter. Models are app.assistant.models.catalogue.Model objects whose `engine` is `name`."""

    name: str
    label: str
    capabilities: Capabilities

    async def availability(self) -> Availability: ...

    async def cached_ids(self, models: Sequence[Model]) -> set[str]: ...

    async def bytes_on_device(self, models: Sequence[Model]) -> dict[str, int]: ...

    async def delete_model(self, model: Model) -> None: ...

    async def load(self, model: Model, on_progress: Callable[[LoadProgress], None], gpu: bool = False) -> Loaded:
        """Load `model` (on the GPU where `gpu` and the engine can, falling back to the CPU); raises
        an EngineError (Cancelled after cancel_load())."""

    def cancel_load(self) -> None: ...

    def unload(self) -> Awaitable[None]:
        """Free the loaded model (a load, prefill or answer in progress ends). It starts at the call,
        awaited or not; the awaitable is done once the engine has let the model go, so a caller that
        awaits it never has two models in memory at once."""

    async def generate(self, messages: Sequence[Message], on_delta: Callable[[str], None], sampling: Sampling,
                       json_schema: dict[str, Any] | None = None,
                       on_reading: Callable[[float], None] | None = None) -> Answer:
        """Stream an answer to `messages`, calling on_delta(text) about once per frame.

        `json_schema` constrains the answer to that JSON schema (each engine's constrained
        decoding: WebLLM's JSON mode, llama.cpp's grammar, the Prompt API's responseConstraint).
        on_reading(fraction) follows the prompt being read before the first word, where the engine
        reports it (wllama); 0..1.

        Raises an EngineError when the engine fails mid-answer. After stop() it drains the engine
        and returns with finish "abort" (or whatever the engine said), so the next request works.
        """

    def stop(self) -> None: ...

    async def prefill(self, messages: Sequence[Message], sampling: Sampling) -> None:
        """Read `messages` (the system prompt and the chat so far) into the engine's cache, so the
        next request that starts with them reads only what follows. Never raises: a prefill that
        fails or is cancelled only means the next request reads everything itself."""

    def cancel_prefill(self) -> None:
        """End the prefill in progress (its prefix is no longer the next request's)."""

    async def reset(self) -> None: ...


class Device(Protocol):
    """The browser facts every engine shares: network, storage, the site's own model list."""

    def online(self) -> bool: ...

    def blocked_origin(self, url: str) -> str | None:
        """The origin of `url` (absolute, or relative to the page) when this site's
        Content-Security-Policy does not let the page connect to it, else None."""
        ...

    async def storage_estimate(self) -> tuple[int, int] | None: ...

    async def persist(self) -> bool: ...

    async def custom_models_text(self) -> str | None: ...
