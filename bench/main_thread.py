"""The page's main-thread tasks, from a Chromium trace: what the page cannot report about itself.

A page's PerformanceObserver('longtask') does not report Pyodide's boot, one task of seconds on the
main thread (the spike of the "Python off the main thread" issue: it saw 56–111 ms entries only),
so the benchmarks read the main thread's tasks from a trace instead. Not a benchmark itself.

`MainThreadTrace(context, page)` starts a trace through the page's CDP session (Tracing.start with
TRACE_CATEGORIES) before the page navigates; `finish(page)` ends it and returns the page's main
thread's top-level tasks as (start, duration) in ms on the page's own clock (`performance.now()`:
ms from navigation start), so they line up with the times the page records. The rest is pure:
which thread is the page's (`page_main_thread`), its tasks (`top_level_tasks`) and the figures
over a span (`blocking_figures`, `work_in`); tests/unit/test_main_thread.py checks them.
"""

from urllib.parse import urldefrag

# devtools.timeline + its disabled-by-default half: every task (RunTask) of every thread, and the
# browser's frame commits (which process renders which frame); blink.user_timing: navigationStart,
# the page clock's zero in the trace's clock.
TRACE_CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "blink.user_timing"]
TASK_NAMES = {"RunTask", "ThreadControllerImpl::RunTask"}
RENDERER_MAIN = "CrRendererMain"
# A performance.mark() made just before the trace ends: its trace time and its startTime in the page
# tie the two clocks together.
CLOCK_MARK = "bench:trace-clock"
MARK_CLOCK = "(name) => performance.mark(name).startTime"
BLOCKING_MS = 50  # Total Blocking Time counts what each task lasts over 50 ms
LONG_MS = 200


class TraceError(Exception):
    pass


def thread_names(events):
    """{(pid, tid): the thread's name} from the trace's metadata events."""
    return {(e["pid"], e["tid"]): e.get("args", {}).get("name")
            for e in events if e.get("ph") == "M" and e.get("name") == "thread_name"}


def _same_page(a, b):
    return urldefrag(a or "")[0] == urldefrag(b or "")[0]


def page_main_thread(events, url):
    """(pid, tid) of the page's main thread: CrRendererMain of the renderer process that the browser
    committed the page's outermost main frame to (the last commit of `url`; a new tab's about:blank
    lives in another process). Falls back on the frames the trace started with."""
    process = None
    for e in events:
        data = (e.get("args") or {}).get("data") or {}
        if e.get("name") == "FrameCommittedInBrowser" and data.get("isOutermostMainFrame", True) \
                and _same_page(data.get("url"), url):
            process = data.get("processId")
    if process is None:
        for e in events:
            if e.get("name") == "TracingStartedInBrowser":
                for frame in ((e.get("args") or {}).get("data") or {}).get("frames", []):
                    if frame.get("isOutermostMainFrame", True) and _same_page(frame.get("url"), url):
                        process = frame.get("processId")
    if process is None:
        raise TraceError(f"trace: no frame committed for {url}")
    threads = [key for key, name in thread_names(events).items() if key[0] == process and name == RENDERER_MAIN]
    if len(threads) != 1:
        raise TraceError(f"trace: {len(threads)} {RENDERER_MAIN} threads in renderer process {process}")
    return threads[0]


def navigation_start(events, thread, url, clock_mark=None):
    """Trace time (µs) where the page's performance.now() is 0: from `clock_mark` (name, startTime ms),
    a performance.mark() the page made on that thread, or else the page's navigationStart."""
    if clock_mark is not None:
        name, start_ms = clock_mark
        for e in events:
            if e.get("name") == name and (e["pid"], e["tid"]) == thread:
                return e["ts"] - start_ms * 1000
    for e in events:
        if e.get("name") == "navigationStart" and (e["pid"], e["tid"]) == thread \
                and _same_page(((e.get("args") or {}).get("data") or {}).get("documentLoaderURL"), url):
            return e["ts"]
    raise TraceError(f"trace: neither the clock mark nor navigationStart for {url} on its main thread "
                     f"({len(events)} events)")


def top_level_tasks(events, thread):
    """The thread's outermost tasks as [start µs, end µs], in order; a task nested in (or overlapping)
    the one before is part of it."""
    spans = sorted((e["ts"], e["ts"] + e.get("dur", 0)) for e in events
                   if e.get("ph") == "X" and e.get("name") in TASK_NAMES and (e["pid"], e["tid"]) == thread)
    out = []
    for start, end in spans:
        if out and start < out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return out


def main_thread_tasks(events, url, clock_mark=None):
    """The page's main-thread tasks as [(start, duration)] in ms on the page's clock (from navigation)."""
    thread = page_main_thread(events, url)
    zero = navigation_start(events, thread, url, clock_mark)
    return [((start - zero) / 1000, (end - start) / 1000) for start, end in top_level_tasks(events, thread)]


def blocking_figures(tasks, begin, end):
    """Over the tasks that start in [begin, end) (ms): the longest, how many last over 200 ms, the total
    blocking time (Σ of each task's time over 50 ms), the time busy and the number of tasks."""
    lengths = [length for start, length in tasks if begin <= start < end]
    return {
        "longest": max(lengths, default=0.0),
        "over200": sum(length > LONG_MS for length in lengths),
        "blocking": sum(max(0.0, length - BLOCKING_MS) for length in lengths),
        "busy": sum(lengths),
        "tasks": len(lengths),
    }


def work_in(tasks, begin, end):
    """Main-thread work (ms) in [begin, end]: the whole length of every task that starts in it."""
    return sum(length for start, length in tasks if begin <= start <= end)


class MainThreadTrace:
    """A Chromium trace of one page, started before it navigates (see the module docstring)."""

    def __init__(self, context, page):
        self.cdp = context.new_cdp_session(page)
        self.events, self.done = [], []
        self.cdp.on("Tracing.dataCollected", lambda data: self.events.extend(data["value"]))
        self.cdp.on("Tracing.tracingComplete", lambda data: self.done.append(True))
        self.cdp.send("Tracing.start", {"traceConfig": {"includedCategories": TRACE_CATEGORIES},
                                        "transferMode": "ReportEvents"})

    def finish(self, page, timeout_ms=60_000):
        """End the trace; the page's main-thread tasks (ms from its navigation start)."""
        clock_mark = (CLOCK_MARK, page.evaluate(MARK_CLOCK, CLOCK_MARK))
        self.cdp.send("Tracing.end")
        for _ in range(timeout_ms // 100):
            if self.done:
                break
            page.wait_for_timeout(100)
        else:
            raise TraceError("trace: Chromium never finished sending it")
        try:
            return main_thread_tasks(self.events, page.url, clock_mark)
        finally:
            self.events = []
            self.cdp.detach()
