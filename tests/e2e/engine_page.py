"""A bare same-origin page for driving one engine module (assets/engines/*.js) directly.

The module tests call a module's exported functions through `page.evaluate`, without the app: a
blank page is routed at /engine-test.html of the test site (test-only, nothing shipped), optionally
cross-origin isolated with the COOP/COEP headers that give wllama its threads.
"""

BLANK = "<!doctype html><html lang=en><meta charset=utf-8><title>engine test</title>"
ISOLATION = {"Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp"}

VIOLATIONS = """window.__violations = [];
addEventListener('securitypolicyviolation', (e) => __violations.push(`${e.violatedDirective} ${e.blockedURI}`));"""

# Calls module.generate(messages, options) and drains it as Python's adapter does: the text
# batches, then the result.
DRAIN = """async ([url, messages, options]) => {
  const engine = await import(url);
  const feed = engine.generate(messages, options);
  const batches = [];
  for await (const text of feed.batches) batches.push(text);
  return { batches, text: batches.join(''), result: feed.result };
}"""


def open_engine_page(context, site, watch, isolated=False, init_scripts=(), csp=None):
    """A new page at /engine-test.html, watched for page errors and foreign requests.

    With `csp`, the page is sent with that Content-Security-Policy and its violations are collected
    in `window.__violations`.
    """
    headers = {"Content-Type": "text/html", **(ISOLATION if isolated else {})}
    if csp:
        headers["Content-Security-Policy"] = csp
        init_scripts = [{"script": VIOLATIONS}, *init_scripts]
    context.route(f"{site.origin}/engine-test.html",
                  lambda route: route.fulfill(status=200, headers=headers, body=BLANK))
    for script in init_scripts:
        context.add_init_script(**script)
    page = watch.attach(context.new_page())
    page.goto(f"{site.origin}/engine-test.html")
    return page
