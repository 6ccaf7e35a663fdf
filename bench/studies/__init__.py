"""One-off studies: scripts that answered one design question, kept runnable but not regression benchmarks.

Run from the repository root as `python -m bench.studies.<name>`:

- bench_sampling (in .venv-judge): which sampling settings keep the small model short, on topic and
  out of loops; written up in docs/benchmarks-sampling.md.
- bench_reply_schema (in .venv, needs node and node_modules): the change schema in WebLLM's own
  xgrammar, accepted and refused changes and compile times; the findings are in
  app/assistant/changes/schema.py's docstring.
- bench_reply_stream (in .venv; Pyodide under node when vendor/ is built): the cost per streamed
  chunk of reading the reply out of partial JSON (app/assistant/changes/stream.py).
- worker_mode (in .venv, `python -m bench.studies.worker_mode.bench`): PyScript worker mode against
  the main thread on probe pages (boot, DOM crossings, engine calls, streams); written up in
  docs/benchmarks-main-thread.md.

They use the shared helpers of bench/ (bench.sample_todos, bench.ROOT) and import no regression
benchmark; no regression benchmark imports them.
"""
