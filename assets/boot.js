// Paints the saved list before Python is up, and keeps what is typed meanwhile.
// A classic script at the end of <body>: it runs before PyScript has even downloaded Pyodide. It only
// reads; Python's view replaces these rows and takes over when it is ready (see app/main.py).
// Text goes in with textContent, never as HTML.
(() => {
  "use strict";
  const KEY = "tasks-and-talk.todos"; // the same key as app/storage.py
  const html = document.documentElement;
  const $ = (selector) => document.querySelector(selector);
  const pendingTitles = [];

  function savedTodos() {
    try {
      const record = JSON.parse(localStorage.getItem(KEY) || "null");
      // Version 1, or version 0: a bare list (app/codec.py reads both, and rewrites 0 as 1).
      const todos = Array.isArray(record) ? record : record && record.version === 1 ? record.todos : null;
      if (Array.isArray(todos)) return todos.filter((t) => t && typeof t.title === "string");
    } catch (error) {
      // Unreadable data: Python decodes it, backs it up and tells the user.
    }
    return [];
  }

  function filterFor(hash) {
    return { "#/active": "active", "#/completed": "completed" }[hash] || "all";
  }

  function paint() {
    const todos = savedTodos().concat(pendingTitles.map((title) => ({ title, completed: false })));
    const filter = filterFor(location.hash);
    const list = $(".todo-list");
    list.replaceChildren(
      ...todos
        .filter((t) => filter === "all" || (filter === "completed") === Boolean(t.completed))
        .map((todo) => {
          const row = document.createElement("li");
          if (todo.completed) row.className = "completed";
          const view = document.createElement("div");
          view.className = "view";
          const toggle = document.createElement("input");
          toggle.className = "toggle";
          toggle.type = "checkbox";
          toggle.checked = Boolean(todo.completed);
          toggle.disabled = true;
          const label = document.createElement("label");
          label.textContent = todo.title;
          view.append(toggle, label);
          row.append(view);
          return row;
        }),
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
    pendingTitles.push(input.value);
    input.value = "";
    paint();
  }

  $(".new-todo").addEventListener("keydown", queueTitle);
  addEventListener("hashchange", paint);
  paint();

  window.bootShell = {
    pendingTitles,
    /** Called once by Python when it has rendered: stop painting, unlock the controls. */
    handOver() {
      $(".new-todo").removeEventListener("keydown", queueTitle);
      removeEventListener("hashchange", paint);
      html.removeAttribute("data-starting");
      html.dataset.ready = "";
    },
  };
})();
