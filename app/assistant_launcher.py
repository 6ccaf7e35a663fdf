"""The assistant toggle until the assistant is loaded: its Python is fetched and imported on first use.

The list starts with only its own modules (pyscript.toml [files]); the assistant's package
(app/assistant/) is fetched into Pyodide's file system and imported when the toggle is first
pressed, so start-up pays nothing for it. Its files and the order to import its modules in come from
app/assistant/modules.json, which the build writes from the folder (build/python_files.py). Fetching starts early when the pointer or the keyboard focus reaches the toggle.
The service worker precaches every file under app/ (build/precache.py), so this works offline too.
While loading, the toggle stays pressable, says it is busy (aria-busy) and a status line says so;
a failure is said there too and the next press tries again. Once loaded, app/assistant/__init__.py's
ChatView owns the toggle and the panel, and the panel opens.
"""

from __future__ import annotations

import asyncio
import importlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

from js import URL, console, fetch
from pyscript import document  # the page's, also where Python runs in a worker

import app
from app.dom import listen, remove_all

if TYPE_CHECKING:  # the assistant's own modules are only there once it is loaded
    from app.assistant.contracts import ApplyBatch, GetTodos, WatchTodos
    from app.assistant.views.chat import ChatView

Files = tuple[list[str], list[tuple[str, str]]]
"""The assistant's modules in import order, and its files' (path, source)."""

MODULE_LIST = "./app/assistant/modules.json"
LOADING_TEXT = "Loading the assistant…"


async def _fetch_text(path: str) -> str:
    response = await fetch(URL.new(path, document.baseURI).href)
    if not response.ok:
        raise OSError(f"{path}: HTTP {response.status}")
    return await response.text()


async def _fetch_assistant() -> Files:
    """(the modules in import order, [(file path, source)]) of the assistant's package."""
    listing = json.loads(await _fetch_text(MODULE_LIST))
    sources = await asyncio.gather(*(_fetch_text(f"./{path}") for path in listing["files"]))
    return listing["modules"], list(zip(listing["files"], sources))


class AssistantLauncher:
    """Loads the assistant on the toggle's first press; then hands the toggle to its ChatView."""

    def __init__(self, get_todos: GetTodos, apply_batch: ApplyBatch, watch_todos: WatchTodos | None = None) -> None:
        self.get_todos = get_todos
        self.apply_batch = apply_batch
        self.watch_todos = watch_todos
        self.toggle = document.querySelector(".assistant-toggle")
        self.status = document.querySelector(".assistant-loading")
        self.chat_view: ChatView | None = None
        self._files: asyncio.Task[Files] | None = None
        self._loading = False
        self._listeners = [
            listen(self.toggle, "click", lambda event: self._on_press()),
            listen(self.toggle, "pointerenter", lambda event: self._prefetch()),
            listen(self.toggle, "focus", lambda event: self._prefetch()),
        ]
        self.toggle.disabled = False

    def _prefetch(self) -> asyncio.Task[Files]:
        """Start fetching the modules' source (again, if an earlier try failed); importing waits for the press."""
        if self._files is None or (self._files.done() and (self._files.cancelled() or self._files.exception())):
            self._files = asyncio.ensure_future(_fetch_assistant())
            # A failed prefetch that no press awaits must not be reported as "never retrieved".
            self._files.add_done_callback(lambda files: files.cancelled() or files.exception())
        return self._files

    def _on_press(self) -> None:
        if not self._loading:
            self._loading = True
            self._show_status(LOADING_TEXT)  # at once, in the press's own task
            asyncio.ensure_future(self._load())

    def _show_status(self, text: str) -> None:
        self.status.textContent = text
        self.status.hidden = not text
        if text == LOADING_TEXT:
            self.toggle.setAttribute("aria-busy", "true")
        else:
            self.toggle.removeAttribute("aria-busy")

    async def _load(self) -> None:
        try:
            site = Path(app.__file__).parent.parent  # the folder app/ is in, as on the site
            modules, files = await self._prefetch()
            for path, source in files:
                (site / path).parent.mkdir(parents=True, exist_ok=True)
                (site / path).write_text(source, encoding="utf-8")
            importlib.invalidate_caches()
            for name in modules:  # one module per task: no single long task on the main thread
                importlib.import_module(name)
                await asyncio.sleep(0)
            chat_view = importlib.import_module("app.assistant").start(self.get_todos, self.apply_batch,
                                                                        self.watch_todos)
        except Exception as error:  # offline before the service worker had the files, say
            console.error(f"The assistant could not be loaded: {error!r}")
            self._files = None
            self._loading = False
            self._show_status("The assistant could not be loaded. Press the button to try again.")
            return
        remove_all(self._listeners)
        self._show_status("")
        self.chat_view = chat_view
        await chat_view.toggle_panel()
