"""PyScript worker mode against the main thread, on probe pages (not the app): the spike of the
"Python off the main thread" issue. Run `python -m bench.studies.worker_mode.bench`; the findings are
in docs/benchmarks-main-thread.md.

Pages (served from the repository root by build/serve.py, with the repo's vendor/), written by
bench.py from page.html.in at each run (git ignores them): all with the app's
Content-Security-Policy, copied from index.html, and the same body (a count, a list, the app's row
<template>); configs probe.toml and probe-ffi0.toml:

  main.html                  <script type="py"> on the main thread
  worker.html                <script type="py" worker>
  worker-ffi0.html           the same with `experimental_ffi_timeout = 0`
  *-batched.html             the same three, but the 200 rows are rendered by ONE call to a
                             main-thread JS renderer (engine.js's renderRows) with JSON

probe.py (the Python, the same on every page): renders 200 rows from the <template>, toggles one
row's class 100 times and a whole row (checkbox, class, count) 100 times between performance marks,
then calls a stand-in engine (engine.js: a Promise, a callback stream, an async iterator) and, in a
worker, `pyscript.sync` functions that probe.js puts on the worker's `xworker.sync`. pkg/ is fetched
by [files] (they work in the worker too).
"""
