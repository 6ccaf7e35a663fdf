"""Whether the site's Content-Security-Policy lets the page fetch a model's URL (app/assistant/engines/policy.py)."""

import pytest

from app.assistant.engines.policy import connect_allowed, connect_sources
from app.assistant.text import csp_blocked_message

# index.html's own policy.
SITE = ("default-src 'self'; script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval'; style-src 'self'; "
        "connect-src 'self' https://huggingface.co https://*.huggingface.co https://*.hf.co "
        "https://raw.githubusercontent.com; worker-src 'self' blob:; object-src 'none'")
PAGE = "https://todo.example.net"


@pytest.mark.parametrize("url", [
    "https://todo.example.net/models/mine.gguf",  # the site itself
    "https://huggingface.co/ngxson/x/resolve/main/x.gguf",
    "https://cdn-lfs.huggingface.co/repos/x",  # a subdomain of a wildcard host
    "https://cas-bridge.xethub.hf.co/x",
    "https://raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/main/x.wasm",
])
def test_the_sites_policy_lets_the_model_hosts_through(url):
    assert connect_allowed(SITE, url, PAGE)


@pytest.mark.parametrize("url", [
    "https://models.example.org/mine.gguf",  # another host
    "http://huggingface.co/x",  # another scheme
    "https://evilhuggingface.co/x",  # not a subdomain
    "https://hf.co/x",  # the wildcard does not cover the bare domain
    "http://todo.example.net/x",  # 'self' is the same scheme too
])
def test_the_sites_policy_blocks_any_other_host(url):
    assert not connect_allowed(SITE, url, PAGE)


def test_no_policy_or_no_connect_rule_allows_everything_and_default_src_stands_in():
    assert connect_allowed("", "https://models.example.org/x", PAGE)
    assert connect_allowed("script-src 'self'", "https://models.example.org/x", PAGE)
    assert connect_sources("default-src 'self' https://a.example") == ["'self'", "https://a.example"]
    assert not connect_allowed("default-src 'self'", "https://models.example.org/x", PAGE)
    assert connect_sources("connect-src 'none'; default-src *") == ["'none'"]
    assert not connect_allowed("connect-src 'none'", "https://todo.example.net/x", PAGE)


def test_schemes_ports_paths_and_a_bare_star():
    assert connect_allowed("connect-src https:", "https://any.example/x", PAGE)
    assert not connect_allowed("connect-src https:", "http://any.example/x", PAGE)
    assert connect_allowed("connect-src *", "https://any.example/x", PAGE)
    assert connect_allowed("connect-src models.example.org", "https://models.example.org/x", PAGE)
    assert connect_allowed("connect-src https://m.example:8443", "https://m.example:8443/x", PAGE)
    assert not connect_allowed("connect-src https://m.example:8443", "https://m.example/x", PAGE)
    assert connect_allowed("connect-src https://m.example/models/", "https://m.example/models/a.gguf", PAGE)
    assert not connect_allowed("connect-src https://m.example/models/", "https://m.example/other/a.gguf", PAGE)


def test_the_message_names_the_host_and_what_the_owner_must_add():
    message, advice = csp_blocked_message("https://models.example.org", "My model")
    assert message == ("This site's Content-Security-Policy does not allow connections to models.example.org, "
                       "so My model cannot be downloaded. Nothing was downloaded.")
    assert advice == ("The site's owner must add https://models.example.org to connect-src in the "
                      "Content-Security-Policy (index.html's, and the server's if it sends one).")
