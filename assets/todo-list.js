// The to-do list's part of the page, for the page's whole life: the one script that writes it.
// It renders the list from data and turns what the person does into intents (plain data) for one
// listener: assets/boot.js's queue until Python is up, then app/todos/view.py. So Python makes one
// call per change and receives one per action, whether it runs on this thread or in a worker, and no
// Python object holds one of these elements. A classic script, run before assets/boot.js.
//
// A state (app/todos/screen.py's list_state writes it; boot.js writes the same before Python is up):
//   {rows: [{id | typed, title, completed}], activeCount, countLabel, hasTodos, allCompleted,
//    hasCompleted, filter: "#/" | "#/active" | "#/completed", editing: an id or null}
// A row of a title typed before Python was up has `typed` (its index among those titles), not an id;
// Python's first states give it its id, and its element is kept (matched by title, in order).
// Intents: {type: "add", title}, {type: "set-completed", id | typed, completed},
//   {type: "remove", id | typed}, {type: "set-all-completed", completed}, {type: "clear-completed"},
//   {type: "start-edit", id}, {type: "edit", id, title}, {type: "cancel-edit", id},
//   {type: "route", hash}.
// Text goes in with textContent, never as HTML.
(() => {
  "use strict";
  const $ = (selector) => document.querySelector(selector);
  const list = $(".todo-list");
  const newTodo = $(".new-todo");
  const notice = $(".notice");
  const template = $("#todo-row").content.firstElementChild;
  const rows = new Map(); // "id:<id>" or "typed:<n>" -> its <li>, so a render reuses the same elements
  let sink = () => {}; // where intents go: set by connect()
  let python = false; // connected to Python: rows of typed titles wait for it to adopt them
  let editing = null; // the id of the row in edit mode, as the last state said
  let rendering = false; // removing a focused row fires focusout at once: that is not the person's doing

  const keyOf = (row) => ("id" in row ? `id:${row.id}` : `typed:${row.typed}`);
  const isWaiting = (element) => !element.dataset.id; // a typed title's row, not yet given its to-do's id

  // A typed title's row that Python has just added: the first waiting one with this title.
  function adopt(id, title) {
    for (const [key, element] of rows) {
      if (key.startsWith("typed:") && element.querySelector("label").textContent === title) {
        rows.delete(key);
        element.dataset.id = id;
        return element;
      }
    }
    return null;
  }

  function rowFor(row) {
    const key = keyOf(row);
    let element = rows.get(key);
    if (!element) {
      element = ("id" in row && python && adopt(row.id, row.title)) || template.cloneNode(true);
      if ("id" in row) element.dataset.id = row.id;
      rows.set(key, element);
    }
    const label = element.querySelector("label");
    if (label.textContent !== row.title) label.textContent = row.title;
    element.classList.toggle("completed", row.completed);
    element.querySelector(".toggle").checked = row.completed;
    return element;
  }

  // Show exactly `wanted`, in order, moving no row that stays in place: moving the row that holds the
  // focus (a checkbox just clicked, an edit field) would take the focus away, and end an edit.
  function showRows(wanted) {
    const keep = new Set(wanted);
    let cursor = list.firstElementChild;
    const passUnwanted = () => {
      while (cursor && !keep.has(cursor)) {
        const element = cursor;
        cursor = cursor.nextElementSibling;
        if (!(python && isWaiting(element))) element.remove(); // a waiting row stays until hand-over
      }
    };
    for (const element of wanted) {
      passUnwanted();
      if (element === cursor) cursor = cursor.nextElementSibling;
      else list.insertBefore(element, cursor);
    }
    passUnwanted();
    for (const [key, element] of rows) if (!element.isConnected) rows.delete(key);
  }

  function showEditing(id) {
    if (id === editing) return;
    rows.get(`id:${editing}`)?.classList.remove("editing");
    const element = id === null ? undefined : rows.get(`id:${id}`);
    editing = element ? id : null;
    if (!element) return;
    element.classList.add("editing");
    const field = element.querySelector(".edit");
    field.value = element.querySelector("label").textContent;
    field.focus();
    field.setSelectionRange(field.value.length, field.value.length); // the caret after the text
  }

  function render(state) {
    rendering = true;
    try {
      showRows(state.rows.map(rowFor));
      showEditing(state.editing ?? null);
    } finally {
      rendering = false;
    }
    $(".main").hidden = $(".footer").hidden = !state.hasTodos;
    $(".toggle-all").checked = state.allCompleted;
    const strong = document.createElement("strong");
    strong.textContent = String(state.activeCount);
    $(".todo-count").replaceChildren(strong, ` ${state.countLabel}`);
    $(".clear-completed").hidden = !state.hasCompleted;
    for (const link of document.querySelectorAll(".filters a")) {
      link.classList.toggle("selected", link.getAttribute("href") === state.filter);
    }
  }

  // How an intent names the row of a control: {id} or {typed}; null outside a row of ours.
  function rowOf(control) {
    const element = control.closest("li");
    if (!element) return null;
    if (element.dataset.id) return { id: element.dataset.id };
    for (const [key, row] of rows) if (row === element) return { typed: Number(key.slice("typed:".length)) };
    return null;
  }

  function send(intent) {
    if (intent) sink(intent);
  }

  const editField = (event) => event.target.matches(".edit") && rowOf(event.target);

  const listeners = [
    [newTodo, "keydown", (event) => {
      if (event.key === "Enter" && !event.isComposing) send({ type: "add", title: newTodo.value });
    }],
    [list, "change", (event) => {
      const row = event.target.matches(".toggle") && rowOf(event.target);
      if (row) send({ type: "set-completed", ...row, completed: event.target.checked });
    }],
    [list, "click", (event) => {
      const row = event.target.matches(".destroy") && rowOf(event.target);
      if (row) send({ type: "remove", ...row });
    }],
    [list, "dblclick", (event) => {
      const row = python && event.target.matches("label") && rowOf(event.target);
      if (!row || !row.id) return;
      // Edit mode begins here, at once: where Python runs in a worker its state comes a few ms
      // later, and what is typed meanwhile must land in the field. Python's state confirms it (or,
      // for a to-do gone meanwhile, ends it).
      showEditing(row.id);
      send({ type: "start-edit", id: row.id });
    }],
    [list, "keydown", (event) => {
      const row = !event.isComposing && editField(event);
      if (!row || row.id !== editing) return;
      if (event.key === "Enter") send({ type: "edit", id: row.id, title: event.target.value });
      else if (event.key === "Escape") send({ type: "cancel-edit", id: row.id });
    }],
    [list, "focusout", (event) => {
      const row = !rendering && editField(event);
      if (row && row.id === editing) send({ type: "edit", id: row.id, title: event.target.value });
    }],
    [$(".toggle-all"), "change", (event) => send({ type: "set-all-completed", completed: event.target.checked })],
    [$(".clear-completed"), "click", () => send({ type: "clear-completed" })],
    [notice.querySelector("button"), "click", () => showNotice(null)],
    [window, "hashchange", () => send({ type: "route", hash: location.hash })],
  ];
  for (const [target, type, listener] of listeners) target.addEventListener(type, listener);

  function showNotice(text) {
    notice.hidden = text == null; // Python's None arrives as undefined
    notice.querySelector("p").textContent = text ?? "";
  }

  window.todoList = {
    render,
    showNotice,
    /** Intents go to `listener(intent)`; connectPython(handler) sends them to Python as JSON text instead. */
    listen(listener) {
      sink = listener;
    },
    connectPython(handler) {
      python = true;
      sink = (intent) => handler(JSON.stringify(intent));
      notice.querySelector("button").disabled = false;
    },
    /** Python's render: a state as JSON text (one string crosses, whatever the list's length). */
    renderJSON(text) {
      render(JSON.parse(text));
    },
    /** Empty the new-todo field once its title is added, unless the person has typed on meanwhile. */
    clearNewTitle(title) {
      if (newTodo.value === title) newTodo.value = "";
    },
    /** A typed title that could not be added goes back into the field, and its row goes. */
    restoreNewTitle(title) {
      newTodo.value = title;
      for (const [key, element] of rows) {
        if (key.startsWith("typed:") && element.querySelector("label").textContent === title.trim()) {
          rows.delete(key);
          element.remove();
          return;
        }
      }
    },
    /** At hand-over: the rows of typed titles Python did not adopt (it refused them) go. */
    dropWaitingRows() {
      for (const [key, element] of rows) {
        if (key.startsWith("typed:")) {
          rows.delete(key);
          element.remove();
        }
      }
    },
  };
})();
