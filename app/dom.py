"""The one helper the browser-facing modules share: an event listener that can be taken off again.

A Python function handed to addEventListener must be wrapped in a proxy that outlives the call.
`listen` makes it and returns a Listener; its owner keeps the handle and calls `remove()` when it is
done (the listener comes off the element and the proxy is destroyed, so nothing leaks).
"""

from pyodide.ffi import create_proxy


class Listener:
    """One event listener on one element; remove() detaches it and frees its proxy (once)."""

    def __init__(self, element, event_name, handler):
        self._element = element
        self._event_name = event_name
        self._proxy = create_proxy(handler)
        element.addEventListener(event_name, self._proxy)

    def remove(self):
        if self._proxy is not None:
            self._element.removeEventListener(self._event_name, self._proxy)
            self._proxy.destroy()
            self._proxy = self._element = None


def listen(element, event_name, handler):
    """Call handler(event) on each `event_name` event of `element`; returns the Listener."""
    return Listener(element, event_name, handler)


def remove_all(listeners):
    """Remove every Listener in `listeners` and empty the list."""
    for listener in listeners:
        listener.remove()
    listeners.clear()
