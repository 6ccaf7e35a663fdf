"""The physical anchor for bench/bench_wllama.py: native llama.cpp (llama-cpp-python) on the same GGUF.

Run in the bench venv (bench/requirements.txt), as a separate process so its threads do not share
a core with the browser:

    .venv-judge/bin/python -m bench.native_llama --threads 1 --messages messages.json

Prints one JSON line per run: prefill and decode tokens/s from llama.cpp's own performance counters
(the same counters wllama's timings come from), plus the load time.
"""

import argparse
import json
import time
from pathlib import Path

from bench import ROOT

MODEL = ROOT / "tests" / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--n-batch", type=int, default=512)
    parser.add_argument("--n-ctx", type=int, default=2048)
    parser.add_argument("--messages", type=Path, required=True, help="JSON: the chat messages")
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--model", type=Path, default=MODEL)
    args = parser.parse_args()

    import llama_cpp

    messages = json.loads(args.messages.read_text())
    started = time.perf_counter()
    llm = llama_cpp.Llama(model_path=str(args.model), n_ctx=args.n_ctx, n_batch=args.n_batch,
                          n_threads=args.threads, n_threads_batch=args.threads, verbose=False)
    load_s = time.perf_counter() - started
    for run in range(args.runs):
        llm.reset()  # forget the cached prompt: every run prefills the whole prompt
        llama_cpp.llama_perf_context_reset(llm.ctx)
        reply = llm.create_chat_completion(messages=messages, max_tokens=args.max_tokens,
                                           temperature=0.0, seed=run)
        perf = llama_cpp.llama_perf_context(llm.ctx)
        print(json.dumps({
            "threads": args.threads, "n_batch": args.n_batch, "load_s": round(load_s, 3),
            "prompt_n": perf.n_p_eval, "predicted_n": perf.n_eval,
            "prefill_tok_s": round(perf.n_p_eval / perf.t_p_eval_ms * 1000, 1),
            "decode_tok_s": round(perf.n_eval / perf.t_eval_ms * 1000, 1) if perf.n_eval else None,
            "text": reply["choices"][0]["message"]["content"][:80],
        }), flush=True)


if __name__ == "__main__":
    main()
