"""The model storage manager: which models are on this device, how much space they take, and room
for the next one.

Pure Python: the engine adapter (app/llm.py) reads WebLLM's caches and `navigator.storage`; the
view (app/storage_view.py) shows the list. Models are gigabytes, so the app checks the free quota
before a download (refusing with a clear message rather than failing at 95%), asks the browser to
persist the site's storage after one, and shows partly downloaded models, which the next start
completes (WebLLM fetches only the missing files) or a delete clears.
"""

from app.models import format_size

MB = 1_000_000


def space_message(model, needed_bytes, free_bytes):
    return (f"Not enough storage space for {model.label}: it needs about {format_size(needed_bytes / MB)}, "
            f"and this browser allows about {format_size(max(free_bytes, 0) / MB)} more for this site. "
            "Delete a model under “Models on this device”, or free disk space, then try again.")


def estimate_text(estimate):
    if estimate is None:
        return "This browser does not report how much space is left."
    usage, quota = estimate
    return (f"This site uses {format_size(usage / MB)} of the {format_size(quota / MB)} "
            "this browser allows it.")


class ModelStorage:
    def __init__(self, engine, view, get_models, on_deleted=lambda model_id: None):
        self.engine = engine
        self.view = view
        self.get_models = get_models
        self.on_deleted = on_deleted

    async def refresh(self):
        models = self.get_models()
        sizes = await self.engine.bytes_on_device(models) if models else {}
        complete = await self.engine.cached_ids([m for m in models if m.model_id in sizes]) if sizes else set()
        entries = [(m, sizes[m.model_id], m.model_id in complete) for m in models if m.model_id in sizes]
        self.view.show_storage(entries, estimate_text(await self.engine.storage_estimate()))

    async def delete(self, model_id):
        for model in self.get_models():
            if model.model_id == model_id:
                await self.engine.delete_model(model)
                self.on_deleted(model_id)
        await self.refresh()

    async def check_space(self, model):
        """None when the model fits (or the browser gives no figures), else a message for the user."""
        estimate = await self.engine.storage_estimate()
        if estimate is None:
            return None
        usage, quota = estimate
        have = (await self.engine.bytes_on_device([model])).get(model.model_id, 0)
        needed = model.size_mb * MB - have
        if needed > quota - usage:
            return space_message(model, needed, quota - usage)
        return None

    async def after_download(self, model):
        await self.engine.persist()
        await self.refresh()
