import json
import time

import pyscript
from pyscript import document, window

from pkg.helper import label

IN_WORKER = bool(getattr(pyscript, "RUNNING_IN_WORKER", False))
res = {"in_worker": IN_WORKER}
document.documentElement.dataset.pyStart = "1"
BATCHED = document.documentElement.getAttribute("data-render") == "batched"
res["batched"] = BATCHED


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2] if xs else None


# 1. Render 200 rows (template clone, label text, append), as the app's view does.
t0 = time.perf_counter()
ul = document.querySelector(".todo-list")
tpl = document.getElementById("todo-row")
rows = []
per_row = []
if BATCHED:
    window.renderRows(json.dumps([label(i) for i in range(200)]), ".todo-list")
for i in range(0 if BATCHED else 200):
    a = time.perf_counter()
    li = tpl.content.firstElementChild.cloneNode(True)
    li.querySelector("label").textContent = label(i)
    ul.append(li)
    rows.append(li)
    per_row.append((time.perf_counter() - a) * 1000)
res["render_ms"] = (time.perf_counter() - t0) * 1000
res["render_row_ms_first20_median"] = median(per_row[:20])
res["render_row_ms_last20_median"] = median(per_row[-20:])
# the same 200 rows by one call to a main-thread JS renderer (a second list), labels as JSON
a = time.perf_counter()
window.renderRows(json.dumps([label(i) for i in range(200)]))
res["render_batched_ms"] = (time.perf_counter() - a) * 1000
document.documentElement.dataset.pyDone = "1"

# 2. Toggle one row 100 times: the class only (1 DOM call), and a row toggle as the app does it
#    (class, checkbox, the count: 3 DOM calls, plus 1 to read the checkbox).
row = ul.children.item(100) if BATCHED else rows[100]
cb = row.querySelector(".toggle")
count = document.querySelector(".count")
window.performance.mark("t1-start")
per = []
for _ in range(100):
    a = time.perf_counter()
    row.classList.toggle("completed")
    per.append((time.perf_counter() - a) * 1000)
window.performance.mark("t1-end")
res["toggle_class_ms_median"] = median(per)
res["toggle_class_ms_max"] = max(per)
window.performance.mark("t3-start")
per = []
for k in range(100):
    a = time.perf_counter()
    done = not cb.checked
    cb.checked = done
    row.classList.toggle("completed", done)
    count.textContent = f"{k} items left"
    per.append((time.perf_counter() - a) * 1000)
window.performance.mark("t3-end")
res["toggle_row_ms_median"] = median(per)
res["toggle_row_ms_max"] = max(per)


async def engine_tests():
    stub = window.engineStub
    # a. await a main-thread Promise through the window proxy
    try:
        per = []
        for _ in range(20):
            a = time.perf_counter()
            r = await stub.ask("hi")
            per.append((time.perf_counter() - a) * 1000)
        res["await_window_promise"] = {"ok": r == "answer to hi", "value": str(r), "ms_median": median(per)}
    except Exception as e:
        res["await_window_promise"] = {"ok": False, "error": repr(e)[:300]}
    try:
        per = []
        for _ in range(20):
            a = time.perf_counter()
            r = await stub.askLater("hi")
            per.append((time.perf_counter() - a) * 1000)
        res["await_window_promise_macrotask"] = {"ok": r == "answer to hi", "ms_median": median(per)}
    except Exception as e:
        res["await_window_promise_macrotask"] = {"ok": False, "error": repr(e)[:300]}
    # b. xworker.sync (worker only): main-side function returning a Promise / a value
    if IN_WORKER:
        from pyscript import sync
        for name, fn in (("sync_promise", "ask"), ("sync_value", "askNow")):
            try:
                per = []
                for _ in range(20):
                    a = time.perf_counter()
                    r = getattr(sync, fn)("hi")
                    if hasattr(r, "then"):
                        r = await r
                    per.append((time.perf_counter() - a) * 1000)
                res[name] = {"ok": True, "value": str(r), "ms_median": median(per)}
            except Exception as e:
                res[name] = {"ok": False, "error": repr(e)[:300]}
    # c. streaming through a Python callback called by main-thread JS
    try:
        from pyodide.ffi import create_proxy
        n = 400
        got = []

        def on_chunk(text, sent_at):
            got.append((time.perf_counter() * 1000, text))

        proxy = create_proxy(on_chunk) if not IN_WORKER else on_chunk
        a = time.perf_counter()
        r = await stub.stream(n, proxy)
        total = (time.perf_counter() - a) * 1000
        gaps = [got[i + 1][0] - got[i][0] for i in range(len(got) - 1)]
        res["stream_callback"] = {
            "ok": len(got) == n, "chunks": len(got), "total_ms": total, "ms_per_chunk": total / n,
            "gap_first50_median": median(gaps[:50]), "gap_last50_median": median(gaps[-50:]),
        }
    except Exception as e:
        res["stream_callback"] = {"ok": False, "error": repr(e)[:300]}
    # d. async-iterating a JS async iterable (WebLLM's stream shape)
    try:
        n = 400
        it = stub.iterate(n)
        a = time.perf_counter()
        times = []
        c = 0
        async for chunk in it:
            times.append(time.perf_counter() * 1000)
            c += 1
        total = (time.perf_counter() - a) * 1000
        gaps = [times[i + 1] - times[i] for i in range(len(times) - 1)]
        res["stream_async_for"] = {"ok": c == n, "chunks": c, "ms_per_chunk": total / max(c, 1),
                                   "gap_first50_median": median(gaps[:50]), "gap_last50_median": median(gaps[-50:])}
    except Exception as e:
        res["stream_async_for"] = {"ok": False, "error": repr(e)[:300]}
    # e. the same stream with the iterator's next() called by hand (await it.next())
    try:
        n = 400
        it = stub.iterate(n)
        a = time.perf_counter()
        c = 0
        while True:
            step = await it.next()
            if step.done:
                break
            c += 1
        total = (time.perf_counter() - a) * 1000
        res["stream_next"] = {"ok": c == n, "chunks": c, "ms_per_chunk": total / max(c, 1)}
    except Exception as e:
        res["stream_next"] = {"ok": False, "error": repr(e)[:300]}
    document.documentElement.dataset.pyResults = json.dumps(res)
    document.documentElement.dataset.pyFinished = "1"


await engine_tests()
