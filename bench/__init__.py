"""The benchmarks: scripts that measure the app, run from the repository root as `python -m bench.<name>`.

Regression benchmarks (figures in the README's Benchmarks table and docs/benchmarks*.md):
bench_startup (`make bench`), bench_offline, bench_streaming, bench_wllama (the CPU engine, with
native_llama as its native anchor), bench_first_word, bench_main_thread, judgement (`make judge`)
and lighthouse. Their
parts carry the benchmark's name (offline_*, streaming_*, judgement_*, counting_server).

Shared helpers, by role: page_loads (loading and timing the pages), main_thread (the page's
main-thread tasks, from a Chromium trace), report (the printed figures),
real_model (the app on the real model), sample_todos (the list the model benchmarks ask about).
None imports test code or another script.

studies/: one-off studies whose results are written up in docs/, kept runnable as
`python -m bench.studies.<name>`.

The Playwright benchmarks run in .venv; judgement, native_llama and the sampling study in
.venv-judge (llama-cpp-python, bench/requirements.txt), which has no Playwright.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
