"""The "Models on this device" list (every engine's downloaded models, with their sizes and a Delete
button): the only module that touches that part of the DOM."""

import asyncio

from js import document
from app.dom import listen
from app.assistant.models.catalogue import format_size


class DeviceModelsView:
    def __init__(self):
        self.section = document.querySelector(".model-storage")
        self.list = self.section.querySelector(".stored-models")
        self.estimate = self.section.querySelector(".storage-estimate")

    def bind(self, storage):
        def on_toggle(event):
            if self.section.open:
                asyncio.ensure_future(storage.refresh())

        def on_click(event):
            if event.target.matches("button.delete-model"):
                event.target.disabled = True
                asyncio.ensure_future(storage.delete(event.target.dataset.modelId))

        self._listeners = [listen(self.section, "toggle", on_toggle), listen(self.section, "click", on_click)]

    def show_storage(self, entries, estimate_text):
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
