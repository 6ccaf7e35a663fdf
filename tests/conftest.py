"""Shared fixtures: the site served over HTTP on 127.0.0.1, and Debian's Chromium for the e2e tests.

Every page opened through `app_page`/`open_app` fails its test on an uncaught page error, a Python
traceback in the console, any request to another origin, or any Content-Security-Policy violation.
"""

import re
from pathlib import Path

import pytest

from build.browser import CHROMIUM, WEBGPU_ARG
from build.browser import CHROMIUM_ARGS as BASE_ARGS
from build.serve import SiteServer
from tests.e2e.helpers import expected_python_thread

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [*BASE_ARGS, WEBGPU_ARG]
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|PythonError")
CSP_VIOLATION = "CSP violation:"
# Installed in every page before its scripts: a violation of the page's policy (index.html's
# <meta http-equiv="Content-Security-Policy">) is reported to the console, where PageWatch sees it.
REPORT_CSP_VIOLATIONS = f"""
document.addEventListener("securitypolicyviolation", (event) => console.error(
  `{CSP_VIOLATION} ${{event.violatedDirective}} blocked ${{event.blockedURI || "inline code"}}` +
  ` at ${{event.sourceFile || "the page"}}:${{event.lineNumber}} (${{event.sample}})`), true);
"""


def pytest_addoption(parser):
    parser.addoption(
        "--python-thread", choices=("worker", "main"), default="worker",
        help="where the app's Python runs in the e2e tests: in a worker (the site is served with COOP/COEP, "
             "so the page is cross-origin isolated: the default) or on the main thread (served without "
             "headers, as a static host that cannot set them, on a first visit)")


def pytest_collection_modifyitems(config, items):
    if config.getoption("python_thread") == "main":
        skip = pytest.mark.skip(reason="about the dev server's headers, which the main-thread run leaves out")
        for item in items:
            if "needs_headers" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def python_thread(pytestconfig):
    """"worker" or "main": where the app's Python runs on `site` (--python-thread)."""
    return pytestconfig.getoption("python_thread")


@pytest.fixture(scope="session")
def site(python_thread):
    server = SiteServer("127.0.0.1", 0, root=ROOT, sends_headers=python_thread == "worker").start_in_background()
    yield server
    server.shutdown()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def browser_context_args(browser_context_args):
    # The service worker serves the app from its own cache, which would hide the test double that
    # tests route in place of WebLLM; the offline tests open contexts with it allowed.
    return {**browser_context_args, "service_workers": "block"}


class PageWatch:
    """Collects what must fail a test: page errors, tracebacks, CSP violations, foreign requests."""

    def __init__(self, origin):
        self.origin = origin
        self.errors = []
        self.requests = []
        self.allowed_console_errors = []
        self.allowed_foreign = []  # URL prefixes a test expects (e.g. the model hub), still blocked
        self._traceback_lines = 0

    def attach(self, page):
        page.add_init_script(script=REPORT_CSP_VIOLATIONS)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}\n{error.stack or ''}"[:2000]))
        page.on("console", self._console)
        page.on("request", lambda request: self.requests.append(request.url))
        return page

    def _console(self, message):
        text = message.text
        if self._traceback_lines and not self.errors[-1].startswith("page error"):
            # Where Python runs in a worker, a traceback reaches the console a line at a time.
            self._traceback_lines -= 1
            self.errors[-1] += "\n" + text
        if TRACEBACK.search(text) and not any(a in text for a in self.allowed_console_errors):
            self.errors.append(f"Python traceback in console: {text}")
            self._traceback_lines = 0 if "\n" in text else 40
        elif text.startswith(CSP_VIOLATION):
            self.errors.append(text)

    def foreign_requests(self):
        allowed = (self.origin + "/", "data:", "blob:", *self.allowed_foreign)
        return [u for u in self.requests if not u.startswith(allowed)]

    def check(self):
        problems = self.errors + [f"request to another origin: {u}" for u in self.foreign_requests()]
        assert not problems, "\n".join(problems)


@pytest.fixture
def watch(site):
    return PageWatch(site.origin)


@pytest.fixture
def open_app(context, site, watch, python_thread):
    """open_app(path="/") -> a new page of the app, ready (data-ready set), its Python where --python-thread says."""
    pages = []

    def opener(path="/", wait_ready=True):
        page = watch.attach(context.new_page())
        pages.append(page)
        page.goto(site.origin + path)
        if wait_ready:
            page.wait_for_selector("html[data-ready]", state="attached", timeout=60000)
            assert page.locator("html").get_attribute("data-python") == expected_python_thread(page, python_thread)
        return page

    yield opener
    watch.check()


@pytest.fixture
def app_page(open_app):
    return open_app()
