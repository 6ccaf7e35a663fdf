"""The JavaScript that bench_streaming.py runs in the app's page: its observers and the plain-JS loop.

Five scripts, each a string for Playwright (add_init_script or page.evaluate): INIT_SCRIPT before any
page script (long tasks, the Enter keydown that sends a question, WebLLM as the remembered model),
PATCH_DOUBLE on the WebLLM test double (ignore max_tokens, timestamp each chunk handed out),
ARM_PYTHON and COLLECT_PYTHON around one answer down the app's Python path, and RUN_JS, one answer
down a plain-JS loop on the same module. They live apart from the page driver (bench/streaming_page.py)
so that each module stays readable; bench_streaming.py's docstring says what the figures mean.
Not a benchmark itself.
"""

import json

from bench.page_loads import MODEL_KEY

# Installed before any page script runs: long tasks, the Enter keydown that sends a question, and a
# WebLLM model as the remembered choice (the double stands in for WebLLM only; on SwiftShader the
# automatic choice would be the CPU engine).
INIT_SCRIPT = """
(() => {
  if (localStorage.getItem(MODEL_KEY) === null) {
    localStorage.setItem(MODEL_KEY, "Llama-3.2-1B-Instruct-q4f32_1-MLC");
  }
  window.__longtasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longtasks.push([e.startTime, e.duration]);
    }).observe({ type: "longtask", buffered: true });
  } catch (error) { window.__longtasksUnsupported = String(error); }
  addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target && event.target.id === "message" && window.__bench) {
      if (window.__bench.send == null) {
        window.__bench.send = performance.now();
        performance.mark("bench:send");
      }
    }
  }, true);
})();
""".replace("MODEL_KEY", json.dumps(MODEL_KEY))

# Before the app creates its engine: make the double ignore max_tokens (see bench_streaming.py's
# docstring) and timestamp its chunks. The page's import() of the URL gives the module instance the
# app uses.
PATCH_DOUBLE = """
async () => {
  const webllm = await import("/vendor/web-llm/index.js");
  const base = Object.getPrototypeOf(webllm.MLCEngine.prototype);
  if (!base.__benchPatched) {
    const original = base.chatCompletion;
    base.chatCompletion = function (request) {
      if (request && request.max_tokens != null) request = { ...request, max_tokens: undefined };
      return original.call(this, request);
    };
    // The double does `this.message += content` as it hands out each chunk: an accessor on the
    // prototype timestamps the producer side (engines created after this patch only).
    Object.defineProperty(base, "message", {
      configurable: true,
      get() { return this.__benchMessage ?? ""; },
      set(value) {
        this.__benchMessage = value;
        const p = globalThis.__benchProducer;
        if (p && value) {
          const now = performance.now();
          if (p.first === null) { p.first = now; performance.mark("bench:first-chunk"); }
          p.last = now;
          if (++p.chunks === p.expected) performance.mark("bench:last-chunk");
        }
      },
    });
    base.__benchPatched = true;
  }
  return typeof webllm.CreateWebWorkerMLCEngine === "function" && "__webllmErrors" in globalThis;
}
"""

# Arms the observers for one python run; the returned promise-holder resolves when it finishes.
ARM_PYTHON = """
({ reply }) => {
  globalThis.__webllmScenario = { reply, chunkSize: 1, chunkDelayMs: 0 };
  const transcript = document.querySelector(".transcript");
  const b = (window.__bench = { appends: 0, chars: 0, first: null, last: null, finished: null,
                                maxFrameGap: 0, streaming: true });
  globalThis.__benchProducer = { first: null, last: null, chunks: 0, expected: reply.length };
  let resolve;
  window.__benchDone = new Promise((r) => (resolve = r));
  let lastFrame = null;
  const frame = (t) => {
    if (lastFrame !== null && globalThis.__benchProducer.first !== null) {
      b.maxFrameGap = Math.max(b.maxFrameGap, t - lastFrame);
    }
    lastFrame = t;
    if (b.finished === null) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  const observer = new MutationObserver((records) => {
    const now = performance.now();
    for (const record of records) {
      const target = record.target;
      if (record.type === "attributes") {
        if (target.classList.contains("answer") && !target.classList.contains("streaming") && b.finished === null) {
          b.finished = now;
          performance.mark("bench:finished");
          b.streaming = false;
        }
        continue;
      }
      if (!b.streaming || !target.classList || !target.classList.contains("answer")) continue;
      // Appends only add; the final render replaces the streamed text (it removes nodes): no more appends.
      if (record.removedNodes.length) { b.streaming = false; continue; }
      let texts = 0;
      for (const node of record.addedNodes) {
        if (node.nodeType === Node.TEXT_NODE) { texts++; b.chars += node.data.length; }
      }
      if (texts) {
        b.appends += texts;
        if (b.first === null) b.first = now;
        b.last = now;
      }
    }
    if (b.finished !== null) {
      observer.disconnect();
      resolve();
    }
  });
  observer.observe(transcript, { subtree: true, childList: true, attributes: true, attributeFilter: ["class"] });
  return true;
}
"""

COLLECT_PYTHON = """
async (timeoutMs) => {
  await Promise.race([window.__benchDone, new Promise((_, reject) => setTimeout(
    () => reject(new Error(`the answer kept class "streaming" for ${timeoutMs} ms`)), timeoutMs))]);
  await new Promise((r) => setTimeout(r, 150));  // long-task entries arrive after the task ends
  const b = window.__bench;
  const tasks = window.__longtasks.filter(([start, duration]) =>
    start + duration >= b.send && start <= b.finished);
  const p = globalThis.__benchProducer;  // the loop: from the double's first chunk to its last
  const inLoop = tasks.filter(([start, duration]) => start + duration >= p.first && start <= p.last);
  const answer = document.querySelector(".transcript .answer");
  return { send: b.send, first: b.first, last: b.last, finished: b.finished, appends: b.appends,
           chars: b.chars, maxFrameGap: b.maxFrameGap,
           producerFirst: p.first, producerLast: p.last, producerChunks: p.chunks,
           longest: tasks.reduce((m, [, d]) => Math.max(m, d), 0), longTasks: tasks.length,
           longestInLoop: inLoop.reduce((m, [, d]) => Math.max(m, d), 0),
           answerChars: answer ? answer.textContent.length : -1,
           longtasksUnsupported: window.__longtasksUnsupported ?? null };
}
"""

RUN_JS = """
async ({ reply, question, modelId }) => {
  const webllm = await import("/vendor/web-llm/index.js");
  globalThis.__webllmScenario = { reply, chunkSize: 1, chunkDelayMs: 0 };
  if (!globalThis.__benchJsEngine) {
    const worker = new Worker(new URL("./assets/llm-worker.js", document.baseURI), { type: "module" });
    globalThis.__benchJsEngine = await webllm.CreateWebWorkerMLCEngine(worker, modelId, {});
  }
  const engine = globalThis.__benchJsEngine;
  await engine.resetChat();
  let out = document.getElementById("bench-js-out");
  if (!out) {
    out = document.createElement("div");
    out.id = "bench-js-out";
    out.style.cssText = "white-space: pre-wrap; max-height: 30vh; overflow: auto";
    document.body.append(out);
  }
  out.replaceChildren();
  const messages = [{ role: "system", content: "You are the assistant built into a to-do app." },
                    { role: "user", content: question }];
  const before = window.__longtasks.length;
  const p = (globalThis.__benchProducer = { first: null, last: null, chunks: 0, expected: reply.length });
  performance.mark("bench:js-start");
  const t0 = performance.now();
  let first = null, last = null, appends = 0;
  for await (const chunk of await engine.chat.completions.create(
      { messages, stream: true, stream_options: { include_usage: true } })) {
    const content = chunk.choices[0]?.delta?.content ?? "";
    out.append(document.createTextNode(content));
    if (content) {
      appends++;
      const now = performance.now();
      if (first === null) first = now;
      last = now;
    }
  }
  const end = performance.now();
  performance.mark("bench:js-end");
  const chars = out.textContent.length;
  await new Promise((r) => setTimeout(r, 150));
  const tasks = window.__longtasks.slice(before).filter(([s, d]) => s + d >= t0 && s <= end);
  out.replaceChildren();
  return { send: t0, first, last, finished: end, appends, chars, answerChars: chars, maxFrameGap: null,
           producerFirst: p.first, producerLast: p.last, producerChunks: p.chunks,
           longest: tasks.reduce((m, [, d]) => Math.max(m, d), 0), longTasks: tasks.length };
}
"""
