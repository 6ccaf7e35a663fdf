"""The app's page for bench_streaming.py: opened with the WebLLM test double, one answer per call.

`StreamingPage` opens the app and starts the assistant on the double, then runs one answer of N
characters down either path: the app's Python path, driven through the UI, or a plain-JS loop on
the same page; it checks that each answer arrived whole and fails the run (BenchError) on a page
error or a Python traceback. `reply_text` makes the answer the double streams. The scripts it runs in
the page are bench/streaming_scripts.py; CHROMIUM_ARGS and DOUBLE are what bench_streaming.py opens
the page with. Not a benchmark itself.
"""

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from bench.page_loads import ROOT, watch_errors
from bench.streaming_scripts import ARM_PYTHON, COLLECT_PYTHON, PATCH_DOUBLE, RUN_JS
from build.browser import CHROMIUM_ARGS as _BASE_ARGS
from build.browser import WEBGPU_ARG

CHROMIUM_ARGS = [*_BASE_ARGS, WEBGPU_ARG]
DOUBLE = ROOT / "tests" / "doubles" / "web-llm.js"
QUESTION = "What should I do first today?"
TIMEOUT_MS = 120_000

SENTENCES = (
    "Start with **Pay the electricity bill**: it is due tomorrow and the late fee is steep. ",
    "Then *call the plumber* about the kitchen tap, before the weekend. ",
    "- Buy milk, eggs and bread on the way home.\n",
    "- Book the dentist for next week.\n",
    "Everything else on your list can wait until Friday; none of it has a date. ",
)


def reply_text(n):
    """A reply of exactly n characters: plain prose with a little markdown, like a model's answer."""
    text, i = "", 0
    while len(text) < n:
        text += SENTENCES[i % len(SENTENCES)]
        i += 1
    return text[:n]


class BenchError(Exception):
    pass


class StreamingPage:
    """The app's page with the double: opens it and the assistant, then runs one answer per call down
    either path and checks that it arrived whole. Page errors and Python tracebacks fail the run."""

    def __init__(self, page, origin):
        self.page = page
        self.origin = origin
        self.errors = []
        self.model_id = None
        watch_errors(page, self.errors)

    def check(self):
        if self.errors:
            raise BenchError("; ".join(self.errors))

    def open_app(self):
        page = self.page
        page.goto(self.origin + "/index.html")
        page.wait_for_selector("html[data-ready]", state="attached", timeout=TIMEOUT_MS)
        # Before the app creates its engine, so the producer-side timestamps cover it too.
        if not page.evaluate(PATCH_DOUBLE):
            raise BenchError("the page did not load the WebLLM test double")
        page.get_by_role("button", name="Ask the assistant about your list").click()
        panel = page.locator("#assistant-panel")
        expect(panel).to_have_attribute("data-state", "idle", timeout=TIMEOUT_MS)
        page.get_by_role("button", name="Download and start").click()
        expect(panel).to_have_attribute("data-state", "ready", timeout=TIMEOUT_MS)
        self.model_id = page.locator("#model").input_value()
        self.check()

    def run_python(self, n):
        page = self.page
        panel = page.locator("#assistant-panel")
        page.get_by_role("button", name="New chat").click()
        expect(page.locator(".transcript .turn")).to_have_count(0)
        expect(panel).to_have_attribute("data-state", "ready")
        page.evaluate(ARM_PYTHON, {"reply": reply_text(n)})
        message = page.get_by_role("textbox", name="Message")
        message.fill(QUESTION)
        message.press("Enter")
        try:
            result = page.evaluate(COLLECT_PYTHON, TIMEOUT_MS)
        except PlaywrightError as error:
            raise BenchError(f"python run N={n} did not finish: {error.message.splitlines()[0]}") from error
        expect(panel).to_have_attribute("data-state", "ready", timeout=TIMEOUT_MS)
        self.check()
        if result["send"] is None or result["chars"] != n or result["producerChunks"] != n:
            raise BenchError(f"python run N={n}: {result['chars']} characters in {result['appends']} text nodes, "
                             f"{result['producerChunks']} chunks from the double, expected {n} "
                             f"(send recorded: {result['send'] is not None})")
        return result

    def run_js(self, n):
        result = self.page.evaluate(RUN_JS, {"reply": reply_text(n), "question": QUESTION,
                                             "modelId": self.model_id})
        self.check()
        if result["appends"] != n or result["answerChars"] != n or result["producerChunks"] != n:
            raise BenchError(f"js run N={n}: {result['appends']} chunks, {result['answerChars']} chars, "
                             f"{result['producerChunks']} from the double, expected {n}")
        return result
