// Paints the saved list before Python is up, and keeps what is typed and clicked meanwhile.
// A classic script at the end of <body>: it runs before PyScript has even downloaded Pyodide. It only
// reads storage. Rows are clones of index.html's <template id="todo-row">, keyed by to-do id
// (data-id); Python's view (app/todos/view.py) adopts these same elements when it takes over, so a
// script, an extension or a screen reader holding a row, or focus in it, keeps it. Rows of titles
// typed meanwhile have no id yet: Python gives them theirs as it adds the titles.
// What is done meanwhile (a title entered, a row's checkbox or destroy button, toggle all, Clear
// completed) is queued in order and shown at once; Python replays the queue through its own
// commands at hand-over, so it is saved then. Filter links need no queue (the URL hash keeps the
// filter); double-click to edit waits for Python. Text goes in with textContent, never as HTML.
(() => {
  "use strict";
  const html = document.documentElement;
  const KEY = html.dataset.todosKey; // defined once, in index.html, for this file and app/todos/storage.py
  const $ = (selector) => document.querySelector(selector);
  const template = $("#todo-row");
  // What is done to the list before Python is up, in order; app/todos/boot_queue.py decodes and replays it.
  // A title entered meanwhile: {type: "add", typed: n, title}, n counting them from 0. A row is named
  // {id} (a saved to-do) or {typed: n} (the row of the n-th title entered): {type: "set-completed",
  // ...row, completed}, {type: "remove", ...row}; and {type: "set-all-completed", completed},
  // {type: "clear-completed"}.
  const queue = [];
  const savedRows = new Map(); // to-do id -> row, so a repaint reuses the same elements
  const pendingRows = [];

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

  // The row of a saved to-do (by id) or of the typed-th title entered meanwhile (no id).
  function rowFor(todo) {
    const id = todo.id;
    let row = id === undefined ? pendingRows[todo.typed] : savedRows.get(id);
    if (!row) {
      row = template.content.firstElementChild.cloneNode(true);
      if (id === undefined) pendingRows[todo.typed] = row;
      else savedRows.set((row.dataset.id = id), row);
    }
    row.classList.toggle("completed", Boolean(todo.completed));
    row.querySelector(".toggle").checked = Boolean(todo.completed);
    row.querySelector("label").textContent = todo.title.trim();
    return row;
  }

  function filterFor(hash) {
    return { "#/active": "active", "#/completed": "completed" }[hash] || "all";
  }

  // Show exactly `rows`, in order, moving no row that stays: moving or re-inserting the row that
  // holds the focus (a checkbox just clicked) would take the focus away.
  function showRows(rows) {
    const list = $(".todo-list");
    const wanted = new Set(rows);
    for (const row of [...list.children]) if (!wanted.has(row)) row.remove();
    let cursor = list.firstElementChild;
    for (const row of rows) {
      if (row === cursor) cursor = cursor.nextElementSibling;
      else list.insertBefore(row, cursor);
    }
  }

  function paint() {
    const todos = queuedTodos();
    const filter = filterFor(location.hash);
    showRows(
      todos.filter((t) => filter === "all" || (filter === "completed") === t.completed).map(rowFor),
    );
    const active = todos.filter((t) => !t.completed).length;
    $(".main").hidden = $(".footer").hidden = todos.length === 0;
    $(".toggle-all").checked = todos.length > 0 && active === 0;
    const strong = document.createElement("strong");
    strong.textContent = String(active);
    $(".todo-count").replaceChildren(strong, active === 1 ? " item left" : " items left");
    $(".clear-completed").hidden = !todos.some((t) => t.completed);
    for (const link of document.querySelectorAll(".filters a")) {
      link.classList.toggle("selected", filterFor(link.hash) === filter);
    }
    html.dataset.painted = "";
  }

  // Enter before Python is ready: keep the title and show it; Python adds it on hand-over.
  function queueTitle(event) {
    const input = event.target;
    if (event.key !== "Enter" || event.isComposing || !input.value.trim()) return;
    const typed = queue.filter((intent) => intent.type === "add").length;
    queue.push({ type: "add", typed, title: input.value });
    input.value = "";
    paint();
  }

  // How the queue names the row of a control: {id} or {typed}; null for a row that is not one of ours.
  function rowOf(control) {
    const row = control.closest("li");
    if (row.dataset.id) return { id: row.dataset.id };
    const typed = pendingRows.indexOf(row);
    return typed < 0 ? null : { typed };
  }

  function queueIntent(intent) {
    queue.push(intent);
    paint();
  }

  // The same events app/todos/view.py listens to, so a click (or Space, or Enter) counts once.
  function queueListChange(event) {
    const row = event.target.matches(".toggle") && rowOf(event.target);
    if (row) queueIntent({ type: "set-completed", ...row, completed: event.target.checked });
  }

  function queueListClick(event) {
    const row = event.target.matches(".destroy") && rowOf(event.target);
    if (row) queueIntent({ type: "remove", ...row });
  }

  function queueToggleAll(event) {
    queueIntent({ type: "set-all-completed", completed: event.target.checked });
  }

  function queueClearCompleted() {
    queueIntent({ type: "clear-completed" });
  }

  const listeners = [
    [$(".new-todo"), "keydown", queueTitle],
    [$(".todo-list"), "change", queueListChange],
    [$(".todo-list"), "click", queueListClick],
    [$(".toggle-all"), "change", queueToggleAll],
    [$(".clear-completed"), "click", queueClearCompleted],
    [window, "hashchange", paint],
  ];
  for (const [target, type, listener] of listeners) target.addEventListener(type, listener);
  paint();

  const whenReadyCallbacks = [];
  window.bootShell = {
    queue,
    /** Called once by Python when it has replayed the queue: stop painting, empty the queue. */
    handOver() {
      queue.length = 0;
      for (const [target, type, listener] of listeners) target.removeEventListener(type, listener);
      // Rows of typed titles that Python did not adopt (it refused the title and put it back).
      for (const row of $(".todo-list").querySelectorAll("li:not([data-id])")) row.remove();
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
