"""The "Models on this device" list (every engine's downloaded models, with their sizes and a Delete
button): the only module that touches that part of the DOM."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pyscript import document  # the page's, also where Python runs in a worker
from app.dom import Listener, listen
from app.assistant.models.catalogue import format_size

if TYPE_CHECKING:
    from app.assistant.models.shelf import ModelStorage, StorageEntry


class DeviceModelsView:
    """The "Models on this device" list (app.assistant.models.shelf.StorageView, which ModelStorage calls)."""

    def __init__(self) -> None:
        self.section = document.querySelector(".model-storage")
        self.list = self.section.querySelector(".stored-models")
        self.estimate = self.section.querySelector(".storage-estimate")

    def bind(self, storage: ModelStorage) -> None:
        def on_toggle(event: Any) -> None:
            if self.section.open:
                asyncio.ensure_future(storage.refresh())

        def on_click(event: Any) -> None:
            if event.target.matches("button.delete-model"):
                event.target.disabled = True
                asyncio.ensure_future(storage.delete(event.target.dataset.modelId))

        self._listeners: list[Listener] = [listen(self.section, "toggle", on_toggle),
                                           listen(self.section, "click", on_click)]

    def show_storage(self, entries: Iterable[StorageEntry], estimate_text: str) -> None:
        """entries: (model, bytes, complete) for each model with files on this device."""
        rows = []
        for model, size, complete in entries:
            row = document.createElement("li")
            text = document.createElement("span")
            state = "" if complete else " — partly downloaded; start it to finish the download"
            text.textContent = f"{model.label}: {format_size(size / 1_000_000)}{state}"
            button = document.createElement("button")
            button.type = "button"
            button.className = "delete-model"
            button.dataset.modelId = model.model_id
            button.textContent = "Delete"
            button.setAttribute("aria-label", f"Delete {model.label}")
            row.append(text, button)
            rows.append(row)
        if not rows:
            empty = document.createElement("li")
            empty.textContent = "No model downloaded yet."
            rows.append(empty)
        self.list.replaceChildren(*rows)
        self.estimate.textContent = estimate_text
