"""The installable, offline-first app: the web app manifest and icons, Chromium's installability,
the service worker's precache, and updates from version A to version B (and a failed one).

The manifest and icon checks read the repository's site (conftest's `site`); the service-worker
tests run on their own served copy of the site (tests/e2e/site_copy.py), which a test can change
and "deploy" again by regenerating precache-manifest.js with build.precache.main.
"""

import json
import struct
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.conftest import PageWatch
from tests.e2e.helpers import add, labels
from tests.e2e.site_copy import (  # noqa: F401 (site_copy and sw_app are fixtures)
    SHELL_PREFIX,
    cache_names,
    cache_urls,
    is_controlled,
    reload_ready,
    site_copy,
    sw_app,
    wait_activated,
    wait_ready_page,
)

MODEL_ID = "Llama-3.2-1B-Instruct-q4f32_1-MLC"

# For each file: does what this page gets for its URL (through the service worker, when it has one)
# hash to the file's revision? Returns the URLs that do not.
SERVED_NOT_MATCHING = """async (files) => {
  const wrong = [];
  for (const file of files) {
    const response = await fetch(file.url);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", await response.arrayBuffer()));
    const hex = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
    if (!response.ok || !hex.startsWith(file.revision)) wrong.push(file.url);
  }
  return wrong;
}"""

# The same check on the entries of one cache: every listed URL present, each body matching its revision.
CACHE_NOT_MATCHING = """async ([name, files]) => {
  const cache = await caches.open(name), wrong = [];
  for (const file of files) {
    const response = await cache.match(new URL(file.url, location.href).href);
    if (!response) { wrong.push(file.url + " (missing)"); continue; }
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", await response.arrayBuffer()));
    const hex = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
    if (!hex.startsWith(file.revision) || response.headers.get("x-revision") !== file.revision) wrong.push(file.url);
  }
  return wrong;
}"""

# A model downloaded by the WebLLM double (an in-page engine): its files go to webllm/* caches.
DOWNLOAD_MODEL = """async (id) => {
  const webllm = await import("/vendor/web-llm/index.js");
  await webllm.CreateMLCEngine(id);
  return webllm.hasModelInCache(id);
}"""
HAS_MODEL = "async (id) => (await import('/vendor/web-llm/index.js')).hasModelInCache(id)"

# Ask for an update check; resolves with the new worker's state once it is "installed" or "redundant".
UPDATE_AND_SETTLE = """async () => {
  const registration = await navigator.serviceWorker.getRegistration();
  const found = new Promise((resolve) =>
    registration.addEventListener("updatefound", () => resolve(registration.installing), { once: true }));
  await registration.update();
  const worker = await found;
  const settled = () => ["installed", "activating", "activated", "redundant"].includes(worker.state);
  if (!settled()) {
    await new Promise((resolve) => worker.addEventListener("statechange", () => settled() && resolve()));
  }
  return worker.state;
}"""


def get(url):
    with urllib.request.urlopen(url) as response:
        return response.status, response.headers.get_content_type(), response.read()


def png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def text_of(page, path):
    return page.evaluate("async (path) => (await fetch(path)).text()", path)


def first_visit(sw_app):
    """Open the app online, wait until its service worker is activated, reload so it controls the page."""
    page = sw_app.open()
    wait_activated(page)
    reload_ready(page)
    assert is_controlled(page)
    return page


# The manifest and icons.


def test_the_manifest_is_json_naming_a_standalone_app_with_its_colours_scope_and_icons(site):
    status, content_type, body = get(site.origin + "/manifest.webmanifest")
    assert status == 200
    assert content_type == "application/manifest+json"
    manifest = json.loads(body)

    assert manifest["name"].startswith("Tasks & Talk")
    assert manifest["short_name"] == "Tasks & Talk" and len(manifest["short_name"]) <= 12
    assert manifest["start_url"] == "./" and manifest["scope"] == "./"
    assert manifest["display"] == "standalone"
    for colour in ("theme_color", "background_color"):
        assert manifest[colour].startswith("#") and len(manifest[colour]) == 7
    icons = manifest["icons"]
    pngs = {(i["sizes"], i.get("purpose", "any")) for i in icons if i["type"] == "image/png"}
    assert ("192x192", "any") in pngs
    assert ("512x512", "any") in pngs
    assert any("maskable" in purpose.split() for _, purpose in pngs)


def test_the_page_links_the_manifest_and_a_theme_colour_matching_it(site):
    _, _, page_html = get(site.origin + "/")
    _, _, body = get(site.origin + "/manifest.webmanifest")
    text = page_html.decode()
    assert '<link rel="manifest" href="./manifest.webmanifest">' in text
    assert f'<meta name="theme-color" content="{json.loads(body)["theme_color"]}">' in text


def test_every_manifest_icon_serves_an_image_of_its_stated_size(site):
    _, _, body = get(site.origin + "/manifest.webmanifest")
    icons = json.loads(body)["icons"]
    assert icons
    for icon in icons:
        status, content_type, data = get(f"{site.origin}/{icon['src']}")
        assert status == 200, icon["src"]
        assert content_type == icon["type"], icon["src"]
        if icon["type"] == "image/png":
            width, height = png_size(data)
            assert f"{width}x{height}" == icon["sizes"], icon["src"]
        else:
            assert icon["sizes"] == "any" and data.lstrip().startswith(b"<svg"), icon["src"]


# Installability.


@pytest.fixture
def installable_context(browser_type, browser_type_launch_args, site_copy, tmp_path):
    """A persistent profile: Chromium reports every Playwright context as incognito, never installable."""
    context = browser_type.launch_persistent_context(
        str(tmp_path / "profile"), **browser_type_launch_args, service_workers="allow")
    watch = PageWatch(site_copy.origin)
    yield context, watch
    try:
        watch.check()
    finally:
        context.close()


def test_chromium_finds_the_app_installable_once_its_service_worker_controls_the_page(installable_context, site_copy):
    context, watch = installable_context
    page = watch.attach(context.new_page())
    page.goto(site_copy.url("/"))
    wait_ready_page(page)
    wait_activated(page)
    reload_ready(page)
    assert is_controlled(page)

    cdp = context.new_cdp_session(page)
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == []
    assert manifest["url"] == site_copy.url("/manifest.webmanifest")
    # Chromium fired beforeinstallprompt, and the app offers its own Install button.
    expect(page.locator(".install")).to_be_visible()


# The precache.


def test_the_first_visit_caches_every_listed_file_with_its_revision_and_no_webllm_cache(sw_app, site_copy):
    page = sw_app.open()
    wait_activated(page)
    manifest = site_copy.manifest()

    shell = SHELL_PREFIX + manifest["version"]
    assert cache_names(page) == [shell]  # one shell cache, and nothing under webllm/
    listed = {page.evaluate("(u) => new URL(u, location.href).href", f["url"]) for f in manifest["files"]}
    assert set(cache_urls(page, shell)) == listed
    assert page.evaluate(CACHE_NOT_MATCHING, [shell, manifest["files"]]) == []
    assert {f["url"] for f in manifest["files"]} >= {"./index.html", "./app/main.py", "./vendor/web-llm/index.js"}


def test_offline_every_listed_file_is_served_from_the_cache_with_its_revision(sw_app, site_copy):
    page = first_visit(sw_app)
    sw_app.context.set_offline(True)
    reload_ready(page)

    assert page.evaluate(SERVED_NOT_MATCHING, site_copy.manifest()["files"]) == []
    # Any navigation in scope gets the page (deep links and reloads with a query work offline).
    page.goto(site_copy.url("/index.html?from=home-screen#/active"))
    wait_ready_page(page)
    expect(page.locator(".filters a.selected")).to_have_text("Active")


# The install yields to a page that is starting (sw.js: "Yielding to a page that is starting").

# The service worker's own account of its install (sw.js answers PRECACHE_STATUS): files stored of
# total, fetches in flight, pages counted as booting, waits that timed out, and its steps in order
# ("asked", "booting", "ready", "paused", "resumed", "fetch", "gone", "timed out").
PRECACHE_STATUS = """async () => {
  const registration = await navigator.serviceWorker.getRegistration();
  const worker = registration && (registration.installing || registration.waiting || registration.active);
  if (!worker) return null;
  const channel = new MessageChannel();
  const answer = new Promise((resolve) => (channel.port1.onmessage = ({ data }) => resolve(data)));
  worker.postMessage({ type: "PRECACHE_STATUS" }, [channel.port2]);
  return answer;
}"""
# True once the install is paused for a booting page with none of its fetches still in flight.
PAUSED_AND_IDLE = f"""async () => {{
  const status = await ({PRECACHE_STATUS})();
  return Boolean(status && status.booting > 0 && status.inFlight === 0 && status.log.includes("paused"));
}}"""
INSTALLING = "navigator.serviceWorker.getRegistration().then((r) => Boolean(r && r.installing))"


def open_held(sw_app):
    """A page of the app whose start is held (its request for pyscript.toml waits): it stays booting,
    before its interpreter loads, so its main thread is free to answer the service worker at once (a
    page in the middle of Pyodide's boot, one task of seconds, answers only after it). Returns
    (page, release)."""
    page = sw_app.watch.attach(sw_app.context.new_page())
    held = []

    def hold(route):
        held.append(route)

    def release():
        for route in held:
            route.continue_()
        page.unroute("**/pyscript.toml")

    page.route("**/pyscript.toml", hold)

    page.goto(sw_app.site.url("/"), wait_until="commit")
    return page, release


def test_the_install_pauses_while_another_page_boots_and_completes_once_it_is_ready(sw_app, site_copy):
    first = sw_app.open()  # ready: it registers the service worker, whose install begins
    first.wait_for_function(INSTALLING, polling=20)
    second, release = open_held(sw_app)  # a page starting while the install runs: it says "BOOTING"

    first.wait_for_function(PAUSED_AND_IDLE, polling=50, timeout=60000)
    paused = first.evaluate(PRECACHE_STATUS)
    assert paused["stored"] < paused["total"], "the install had finished before the page said it was booting"
    assert second.evaluate("document.documentElement.hasAttribute('data-ready')") is False

    release()
    wait_ready_page(second)  # its "READY" lets the install go on
    wait_activated(first)
    done = first.evaluate(PRECACHE_STATUS)
    log = done["log"]
    # The first page answered "READY" when the install asked; the second said "BOOTING", then "READY".
    booting = log.index("booting")
    assert "ready" in log[booting:], log  # the second page's READY reached the install
    ready = log.index("ready", booting)
    assert "fetch" not in log[booting:ready], log  # no file was fetched while the page booted
    assert "resumed" in log[ready:] and "fetch" in log[ready:], log
    assert done["stored"] == done["total"] and done["timedOut"] == 0
    assert set(cache_urls(first, SHELL_PREFIX + site_copy.manifest()["version"])) == {
        first.evaluate("(u) => new URL(u, location.href).href", f["url"]) for f in site_copy.manifest()["files"]}


def test_a_page_that_never_gets_ready_holds_the_install_only_until_its_timeout(sw_app, site_copy):
    # sw.js's BOOT_TIMEOUT_MS (30 s) shortened in this copy, so that the test waits 2 s instead.
    sw = site_copy.path("sw.js").read_text()
    assert "const BOOT_TIMEOUT_MS = 30_000;" in sw
    site_copy.write_text("sw.js", sw.replace("const BOOT_TIMEOUT_MS = 30_000;", "const BOOT_TIMEOUT_MS = 2_000;"))
    stuck, _ = open_held(sw_app)  # booting before the install begins, and never ready
    stuck.wait_for_function("document.querySelector('.connection')?.textContent === 'Online'")

    first = sw_app.open()  # its install asks the pages that are booting: the stuck one answers
    wait_activated(first)
    done = first.evaluate(PRECACHE_STATUS)
    assert done["timedOut"] == 1 and done["stored"] == done["total"], done
    log = done["log"]
    assert "booting" in log and log.index("paused") < log.index("timed out") < log.index("resumed"), log
    assert stuck.evaluate("document.documentElement.hasAttribute('data-ready')") is False


# Updates.


def deploy_version_b(site_copy):
    """Change two files of the copy and regenerate its precache manifest; returns the new manifest."""
    site_copy.append_text("assets/app.css", "\n/* version B */\n")
    site_copy.append_text("app/main.py", "\n# version B\n")
    return site_copy.write_manifest()


def test_an_update_is_offered_keeps_todos_and_models_and_after_reload_only_version_b_is_served(sw_app, site_copy):
    page = first_visit(sw_app)
    version_a = site_copy.manifest()["version"]
    add(page, "survive the update")
    assert page.evaluate(DOWNLOAD_MODEL, MODEL_ID) is True
    model_files = cache_urls(page, "webllm/model")
    expect(page.locator(".update")).to_be_hidden()

    version_b = deploy_version_b(site_copy)
    assert version_b["version"] != version_a
    page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
    expect(page.locator(".update")).to_be_visible(timeout=60000)
    expect(page.locator(".update")).to_contain_text("A new version")
    # Waiting: the page still runs version A, with its list and the model untouched.
    assert "# version B" not in text_of(page, "./app/main.py")
    expect(labels(page)).to_have_text(["survive the update"])
    assert sorted(cache_names(page)) == sorted([SHELL_PREFIX + version_a, SHELL_PREFIX + version_b["version"],
                                                "webllm/config", "webllm/model", "webllm/wasm"])

    with page.expect_navigation():
        page.locator(".update button").click()
    wait_ready_page(page)
    wait_activated(page)

    assert text_of(page, "./app/main.py").endswith("\n# version B\n")
    assert text_of(page, "./assets/app.css").endswith("\n/* version B */\n")
    assert page.evaluate(SERVED_NOT_MATCHING, version_b["files"]) == []
    assert [n for n in cache_names(page) if n.startswith(SHELL_PREFIX)] == [SHELL_PREFIX + version_b["version"]]
    expect(labels(page)).to_have_text(["survive the update"])
    expect(page.locator(".update")).to_be_hidden()
    assert cache_urls(page, "webllm/model") == model_files
    assert page.evaluate(HAS_MODEL, MODEL_ID) is True


def test_a_failed_update_install_offers_nothing_and_version_a_still_starts_offline(sw_app, site_copy):
    page = first_visit(sw_app)
    version_a = site_copy.manifest()
    css_a = text_of(page, "./assets/app.css")
    main_a = text_of(page, "./app/main.py")
    add(page, "still here")

    deploy_version_b(site_copy)
    site_copy.remove("app/main.py")  # a changed, listed file is missing on the server: install must fail
    assert page.evaluate(UPDATE_AND_SETTLE) == "redundant"
    expect(page.locator(".update")).to_be_hidden()
    assert page.evaluate("navigator.serviceWorker.getRegistration().then((r) => [r.installing, r.waiting])") == [None, None]

    sw_app.context.set_offline(True)
    reload_ready(page)
    assert is_controlled(page)
    expect(page.locator(".connection")).to_have_text("Offline")
    expect(labels(page)).to_have_text(["still here"])
    assert text_of(page, "./app/main.py") == main_a
    assert text_of(page, "./assets/app.css") == css_a
    assert page.evaluate(SERVED_NOT_MATCHING, version_a["files"]) == []
    assert SHELL_PREFIX + version_a["version"] in cache_names(page)
