"""bench/main_thread.py's trace reading: the page's main thread, its top-level tasks, the figures over a span."""

import pytest

from bench.main_thread import (
    TraceError, blocking_figures, main_thread_tasks, navigation_start, page_main_thread, top_level_tasks, work_in,
)

URL = "http://127.0.0.1:8000/index.html"
PAGE, BLANK, BROWSER = 20, 30, 10  # renderer of the page, renderer of the tab's about:blank, browser


def thread(pid, tid, name):
    return {"ph": "M", "name": "thread_name", "pid": pid, "tid": tid, "args": {"name": name}}


def task(pid, tid, ts, dur, name="RunTask"):
    return {"ph": "X", "name": name, "pid": pid, "tid": tid, "ts": ts, "dur": dur}


def committed(process, url, outermost=True):
    return {"ph": "X", "name": "FrameCommittedInBrowser", "pid": BROWSER, "tid": BROWSER, "ts": 0,
            "args": {"data": {"processId": process, "url": url, "isOutermostMainFrame": outermost}}}


def trace():
    return [
        thread(PAGE, PAGE, "CrRendererMain"), thread(PAGE, 21, "Compositor"),
        thread(BLANK, BLANK, "CrRendererMain"), thread(BROWSER, BROWSER, "CrBrowserMain"),
        {"ph": "X", "name": "TracingStartedInBrowser", "pid": BROWSER, "tid": BROWSER, "ts": 0,
         "args": {"data": {"frames": [{"processId": BLANK, "url": "about:blank", "isOutermostMainFrame": True}]}}},
        committed(BLANK, "about:blank"),
        committed(99, URL, outermost=False),  # an iframe of the same URL elsewhere: not the page
        committed(PAGE, URL + "#/active"),
        {"ph": "R", "name": "navigationStart", "pid": PAGE, "tid": PAGE, "ts": 1_000_000,
         "args": {"data": {"documentLoaderURL": URL}}},
        task(PAGE, PAGE, 1_010_000, 20_000),
        task(PAGE, PAGE, 1_012_000, 5_000, "ThreadControllerImpl::RunTask"),  # nested: part of the one above
        task(PAGE, PAGE, 1_100_000, 3_000_000),
        task(PAGE, PAGE, 4_150_000, 70_000),
        task(PAGE, 21, 1_000_000, 9_000_000),  # the compositor's: another thread
        task(BLANK, BLANK, 1_000_000, 9_000_000),  # about:blank's renderer: another process
        {"ph": "X", "name": "FunctionCall", "pid": PAGE, "tid": PAGE, "ts": 1_100_000, "dur": 2_000_000},
    ]


def test_the_page_is_the_main_thread_of_the_process_its_main_frame_was_committed_to():
    assert page_main_thread(trace(), URL) == (PAGE, PAGE)


def test_a_page_never_committed_is_an_error():
    with pytest.raises(TraceError):
        page_main_thread(trace(), "http://127.0.0.1:8000/other.html")


def test_top_level_tasks_fold_nested_ones_and_ignore_other_threads_and_events():
    assert top_level_tasks(trace(), (PAGE, PAGE)) == [
        [1_010_000, 1_030_000], [1_100_000, 4_100_000], [4_150_000, 4_220_000]]


def test_tasks_are_in_ms_on_the_page_clock_from_navigation_start():
    assert main_thread_tasks(trace(), URL) == [(10.0, 20.0), (100.0, 3000.0), (3150.0, 70.0)]


def test_a_clock_mark_sets_the_page_clock_when_there_is_one():
    events = trace() + [{"ph": "R", "name": "bench:clock", "pid": PAGE, "tid": PAGE, "ts": 5_000_000}]
    assert navigation_start(events, (PAGE, PAGE), URL, ("bench:clock", 4000.0)) == 1_000_000
    assert main_thread_tasks(events, URL, ("bench:clock", 3990.0))[0] == (0.0, 20.0)


def test_blocking_figures_over_the_tasks_that_start_in_the_span():
    tasks = [(10.0, 20.0), (100.0, 3000.0), (3150.0, 70.0), (5000.0, 400.0)]
    assert blocking_figures(tasks, 0.0, 3200.0) == {
        "longest": 3000.0, "over200": 1, "blocking": 2950.0 + 20.0, "busy": 3090.0, "tasks": 3}
    assert blocking_figures([], 0.0, 1.0) == {"longest": 0.0, "over200": 0, "blocking": 0.0, "busy": 0.0, "tasks": 0}


def test_work_in_a_span_counts_whole_tasks_that_start_in_it():
    assert work_in([(10.0, 20.0), (40.0, 5.0), (60.0, 30.0)], 30.0, 60.0) == 35.0
