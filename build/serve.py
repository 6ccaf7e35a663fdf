"""Serve the site as any static host would, with the MIME types and cache rules the app needs.

`make run` starts it; the tests and benchmarks start it in-process. Standard library only.
`sw.js` is sent with `Cache-Control: no-cache` so browsers look for a new service worker on each
visit; everything else may be cached by the HTTP cache (the service worker keeps it offline).
"""

import argparse
import functools
import http.server
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


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **MIME_TYPES}

    def end_headers(self):
        path = self.path.split("?", 1)[0]
        if path in NO_CACHE:
            self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format, *args):
        if self.server.verbose:
            super().log_message(format, *args)


class SiteServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host, port, root=ROOT, verbose=False):
        self.verbose = verbose
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
