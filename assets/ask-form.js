// The assistant's message box, decided on the page's own thread: Enter (without Shift, and not while
// an input method is composing) sends the question, Shift+Enter starts a new line, and the form never
// navigates. Decided here rather than in Python (app/assistant/views/chat.py sends on the form's
// submit event) because where Python runs in a worker its handlers run after the browser has acted
// on the event: too late to keep the newline out or the form from submitting.
(() => {
  "use strict";
  const form = document.querySelector(".ask");
  const message = document.querySelector("#message");
  form.addEventListener("submit", (event) => event.preventDefault());
  message.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
})();
