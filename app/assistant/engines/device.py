"""The browser adapter of the Device port (app/assistant/engines/port.py): network, storage and the site's model list.

What every engine shares about this browser, so no engine adapter reads `navigator` for it.
"""

from typing import Any

from js import URL, fetch
from pyscript import document, window  # the page's, also where Python runs in a worker

from app.assistant.engines.policy import connect_allowed
from app.dom import Listener, listen

CUSTOM_MODELS = "./models.json"
POLICY_METAS = 'meta[http-equiv="Content-Security-Policy" i]'
CONNECT_DIRECTIVES = ("connect-src", "default-src")


class BrowserDevice:
    """app.assistant.engines.port.Device in the browser.

    It listens for the page's `securitypolicyviolation` events from its start until close(): the
    origins whose connections the browser blocked, whatever policy blocked them (a server's header
    too, which the page cannot read)."""

    def __init__(self) -> None:
        self._blocked: set[str] = set()
        self._listener: Listener | None = listen(document, "securitypolicyviolation", self._on_violation)

    def close(self) -> None:
        """Stop listening (the listener's proxy is destroyed)."""
        if self._listener is not None:
            self._listener.remove()
            self._listener = None

    def _on_violation(self, event: Any) -> None:
        if str(event.effectiveDirective) in CONNECT_DIRECTIVES:
            try:
                self._blocked.add(str(URL.new(event.blockedURI).origin))
            except Exception:  # "inline", "eval" and the like name no URL
                pass

    def blocked_origin(self, url: str) -> str | None:
        """The origin of `url` when this site's policy does not let the page connect to it: a
        connection the browser reported blocking, or one the page's own policy (its <meta>) forbids."""
        target = URL.new(url, document.baseURI)
        origin = str(target.origin)
        if origin in self._blocked:
            return origin
        for meta in document.querySelectorAll(POLICY_METAS):
            if not connect_allowed(str(meta.content), str(target.href), str(window.location.origin)):
                return origin
        return None

    def online(self) -> bool:
        """What the page knows of the network (assets/pwa.js keeps <html data-offline>: the browser's
        word, checked by a request, as navigator.onLine alone is wrong after an offline reload in
        some browsers)."""
        return bool(window.navigator.onLine) and not document.documentElement.hasAttribute("data-offline")

    async def storage_estimate(self) -> tuple[int, int] | None:
        """(usage, quota) in bytes, or None where the browser does not say."""
        storage = getattr(window.navigator, "storage", None)
        if not storage:
            return None
        estimate = await storage.estimate()
        return int(estimate.usage or 0), int(estimate.quota or 0)

    async def persist(self) -> bool:
        """Ask the browser not to evict this site's data (models are large); True if granted."""
        storage = getattr(window.navigator, "storage", None)
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
