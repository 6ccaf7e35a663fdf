// Paints the saved list before Python is up, and keeps what is typed meanwhile.
// A classic script at the end of <body>: it runs before PyScript has even downloaded Pyodide. It only
// reads storage. Rows are clones of index.html's <template id="todo-row">, keyed by to-do id
// (data-id); Python's view (app/todo_view.py) adopts these same elements when it takes over, so a
// script, an extension or a screen reader holding a row, or focus in it, keeps it. Rows of titles
// typed meanwhile have no id yet: Python gives them theirs as it adds the titles.
// Text goes in with textContent, never as HTML.
(() => {
  "use strict";
  const html = document.documentElement;
  const KEY = html.dataset.todosKey; // defined once, in index.html, for this file and app/storage.py
  const $ = (selector) => document.querySelector(selector);
  const template = $("#todo-row");
  // What is done to the list before Python is up, in order; app/boot_queue.py decodes and replays it.
  // Titles entered meanwhile: {type: "add", typed: n, title} (n counts them from 0).
  const queue = [];
  const savedRows = new Map(); // to-do id -> row, so a repaint reuses the same elements
  const pendingRows = [];

  // The stored to-dos as app/codec.py reads them (same ids, trimmed titles, unreadable ones and
  // repeated ids left out), so Python finds its own to-dos in these rows.
  function savedTodos() {
    let items = null;
    try {
      const record = JSON.parse(localStorage.getItem(KEY) || "null");
      // Version 1, or version 0: a bare list (app/codec.py reads both, and rewrites 0 as 1).
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

  // Before Python is up the controls do nothing: they stay focusable but are marked and inert.
  function newRow() {
    const row = template.content.firstElementChild.cloneNode(true);
    for (const control of row.querySelectorAll(".toggle, .destroy")) control.setAttribute("aria-disabled", "true");
    return row;
  }

  // The row of a saved to-do (by id) or of the index-th title typed meanwhile (no id).
  function rowFor(todo, index) {
    const id = todo.id;
    let row = id === undefined ? pendingRows[index] : savedRows.get(id);
    if (!row) {
      row = newRow();
      if (id === undefined) pendingRows[index] = row;
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

  function paint() {
    const rows = savedTodos().map((todo) => [todo, rowFor(todo)]);
    for (const intent of queue) {
      if (intent.type !== "add") continue;
      const todo = { title: intent.title, completed: false };
      rows.push([todo, rowFor(todo, intent.typed)]);
    }
    const todos = rows.map(([todo]) => todo);
    const filter = filterFor(location.hash);
    $(".todo-list").replaceChildren(
      ...rows
        .filter(([t]) => filter === "all" || (filter === "completed") === Boolean(t.completed))
        .map(([, row]) => row),
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

  // A click (or Space) on a row's control before Python is up would change nothing that is saved.
  function ignoreControl(event) {
    if (event.target.closest(".toggle, .destroy")) event.preventDefault();
  }

  $(".new-todo").addEventListener("keydown", queueTitle);
  $(".todo-list").addEventListener("click", ignoreControl);
  addEventListener("hashchange", paint);
  paint();

  window.bootShell = {
    queue,
    /** Called once by Python when it has replayed the queue: stop painting, empty the queue. */
    handOver() {
      queue.length = 0;
      $(".new-todo").removeEventListener("keydown", queueTitle);
      $(".todo-list").removeEventListener("click", ignoreControl);
      removeEventListener("hashchange", paint);
      // Rows of typed titles that Python did not adopt (it refused the title and put it back).
      for (const row of $(".todo-list").querySelectorAll("li:not([data-id])")) row.remove();
      html.removeAttribute("data-starting");
      html.dataset.ready = "";
    },
  };
})();
