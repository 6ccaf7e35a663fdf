"""How every engine is asked to sample.

Pure Python. The app sets the sampling itself rather than inheriting each model's defaults:
temperature 1.0 (some WebLLM configs) lets a small model drift off topic within a sentence, and
greedy decoding (temperature 0) makes it repeat one line until `max_tokens`. A low temperature with
nucleus sampling and a mild repetition penalty keeps short answers about the list grounded; the
LoopGuard (app/assistant/requests/loop_guard.py) catches the loops that still happen. The figures were chosen by measuring the real small
model (bench/studies/bench_sampling.py, docs/benchmarks-sampling.md).
"""

import re

from app.assistant.engines.port import Sampling

DEFAULT_SAMPLING = Sampling(
    # Measured with the real SmolLM2-135M on the app's earlier structured request (docs/benchmarks-sampling.md):
    temperature=0.2,  # 1.0 drifted off the list (8% on topic), 0 looped (50% cut); 0.2 stayed on it most
    top_p=0.9,  # drops the long tail of unlikely tokens, where off-topic drift starts
    repetition_penalty=1.1,  # took greedy decoding from 50% loops to none; titles stay usable
    frequency_penalty=0.3,  # shortened replies further (p90 63 tokens vs 76) with no loop
    max_tokens=512,  # no measured reply came near it; room to read back a long list
)
