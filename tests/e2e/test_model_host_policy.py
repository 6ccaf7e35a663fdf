"""A model on a host this site's Content-Security-Policy does not allow: the page says so and what the
site's owner must add, instead of a bare "Failed to fetch".

A site lists its own model in models.json (routed in here) on https://models.example.org, which the
page's policy (index.html's <meta>, which build/serve.py also sends as a header) does not name in
connect-src. The real wllama would fetch it; nothing may reach that host either way.
"""

import json
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.assistant_helpers import (  # noqa: F401 (assistant_page is a fixture)
    alert,
    assistant_page,
    load_button,
    open_assistant,
    page_errors,
    wait_load_outcome,
)

FAR_HOST = "https://models.example.org"
FAR_MODEL = "Far-GGUF"
MODELS_JSON = json.dumps({"models": [
    {"engine": "wllama", "model_id": FAR_MODEL, "label": "Far", "url": FAR_HOST + "/far.gguf", "size": 98}]})
META_POLICY = re.compile(r'(<meta http-equiv="Content-Security-Policy" content="[^"]*connect-src \'self\')')
MESSAGE = ("This site's Content-Security-Policy does not allow connections to models.example.org, so Far "
           "(this site) cannot be downloaded. Nothing was downloaded.")
ADVICE = ("The site's owner must add https://models.example.org to connect-src in the Content-Security-Policy "
          "(index.html's, and the server's if it sends one).")


def serve_models_json(context):
    context.route("**/models.json", lambda route: route.fulfill(body=MODELS_JSON, content_type="application/json"))


def shows_the_policy_message(page):
    expect(alert(page).locator(".message")).to_have_text(MESSAGE)
    expect(alert(page).locator(".advice")).to_have_text(ADVICE)
    expect(alert(page).get_by_role("button", name="Try again")).to_be_hidden()


def test_a_model_on_a_host_the_page_policy_does_not_allow_is_refused_before_any_request(assistant_page, context,
                                                                                       watch):
    serve_models_json(context)
    page = assistant_page(model=FAR_MODEL)
    open_assistant(page)
    expect(load_button(page)).to_have_text("Download and start")  # the site's model is the one chosen
    load_button(page).click()
    shows_the_policy_message(page)
    assert page_errors(page) == []
    assert [u for u in watch.requests if u.startswith(FAR_HOST)] == []  # checked, not tried (no violation)


@pytest.mark.needs_headers
def test_a_host_only_a_server_header_blocks_is_named_from_the_browsers_report(assistant_page, context, watch):
    # The page's own <meta> allows the host; the server's header (which the page cannot read) does not.
    def serve_page(route):
        response = route.fetch()
        assert "connect-src 'self'" in response.headers["content-security-policy"]
        body, count = META_POLICY.subn(rf"\1 {FAR_HOST}", response.text())
        assert count == 1
        route.fulfill(response=response, body=body)

    serve_models_json(context)
    context.route(re.compile(r"^http://127\.0\.0\.1:\d+/(\?.*)?$"), serve_page)
    page = assistant_page(model=FAR_MODEL)
    assert FAR_HOST in page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
    open_assistant(page)
    load_button(page).click()  # the real wllama fetches; the browser blocks it and reports the violation
    wait_load_outcome(page)
    shows_the_policy_message(page)
    # The violation conftest's watch saw, and takes as expected here (any other still fails the test).
    expected = [e for e in watch.errors if e.startswith("CSP violation: connect-src blocked " + FAR_HOST)]
    assert expected != [], watch.errors
    watch.errors = [e for e in watch.errors if e not in expected]
    assert [u for u in watch.requests if u.startswith(FAR_HOST)] in ([], [FAR_HOST + "/far.gguf"])
    watch.allowed_foreign.append(FAR_HOST + "/")  # a request Chromium may list, though it never left
