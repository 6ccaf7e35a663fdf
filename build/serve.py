"""Serve the site as any static host would, with the MIME types and cache rules the app needs.

`make run` starts it; the tests and benchmarks start it in-process. Standard library only.
`sw.js` is sent with `Cache-Control: no-cache` so browsers look for a new service worker on each
visit; everything else may be cached by the HTTP cache (the service worker keeps it offline).

Every response makes the page cross-origin isolated (`crossOriginIsolated`), which gives wllama
its threads and lets Pyodide use SharedArrayBuffer without Chromium's deprecation warning. A static
host that cannot send these headers gets them from sw.js from the second visit on.
"""

import argparse
import functools
import html
import http.server
import re
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MIME_TYPES = {
    ".wasm": "application/wasm",
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".webmanifest": "application/manifest+json",
    ".toml": "application/toml",
    ".py": "text/x-python",
    ".json": "application/json",
    ".zip": "application/zip",
    ".svg": "image/svg+xml",
}
NO_CACHE = {"/sw.js", "/index.html", "/"}

# COEP `require-corp` rather than `credentialless`: every model file is fetched with fetch() in
# CORS mode (WebLLM's weights and configs from huggingface.co, its redirects to the download CDN
# (cdn-lfs*.hf.co, cas-bridge.xethub.hf.co) and its model libraries from raw.githubusercontent.com;
# wllama's GGUF files), and CORS responses pass `require-corp` without a
# Cross-Origin-Resource-Policy header; all of those hosts send Access-Control-Allow-Origin on the
# redirect and on the file. The app loads no cross-origin no-cors resource (images, scripts), the
# only case where the two differ. `credentialless` is not implemented in Safari, so it would leave
# Safari without isolation; `require-corp` isolates in every current browser. sw.js sends the same.
ISOLATION_HEADERS = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
}


# The page's Content-Security-Policy is its <meta http-equiv> (so any static host gets it); the dev
# server also sends it as a header, with what only a header can say (frame-ancestors).
CSP_META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)"')
HEADER_ONLY_CSP = "frame-ancestors 'none'"


def page_policy(root):
    """The policy in `root`'s index.html, plus the header-only directives; None without a meta."""
    try:
        found = CSP_META.search((Path(root) / "index.html").read_text())
    except OSError:
        return None
    return f"{html.unescape(found.group(1))}; {HEADER_ONLY_CSP}" if found else None


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **MIME_TYPES}

    def end_headers(self):
        path = self.path.split("?", 1)[0]
        if path in NO_CACHE:
            self.send_header("Cache-Control", "no-cache")
        if path in ("/", "/index.html") and self.server.sends_headers:
            policy = page_policy(self.directory)
            if policy:
                self.send_header("Content-Security-Policy", policy)
        if self.server.sends_headers:
            for name, value in ISOLATION_HEADERS.items():
                self.send_header(name, value)
        super().end_headers()

    def log_message(self, format, *args):
        if self.server.verbose:
            super().log_message(format, *args)


class SiteServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host, port, root=ROOT, verbose=False, sends_headers=True):
        """`sends_headers=False`: no COOP, COEP or CSP headers, as a static host that cannot set headers."""
        self.verbose = verbose
        self.sends_headers = sends_headers
        super().__init__((host, port), functools.partial(SiteHandler, directory=str(root)))

    @property
    def origin(self):
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def start_in_background(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    server = SiteServer(args.host, args.port, verbose=True)
    print(f"Serving Tasks & Talk on {server.origin}/ (Ctrl+C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
