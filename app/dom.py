"""The one helper the browser-facing modules share: an event listener that stays alive.

A Python function handed to addEventListener must be wrapped in a proxy that outlives the call;
`listen` makes it and keeps it in the owner's list, so it lives exactly as long as its owner.
"""

from pyodide.ffi import create_proxy


def listen(element, event_name, handler, keep):
    """Call handler(event) on each `event_name` event of `element`; the proxy is kept in `keep`."""
    proxy = create_proxy(handler)
    element.addEventListener(event_name, proxy)
    keep.append(proxy)
    return proxy
