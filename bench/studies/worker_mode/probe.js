// Main-thread probe: long tasks, the Python-done marker, main-side helpers for the worker.
window.__longtasks = [];
try {
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) window.__longtasks.push([e.startTime, e.duration]);
  }).observe({type: 'longtask', buffered: true});
} catch (e) { window.__longtaskError = String(e); }
window.__errors = [];
addEventListener('error', e => window.__errors.push(String(e.message || e.error)));
addEventListener('unhandledrejection', e => window.__errors.push('rejection: ' + String(e.reason)));
const root = document.documentElement;
new MutationObserver(() => {
  if (root.dataset.pyDone && window.__doneAt === undefined) {
    window.__doneAt = performance.now();
    performance.mark('py-done');
  }
  if (root.dataset.pyStart && window.__startAt === undefined) {
    window.__startAt = performance.now();
    performance.mark('py-start');
  }
  if (root.dataset.pyFinished && window.__finishedAt === undefined) {
    window.__finishedAt = performance.now();
    performance.mark('py-finished');
  }
}).observe(root, {attributes: true});
// Expose engine functions to a worker through xworker.sync (main side), once PyScript made the worker.
const script = () => document.querySelector('script[type="py"][worker]');
const hook = () => {
  const s = script();
  if (!s) return;
  if (!s.xworker) { setTimeout(hook, 5); return; }
  s.xworker.sync.ask = (text) => window.engineStub.ask(text);
  s.xworker.sync.askNow = (text) => 'echo:' + text;
  window.__syncHooked = performance.now();
};
if (document.readyState === 'loading') addEventListener('DOMContentLoaded', hook); else hook();
