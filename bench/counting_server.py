"""The site served by build/serve.py, counting what reaches it: whether a load went to the network.

bench_offline.py serves each case from its own CountingServer (one port, so one origin, each) and
asks it which requests arrived between two marks (`mark`, `since`): an offline load must send none.
The server is build/serve.py's, unchanged, with a handler that keeps each request line; `request_path`
shortens one for a report. Not a benchmark itself.
"""

import functools
import threading

from bench.page_loads import ROOT
from build.serve import SiteHandler, SiteServer


class CountingHandler(SiteHandler):
    def parse_request(self):
        # Called once per HTTP request received (not for a connection opened and left unused).
        self.server.record(self.raw_requestline)
        return super().parse_request()


class CountingServer(SiteServer):
    """build/serve.py's server, unchanged, that also keeps the request line of every request it receives."""

    def __init__(self, host, port, root=ROOT):
        super().__init__(host, port, root=root)
        self.RequestHandlerClass = functools.partial(CountingHandler, **self.RequestHandlerClass.keywords)
        self._lock = threading.Lock()
        self._requests = []

    def record(self, raw_requestline):
        line = raw_requestline.decode("latin-1").strip()
        with self._lock:
            self._requests.append(line)

    def mark(self):
        with self._lock:
            return len(self._requests)

    def since(self, mark):
        with self._lock:
            return self._requests[mark:]


def request_path(line):
    """'GET /sw.js HTTP/1.1' -> 'GET /sw.js'."""
    return " ".join(line.split(" ")[:2])
