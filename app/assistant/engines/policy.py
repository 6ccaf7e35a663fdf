"""Whether this site's Content-Security-Policy lets the page connect to a model's host.

Pure Python. The page carries a strict policy (index.html); its `connect-src` lists the model hosts.
A site that adds a model of its own on another host (models.json) must add that host there too, or
the browser blocks the download and all the page would see is a failed fetch ("Failed to fetch").
So the browser device (app/assistant/engines/device.py) checks a model's URLs against the page's
policy before a download starts, and the controller says what the site's owner must add
(app/assistant/text.py). The browser also reports what it blocked (the `securitypolicyviolation`
event, which the device records): that covers a stricter policy sent in a header, which the page
cannot read.
"""

from urllib.parse import SplitResult, urlsplit

ANY = "*"


def connect_sources(policy: str) -> list[str] | None:
    """The `connect-src` sources of a policy (else its `default-src`), or None when it sets neither."""
    directives: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives.setdefault(words[0].lower(), words[1:])
    found = directives.get("connect-src", directives.get("default-src"))
    return None if found is None else list(found)


def connect_allowed(policy: str, url: str, page_origin: str) -> bool:
    """Whether `policy` lets a page at `page_origin` fetch `url` (absolute). No policy allows all."""
    sources = connect_sources(policy)
    if sources is None:
        return True
    target = urlsplit(url)
    page = urlsplit(page_origin)
    for source in sources:
        if _matches(source, target, page):
            return True
    return False


def _matches(source: str, target: SplitResult, page: SplitResult) -> bool:
    source = source.strip()
    low = source.lower()
    if low == "'none'":
        return False
    if low == "'self'":
        return (target.scheme, target.netloc) == (page.scheme, page.netloc)
    if low == ANY:
        return target.scheme in ("http", "https", "ws", "wss")
    if low.endswith(":") and "/" not in low:  # a scheme: "https:"
        return target.scheme == low[:-1]
    if low.startswith("'"):
        return False  # nonces, hashes, keywords: not about hosts
    scheme, _, rest = low.rpartition("://") if "://" in low else ("", "", low)
    if scheme and scheme != target.scheme:
        return False
    if not scheme and target.scheme not in ("https", page.scheme):
        return False
    host_port, _, path = rest.partition("/")
    host, _, port = host_port.partition(":")
    target_host = (target.hostname or "").lower()
    if host.startswith("*."):
        if not target_host.endswith(host[1:]):
            return False
    elif host != target_host:
        return False
    actual = target.port or {"https": 443, "http": 80}.get(target.scheme)
    if port and port != "*" and port != str(actual):
        return False
    return not path or target.path.startswith("/" + path)
