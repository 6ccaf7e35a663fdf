"""The engines' names: how the catalogue, the picker and the adapters tell them apart.

Kept out of the port (port.py), which names no engine: what an engine can do is its Capabilities,
never its name. The names are data (a model's `engine`, models.json's "engine", a setting), so
they live in one place.
"""

WEBLLM = "webllm"  # WebLLM: MLC models on the GPU (WebGPU)
WLLAMA = "wllama"  # wllama: GGUF models, llama.cpp in WebAssembly (CPU, or the GPU where it can)
PROMPT_API = "prompt-api"  # the browser's own model (Chrome's Prompt API)
