// Paints the saved list before Python is up, and keeps what is typed and clicked meanwhile.
// A classic script at the end of <body>, after assets/todo-list.js (which owns the list's elements):
// it runs before PyScript has even downloaded Pyodide. It only reads storage. It listens to the
// list's intents until Python takes them over (window.todoList.connectPython), so the rows it
// painted are the rows Python's renders update: a script, an extension or a screen reader holding a
// row, or focus in it, keeps it. Rows of titles typed meanwhile have no id yet: Python gives them
// theirs as it adds the titles.
// What is done meanwhile (a title entered, a row's checkbox or destroy button, toggle all, Clear
// completed) is queued in order and shown at once; Python replays the queue through its own
// commands at hand-over, so it is saved then. Filter links need no queue (the URL hash keeps the
// filter); double-click to edit waits for Python.
(() => {
  "use strict";
  const html = document.documentElement;
  // Where the page is cross-origin isolated and Python must boot, it runs in a worker (PyScript's
  // worker mode: its `pyscript.window` reaches this page synchronously through SharedArrayBuffer),
  // so its boot (1.3–1.8 s in one task here) never holds up this thread. Where a snapshot of Python
  // is noted (assets/python-snapshot.mjs), it runs on this thread: restoring it holds the thread
  // ~100 ms at most, and the start and every action skip the worker's round trips (a returning
  // visit 0.39x the bare page, 0.61x in a worker: docs/benchmarks-main-thread.md).
  // Elsewhere it runs on this thread too, as it can anywhere. PyScript's module script reads the
  // attribute once the document is parsed, after this script.
  const worker = self.crossOriginIsolated === true && !snapshotStored();
  if (worker) document.querySelector('script[type="py"]').setAttribute("worker", "");
  html.dataset.python = worker ? "worker" : "main";
  function snapshotStored() {
    try {
      return localStorage.getItem(html.dataset.pythonSnapshotKey) !== null;
    } catch {
      return false; // no storage: no snapshot either
    }
  }
  const KEY = html.dataset.todosKey; // defined once, in index.html, for this file and app/todos/storage.py
  // What is done to the list before Python is up, in order; app/todos/intents.py decodes and replays it.
  // A title entered meanwhile: {type: "add", typed: n, title}, n counting them from 0. A row is named
  // {id} (a saved to-do) or {typed: n} (the row of the n-th title entered): {type: "set-completed",
  // ...row, completed}, {type: "remove", ...row}; and {type: "set-all-completed", completed},
  // {type: "clear-completed"}.
  const queue = [];

  // The stored to-dos as app/todos/codec.py reads them (same ids, trimmed titles, unreadable ones and
  // repeated ids left out), so Python finds its own to-dos in these rows.
  function savedTodos() {
    let items = null;
    try {
      const record = JSON.parse(localStorage.getItem(KEY) || "null");
      // Version 1, or version 0: a bare list (app/todos/codec.py reads both, and rewrites 0 as 1).
      items = Array.isArray(record) ? record : record && record.version === 1 ? record.todos : null;
    } catch (error) {
      // Unreadable data: Python decodes it, backs it up and tells the user.
    }
    if (!Array.isArray(items)) return [];
    const todos = [];
    const seen = new Set();
    items.forEach((raw, index) => {
      if (!raw || typeof raw !== "object" || Array.isArray(raw)) return;
      const completed = "completed" in raw ? raw.completed : false;
      let id = "id" in raw ? raw.id : `legacy-${index}`;
      if (Number.isInteger(id)) id = String(id);
      if (typeof raw.title !== "string" || !raw.title.trim() || typeof completed !== "boolean") return;
      if (typeof id !== "string" || !id || seen.has(id)) return;
      seen.add(id);
      todos.push({ id, title: raw.title.trim(), completed });
    });
    return todos;
  }

  // The list as Python will have it once it has replayed the queue on the saved to-dos (the same
  // rules as app/todos/model.py). A title entered meanwhile is {typed, title, completed}, without an id.
  function queuedTodos() {
    let todos = savedTodos();
    for (const intent of queue) {
      const named = (todo) => ("id" in intent ? todo.id === intent.id : todo.typed === intent.typed);
      if (intent.type === "add") todos.push({ typed: intent.typed, title: intent.title, completed: false });
      else if (intent.type === "set-completed") todos.filter(named).forEach((t) => (t.completed = intent.completed));
      else if (intent.type === "remove") todos = todos.filter((t) => !named(t));
      else if (intent.type === "set-all-completed") todos.forEach((t) => (t.completed = intent.completed));
      else if (intent.type === "clear-completed") todos = todos.filter((t) => !t.completed);
    }
    return todos;
  }

  function filterFor(hash) {
    return { "#/active": "active", "#/completed": "completed" }[hash] || "all";
  }

  // The list as Python will have it, as the state assets/todo-list.js renders (app/todos/screen.py
  // writes the same for Python's renders).
  function paint() {
    const todos = queuedTodos();
    const filter = filterFor(location.hash);
    const active = todos.filter((t) => !t.completed).length;
    window.todoList.render({
      rows: todos.filter((t) => filter === "all" || (filter === "completed") === t.completed),
      activeCount: active,
      countLabel: active === 1 ? "item left" : "items left",
      hasTodos: todos.length > 0,
      allCompleted: todos.length > 0 && active === 0,
      hasCompleted: todos.some((t) => t.completed),
      filter: filter === "all" ? "#/" : location.hash, // the route of the filter shown
      editing: null,
    });
    html.dataset.painted = "";
  }

  // What the person does before Python is up: queued in order and shown at once. A blank title is
  // not queued; a title entered has its index among those entered (a row's name until it has an id).
  function queueIntent(intent) {
    if (intent.type === "add") {
      if (!intent.title.trim()) return;
      queue.push({ type: "add", typed: queue.filter((i) => i.type === "add").length, title: intent.title });
      window.todoList.clearNewTitle(intent.title);
    } else if (intent.type !== "route") {
      queue.push(intent); // the filter needs no queue: the URL's hash keeps it, and start-up reads it
    }
    paint();
  }

  window.todoList.listen(queueIntent);
  paint();

  const whenReadyCallbacks = [];
  window.bootShell = {
    queue,
    /** Python's first call, once it listens to the list (window.todoList.connectPython): the queue
     *  as JSON text, emptied. Nothing is queued after: the list's intents go to Python from then on. */
    takeQueue() {
      return JSON.stringify(queue.splice(0));
    },
    /** Python's last call at start-up, once it has replayed the queue: the app is ready. `pythonStart`
     *  is how Python started (assets/python-snapshot.mjs): "restored" from this device's snapshot, or
     *  "booted", and then a snapshot is made for the next start once the page is idle. */
    handOver(pythonStart) {
      window.todoList.dropWaitingRows(); // typed titles Python refused (it put them back in the field)
      if (pythonStart === "restored") html.dataset.pythonSnapshot = "restored";
      // Restored in a worker: the snapshot was not noted (kept from before the note existed, or the
      // note was lost), so the next start would not know to restore it on this thread.
      if (pythonStart === "restored" && worker) {
        import("./python-snapshot-maker.mjs").then((maker) => maker.noteSnapshotStored(true));
      }
      if (pythonStart === "booted") {
        // Safari has no requestIdleCallback: a second after ready stands in for "idle".
        const whenIdle = window.requestIdleCallback ?? ((start) => setTimeout(start, 1000));
        whenIdle(() => import("./python-snapshot-maker.mjs").then((maker) => maker.makeSnapshot()), { timeout: 5000 });
      }
      html.removeAttribute("data-starting");
      html.dataset.ready = "";
      // As microtasks: after Python's call has returned, so a failing callback is not Python's error.
      for (const callback of whenReadyCallbacks.splice(0)) queueMicrotask(callback);
    },
    /** Run `callback` once the app is ready (<html data-ready>), at once if it is: for background work
     *  (the service worker's install, the Python snapshot) that must not compete with start-up. */
    whenReady(callback) {
      if (html.hasAttribute("data-ready")) queueMicrotask(callback);
      else whenReadyCallbacks.push(callback);
    },
  };
})();
