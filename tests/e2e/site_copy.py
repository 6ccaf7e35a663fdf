"""A private, served copy of the site for the service-worker tests (test_offline, test_pwa).

Why a copy: the service worker serves the app from its own cache, so Playwright routing cannot put
the WebLLM test double in place of the real module (routes do not reliably reach service-worker
fetches). The copy holds the double as a real file at vendor/web-llm/index.js, has its own
precache-manifest.js (written by build.precache.main, as a deploy would), and can be changed by a
test to deploy "version B". It is served by build.serve.SiteServer on its own port, so each test
gets its own origin: service workers, caches and storage never leak between tests.

Top-level files, app/ and assets/ are copied (tests edit them); vendor/ files are symlinks (13 MB of
Pyodide), except web-llm/index.js, which is the double. `write_text`/`remove` replace a file or a
link without touching the repository.

Service workers are blocked in conftest's default context, so tests open contexts through
`sw_app` (service_workers="allow"), with conftest's PageWatch attached to every page and to the
context (which also sees the service worker's own requests): page errors, Python tracebacks and
requests to other origins still fail the test.
"""

import json
import shutil
from pathlib import Path

import pytest

from build import precache
from build.browser import WAIT_ACTIVATED
from build.serve import SiteServer
from tests.conftest import ROOT, PageWatch
from tests.e2e.assistant_helpers import DEFAULT_MODEL, remember_model_script

DOUBLE = ROOT / "tests" / "doubles" / "web-llm.js"
TOP_LEVEL = ["index.html", "pyscript.toml", "manifest.webmanifest", "models.json", "sw.js"]
COPIED = ["app", "assets"]
SHELL_PREFIX = "tasks-and-talk-shell-"  # sw.js: PREFIX
READY_TIMEOUT_MS = 60000
# The service worker's install stores the whole site (~50 MB, every file hashed): seconds here.
ACTIVATION_TIMEOUT_MS = 240000  # under pytest.ini's 300 s per test


def _ignored(directory, names):
    return [n for n in names if n == "__pycache__" or n.endswith(".pyc")]


class SiteCopy:
    def __init__(self, root):
        self.root = Path(root)
        self.server = None

    @classmethod
    def create(cls, root):
        root = Path(root)
        root.mkdir(parents=True)
        for name in TOP_LEVEL:
            shutil.copy2(ROOT / name, root / name)
        for folder in COPIED:
            shutil.copytree(ROOT / folder, root / folder, ignore=_ignored)
        for source in sorted((ROOT / "vendor").rglob("*")):
            if source.is_file() and source.name != ".built":
                target = root / source.relative_to(ROOT)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.symlink_to(source)
        double = root / "vendor" / "web-llm" / "index.js"
        double.unlink()
        shutil.copy2(DOUBLE, double)
        return cls(root)

    # Files of the copy.

    def path(self, relative):
        return self.root / relative

    def read_bytes(self, relative):
        return self.path(relative).read_bytes()

    def write_text(self, relative, text):
        target = self.path(relative)
        if target.is_symlink():
            target.unlink()  # never write through a link into the repository's vendor/
        target.write_text(text)

    def append_text(self, relative, text):
        self.write_text(relative, self.path(relative).read_text() + text)

    def remove(self, relative):
        self.path(relative).unlink()

    # The precache manifest.

    def write_manifest(self):
        """Write precache-manifest.js for the copy as it is now (a deploy); returns its data."""
        precache.main(self.root)
        return self.manifest()

    def manifest(self):
        """The data in the copy's precache-manifest.js (what the service worker will install)."""
        text = self.path("precache-manifest.js").read_text()
        return json.loads(text[text.index("{"): text.rindex("}") + 1])

    # Serving.

    def serve(self, sends_headers=True):
        """Serve the copy; `sends_headers=False`: without COOP, COEP and CSP headers, as many static hosts."""
        self.server = SiteServer("127.0.0.1", 0, root=self.root, sends_headers=sends_headers).start_in_background()
        return self

    def stop(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    @property
    def origin(self):
        return self.server.origin

    def url(self, path="/"):
        return self.origin + path


class ServiceWorkerApp:
    """A browser context with service workers allowed, opening pages of a site copy."""

    def __init__(self, browser, site):
        self.site = site
        self.context = browser.new_context(service_workers="allow")
        self.watch = PageWatch(site.origin)
        # The context also reports the service worker's own fetches (install), not only pages'.
        self.context.on("request", lambda request: self.watch.requests.append(request.url))
        # The double stands in for WebLLM: a WebLLM model is the remembered choice (on SwiftShader
        # the automatic one would run on the CPU engine).
        self.context.add_init_script(script=remember_model_script(DEFAULT_MODEL))
        self.pages = []

    def open(self, path="/", wait_ready=True):
        page = self.watch.attach(self.context.new_page())
        self.pages.append(page)
        page.goto(self.site.url(path))
        if wait_ready:
            wait_ready_page(page)
        return page

    def scenario(self, **fields):
        """Script the WebLLM double in every page of this context (read by the double at call time)."""
        self.context.add_init_script(script=f"globalThis.__webllmScenario = {json.dumps(fields)};")

    def close(self):
        self.context.close()


def wait_ready_page(page):
    page.wait_for_selector("html[data-ready]", state="attached", timeout=READY_TIMEOUT_MS)


def wait_activated(page):
    """Wait until this page's registration has an active worker in state "activated"."""
    assert page.evaluate(WAIT_ACTIVATED, ACTIVATION_TIMEOUT_MS) == "activated"


def is_controlled(page):
    return page.evaluate("Boolean(navigator.serviceWorker.controller)")


def reload_ready(page):
    page.reload()
    wait_ready_page(page)


# Where assets/python-snapshot.mjs keeps the booted interpreter's memory: not the service worker's, not
# a model's; made in the background after the first start, so present or not depending on timing.
PYTHON_SNAPSHOT_CACHE = "tasks-and-talk-python-snapshot"


def cache_names(page):
    """Cache Storage's names: the service worker's shells and the models' (not the Python snapshot's)."""
    return [name for name in page.evaluate("caches.keys()") if name != PYTHON_SNAPSHOT_CACHE]


def shell_caches(page):
    return [name for name in cache_names(page) if name.startswith(SHELL_PREFIX)]


def cache_urls(page, name):
    """Every URL in Cache Storage cache `name` ([] when there is no such cache; none is created)."""
    return page.evaluate(
        """async (name) => (await caches.has(name))
            ? (await (await caches.open(name)).keys()).map((request) => request.url) : []""",
        name,
    )


@pytest.fixture
def site_copy(tmp_path):
    """A served copy of the site with the WebLLM double and its own precache manifest."""
    copy = SiteCopy.create(tmp_path / "site")
    copy.write_manifest()
    copy.serve()
    yield copy
    copy.stop()


@pytest.fixture
def sw_app(browser, site_copy):
    """ServiceWorkerApp on the site copy; the test fails on page errors, tracebacks or foreign requests."""
    app = ServiceWorkerApp(browser, site_copy)
    yield app
    try:
        app.watch.check()
    finally:
        app.close()
