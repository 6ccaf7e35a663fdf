"""Native llama.cpp (llama-cpp-python) as the judgement benchmark's engine: fast, on any GGUF.

Runs in the judge venv (bench/requirements.txt). It samples as the app's CPU engine does (wllama
runs llama.cpp's server sampling with the app's four numbers, plus llama.cpp's own top-k 40 and
min-p 0.05, which wllama adds when they are not sent) and constrains the output with the request's
JSON schema as a grammar, made as wllama's C++ converter makes it (bench/judgement_grammar.py).
"""

import json
import time
from dataclasses import dataclass

from bench.judgement_grammar import to_gbnf

CHATML = ("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + "
          "'<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")
TOP_K, MIN_P = 40, 0.05  # llama.cpp's server defaults, which wllama sends along

@dataclass(frozen=True)
class Output:
    """One request's result: the whole raw text, how it ended ("stop", "length" or "loop"), figures."""

    raw: str
    finish: str
    prompt_tokens: int
    completion_tokens: int
    seconds: float


class NativeEngine:
    """One GGUF loaded once; `run(request, seed, on_text)` streams one request."""

    label = "native llama.cpp"

    def __init__(self, model_path, *, threads=2, context_tokens=4096, logits_all=False):
        import llama_cpp

        self._llama_cpp = llama_cpp
        self.llm = llama_cpp.Llama(model_path=str(model_path), n_ctx=context_tokens, n_threads=threads,
                                   n_threads_batch=threads, logits_all=logits_all, verbose=False)
        self._grammars = {}
        template = self.llm.metadata.get("tokenizer.chat_template")
        if template is None:  # a base model: llama.cpp (and so wllama) falls back to ChatML
            self.llm.chat_format, template = "chatml", CHATML
        self._template = llama_cpp.llama_chat_format.Jinja2ChatFormatter(template=template, bos_token="",
                                                                         eos_token="")

    def grammar(self, schema):
        """The schema as a llama.cpp grammar, made as wllama makes it (bench/judgement_grammar.py)."""
        key = json.dumps(schema, sort_keys=True)
        if key not in self._grammars:
            from llama_cpp.llama_grammar import LlamaGrammar

            self._grammars[key] = LlamaGrammar.from_string(to_gbnf(schema), verbose=False)
        return self._grammars[key]

    def run(self, request, sampling, seed, on_text):
        """Stream `request`; on_text(chunk) returning True stops it (finish "loop")."""
        extra = {"grammar": self.grammar(request.schema)} if request.schema is not None else {}
        started = time.perf_counter()
        prompt = self.template(request.messages)
        prompt_tokens = len(self.llm.tokenize(prompt.encode("utf-8"), add_bos=True, special=True))
        stream = self.llm.create_chat_completion(
            messages=request.messages, stream=True, seed=seed, max_tokens=request.max_tokens,
            temperature=sampling.temperature, top_p=sampling.top_p, top_k=TOP_K, min_p=MIN_P,
            repeat_penalty=sampling.repetition_penalty, frequency_penalty=sampling.frequency_penalty,
            presence_penalty=0.0, **extra)
        parts, finish, tokens = [], "length", 0
        for chunk in stream:
            choice = chunk["choices"][0]
            delta = choice["delta"].get("content")
            if delta:
                tokens += 1
                parts.append(delta)
                if on_text(delta):
                    finish = "loop"
                    break
            if choice.get("finish_reason"):
                finish = "stop" if choice["finish_reason"] == "stop" else "length"
        stream.close()
        return Output("".join(parts), finish, prompt_tokens, tokens, time.perf_counter() - started)

    def template(self, messages):
        """The prompt text the chat template makes of `messages`, ready for the answer."""
        return self._template(messages=messages).prompt
