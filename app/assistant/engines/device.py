"""The browser adapter of the Device port (app/assistant/engines/port.py): network, storage and the site's model list.

What every engine shares about this browser, so no engine adapter reads `navigator` for it.
"""

from js import URL, document, fetch, navigator

CUSTOM_MODELS = "./models.json"


class BrowserDevice:
    """app.assistant.engines.port.Device in the browser."""

    def online(self) -> bool:
        """What the page knows of the network (assets/pwa.js keeps <html data-offline>: the browser's
        word, checked by a request, as navigator.onLine alone is wrong after an offline reload in
        some browsers)."""
        return bool(navigator.onLine) and not document.documentElement.hasAttribute("data-offline")

    async def storage_estimate(self) -> tuple[int, int] | None:
        """(usage, quota) in bytes, or None where the browser does not say."""
        storage = getattr(navigator, "storage", None)
        if not storage:
            return None
        estimate = await storage.estimate()
        return int(estimate.usage or 0), int(estimate.quota or 0)

    async def persist(self) -> bool:
        """Ask the browser not to evict this site's data (models are large); True if granted."""
        storage = getattr(navigator, "storage", None)
        if not storage:
            return False
        return bool(await storage.persisted()) or bool(await storage.persist())

    async def custom_models_text(self) -> str | None:
        """The site's models.json, or None when there is none (or it cannot be fetched)."""
        try:
            response = await fetch(URL.new(CUSTOM_MODELS, document.baseURI).href)
        except Exception:
            return None
        return await response.text() if response.ok else None
