"""What each engine can do: the one capability table, read by the engine adapters
(js_adapter.browser_engines) and by the unit tests' fake engines alike.

Pure Python. The controller decides by these capabilities, never by an engine's name
(app/assistant/engines/port.py's Capabilities says what each one means).
"""

from app.assistant.engines.names import PROMPT_API, WEBLLM, WLLAMA
from app.assistant.engines.port import Capabilities

CAPABILITIES: dict[str, Capabilities] = {
    # All three constrain an answer to a JSON schema (JSON mode, a llama.cpp grammar, responseConstraint).
    WEBLLM: Capabilities(json_schema=True),
    # wllama stores a GGUF only once it is whole: a cut download starts again. Its llama.cpp server
    # keeps the last prompt's cache, so the chat can be read ahead.
    WLLAMA: Capabilities(json_schema=True, resumes_downloads=False, prefills=True),
    # The browser downloads and keeps its own model; this site lists and deletes nothing of it. A
    # session made ahead with the chat so far has read it when the question comes.
    PROMPT_API: Capabilities(needs_download=False, json_schema=True, lists_device_models=False, prefills=True),
}
