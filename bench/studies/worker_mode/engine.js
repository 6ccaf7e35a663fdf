// A stand-in for the app's main-thread engines (WebLLM, wllama, Prompt API): Promise-returning
// calls, a callback stream, and an async-iterable stream.
// A macrotask without setTimeout's 4 ms clamp.
const channel = new MessageChannel();
const waiting = [];
channel.port1.onmessage = () => waiting.shift()();
const tick = () => new Promise(r => { waiting.push(r); channel.port2.postMessage(0); });
// One call renders a whole list (what a worker-side view would need to stay cheap).
window.renderRows = (json, into) => {
  const ul = into ? document.querySelector(into) : document.createElement('ul');
  const tpl = document.getElementById('todo-row');
  for (const text of JSON.parse(json)) {
    const li = tpl.content.firstElementChild.cloneNode(true);
    li.querySelector('label').textContent = text;
    ul.append(li);
  }
  if (!into) document.body.append(ul);
  return ul.children.length;
};
window.engineStub = {
  async ask(text) { await Promise.resolve(); return 'answer to ' + text; },
  async askLater(text) { await tick(); return 'answer to ' + text; },
  // Calls onChunk(text, sentAt) n times, one macrotask apart; resolves with the count.
  async stream(n, onChunk) {
    for (let i = 0; i < n; i++) {
      await tick();
      onChunk('tok' + i + ' ', performance.now());
    }
    return n;
  },
  // An async iterable of n chunks (as WebLLM's chat.completions.create({stream: true}) returns).
  iterate(n) {
    return (async function* () { for (let i = 0; i < n; i++) { await tick(); yield 'tok' + i + ' '; } })();
  },
};
