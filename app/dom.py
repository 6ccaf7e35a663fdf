"""The one helper the browser-facing modules share: an event listener that can be taken off again.

A Python function handed to addEventListener must be wrapped in a proxy that outlives the call.
`listen` makes it and returns a Listener; its owner keeps the handle and calls `remove()` when it is
done (the listener comes off the element and the proxy is destroyed, so nothing leaks).
"""

from collections.abc import Callable
from typing import Any

from pyodide.ffi import JsDoubleProxy, create_proxy

Handler = Callable[[Any], object]
"""An event handler: called with the event (a JS Event, so Any); what it returns is ignored."""


class Listener:
    """One event listener on one element; remove() detaches it and frees its proxy (once)."""

    def __init__(self, element: Any, event_name: str, handler: Handler) -> None:
        self._element: Any = element
        self._event_name = event_name

        def on_event(event: Any) -> None:
            # What the handler returns stays here: where Python runs in a worker, the page would
            # await a returned task, and a failed one would be the page's unhandled rejection.
            handler(event)

        self._proxy: JsDoubleProxy[Handler] | None = create_proxy(on_event)
        element.addEventListener(event_name, self._proxy)

    def remove(self) -> None:
        if self._proxy is not None:
            self._element.removeEventListener(self._event_name, self._proxy)
            self._proxy.destroy()
            self._proxy = self._element = None


def listen(element: Any, event_name: str, handler: Handler) -> Listener:
    """Call handler(event) on each `event_name` event of `element`; returns the Listener."""
    return Listener(element, event_name, handler)


def remove_all(listeners: list[Listener]) -> None:
    """Remove every Listener in `listeners` and empty the list."""
    for listener in listeners:
        listener.remove()
    listeners.clear()
