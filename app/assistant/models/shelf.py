"""The models on offer and which are on this device: the shelf, and the storage manager over it.

Pure Python. `ModelShelf` is the one owner of "the models on offer" (the assistant's controller fills
it once it knows what this device can run) and the one place a deletion is announced, so the
controller and the storage manager share it without knowing each other.

`ModelStorage` lists the models with files on this device, with their sizes, for "Models on this
device": each model's own engine lists and deletes its files (WebLLM's Cache API entries, wllama's
OPFS files); a model whose engine does not list device models (the browser's built-in one) never
appears. Models are gigabytes, so the free quota is checked before a download (a clear message
rather than a failure at 95%), the browser is asked to persist the site's storage after one, and
partly downloaded models are shown, which the next start completes or a delete clears.
"""

import asyncio
from collections.abc import Callable, Iterable
from typing import Protocol

from app.assistant.engines.port import Device, Engine
from app.assistant.models.catalogue import Model, format_size

MB = 1_000_000


class ModelShelf:
    """The models on offer, the engine of each, and who wants to hear of a deleted model."""

    def __init__(self, engines: Iterable[Engine]) -> None:
        self.engines = {engine.name: engine for engine in engines}
        self.models: list[Model] = []
        self._deleted_listeners: list[Callable[[str], object]] = []

    def offer(self, models: Iterable[Model]) -> None:
        self.models = list(models)

    def find(self, model_id: str) -> Model | None:
        return next((m for m in self.models if m.model_id == model_id), None)

    def engine_for(self, model: Model) -> Engine:
        return self.engines[model.engine]

    def stored_models(self) -> dict[str, list[Model]]:
        """The models on offer whose engine keeps files on this device, by engine name."""
        by_engine: dict[str, list[Model]] = {}
        for model in self.models:
            if self.engine_for(model).capabilities.lists_device_models:
                by_engine.setdefault(model.engine, []).append(model)
        return by_engine

    def on_deleted(self, listener: Callable[[str], object]) -> None:
        self._deleted_listeners.append(listener)

    def deleted(self, model_id: str) -> None:
        for listener in self._deleted_listeners:
            listener(model_id)


def space_message(model: Model, needed_bytes: float, free_bytes: float) -> str:
    return (f"Not enough storage space for {model.label}: it needs about {format_size(needed_bytes / MB)}, "
            f"and this browser allows about {format_size(max(free_bytes, 0) / MB)} more for this site. "
            "Delete a model under “Models on this device”, or free disk space, then try again.")


def estimate_text(estimate: tuple[int, int] | None) -> str:
    if estimate is None:
        return "This browser does not report how much space is left."
    usage, quota = estimate
    return (f"This site uses {format_size(usage / MB)} of the {format_size(quota / MB)} "
            "this browser allows it.")


StorageEntry = tuple[Model, int, bool]
"""A model with files on this device: the model, its bytes there, and whether it is complete."""


class StorageView(Protocol):
    """What ModelStorage shows "Models on this device" through: app/assistant/views/device_models.py's
    DeviceModelsView in the page, a recording fake in the unit tests."""

    def show_storage(self, entries: list[StorageEntry], estimate_text: str) -> None:
        """List `entries` (an empty list: none), with `estimate_text` (estimate_text()'s) under them."""


class ModelStorage:
    """The models with files on this device, for the person to see and delete, and the quota check."""

    def __init__(self, shelf: ModelShelf, device: Device, view: StorageView) -> None:
        self.shelf = shelf
        self.device = device
        self.view = view
        # One listing or deletion at a time: a listing that overlaps a deletion reads files as they
        # go (wllama's OPFS: "NotFoundError") or shows them after they went.
        self._busy = asyncio.Lock()

    async def refresh(self) -> None:
        async with self._busy:
            await self._refresh()

    async def _refresh(self) -> None:
        entries: list[StorageEntry] = []
        for name, models in self.shelf.stored_models().items():
            engine = self.shelf.engines[name]
            sizes = await engine.bytes_on_device(models)
            present = [m for m in models if m.model_id in sizes]
            complete = await engine.cached_ids(present) if present else set()
            entries += [(m, sizes[m.model_id], m.model_id in complete) for m in present]
        self.view.show_storage(entries, estimate_text(await self.device.storage_estimate()))

    async def delete(self, model_id: str) -> None:
        async with self._busy:
            model = self.shelf.find(model_id)
            if model is not None and self.shelf.engine_for(model).capabilities.lists_device_models:
                await self.shelf.engine_for(model).delete_model(model)
                self.shelf.deleted(model_id)
            await self._refresh()

    async def check_space(self, model: Model) -> str | None:
        """None when the model fits (or the browser gives no figures), else a message for the user."""
        engine = self.shelf.engine_for(model)
        if not engine.capabilities.needs_download:
            return None
        estimate = await self.device.storage_estimate()
        if estimate is None:
            return None
        usage, quota = estimate
        have = (await engine.bytes_on_device([model])).get(model.model_id, 0)
        needed = model.size_mb * MB - have
        if needed > quota - usage:
            return space_message(model, needed, quota - usage)
        return None

    async def after_download(self, model: Model) -> None:
        await self.device.persist()
        await self.refresh()
