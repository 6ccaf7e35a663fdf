"""Start-up: wires the list's store, controller and screen, then hands over from the shell.

PyScript runs this file on the page's main thread once Pyodide is ready (see index.html). Only the
list's modules are fetched and imported before it runs (pyscript.toml [files]); the assistant is
wired by app/assistant/__init__.py, which the launcher fetches and imports on the toggle's first press.
"""

import json

import js
from pyscript import window  # the page's, also where Python runs in a worker

from app.assistant_launcher import AssistantLauncher
from app.todos import intents
from app.todos.controller import TodoController
from app.todos.screen import ListScreen
from app.todos.storage import BrowserStore
from app.todos.view import BrowserListPage

store = BrowserStore()
screen = ListScreen(BrowserListPage())
todos = TodoController(store, screen)
screen.bind(todos)  # the list's intents come to Python from now on; what came before was queued
todos.start(window.location.hash, intents.decode(json.loads(window.bootShell.takeQueue())))
store.on_external_change(todos.external_change)
assistant = AssistantLauncher(lambda: todos.todos, todos.apply_batch, todos.watch)

# How Python started (assets/python-snapshot.mjs leaves it where Python runs), for the shell to mark.
window.bootShell.handOver(getattr(js, "pythonSnapshot", "booted"))
