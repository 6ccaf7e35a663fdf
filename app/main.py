"""Start-up: wires the store, the controller and the view together, then hands over from the shell.

PyScript runs this file on the page's main thread once Pyodide is ready (see index.html).
"""

from js import location, window
from pyodide.ffi import create_proxy

from app.controller import TodoController
from app.storage import BrowserStore
from app.todo_view import TodoView

store = BrowserStore()
view = TodoView()
controller = TodoController(store, view)
view.bind(controller)
controller.start(location.hash, window.bootShell.pendingTitles.to_py())
store.on_external_change(controller.external_change)
on_hash_change = create_proxy(lambda event: controller.route(location.hash))
window.addEventListener("hashchange", on_hash_change)
window.bootShell.handOver()
