"""A workflow thread's log line takes no handler lock that the SDK's deadlock interruption could leave held."""

from __future__ import annotations

import io
import json
import logging
import threading
from typing import Any

from app.logging_setup import WORKFLOW_THREAD_PREFIX, configure_logging, flush_workflow_logs


class _RecordingLock:
    """The handler's lock, noting which threads took it."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.takers: set[str] = set()  # thread names: a finished thread's ident is given to the next one

    def acquire(self, *args: Any) -> bool:
        self.takers.add(threading.current_thread().name)
        return self._lock.acquire(*args)

    def release(self) -> None:
        self._lock.release()


# Loggers a workflow thread writes to: the workflows', the SDK's, its event loop's, a library's.
LOGGERS = ("temporalio.workflow", "temporalio.worker._workflow_instance", "asyncio", "transitions.core")


def _log_on_a_thread_of_its_own(name: str, message: str, thread_name: str = WORKFLOW_THREAD_PREFIX + "0") -> None:
    thread = threading.Thread(target=lambda: logging.getLogger(name).warning(message, extra={"state": "open"}),
                              name=thread_name)
    thread.start()
    thread.join()


def test_workflow_threads_hand_their_lines_on_without_taking_a_handler_lock() -> None:
    stream = io.StringIO()
    configure_logging(stream=stream)
    try:
        lock = _RecordingLock()
        logging.getLogger().handlers[0].lock = lock  # type: ignore[assignment]
        for name in LOGGERS:
            _log_on_a_thread_of_its_own(name, f"from {name}")
        _log_on_a_thread_of_its_own("worker", "from another thread", thread_name="activity-1")
        flush_workflow_logs()
    finally:
        configure_logging()
    assert lock.takers == {"activity-1", "log-hand-off"}, "no workflow thread took the root handler's lock"
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert {(line["logger"], line["event"], line["state"]) for line in lines} == {
        (name, f"from {name}", "open") for name in LOGGERS} | {("worker", "from another thread", "open")}


def test_lines_still_queued_go_to_the_handlers_they_were_written_under() -> None:
    first, second = io.StringIO(), io.StringIO()
    configure_logging(stream=first)
    try:
        _log_on_a_thread_of_its_own("temporalio.workflow", "before")
        configure_logging(stream=second)
        _log_on_a_thread_of_its_own("temporalio.workflow", "after")
        flush_workflow_logs()
    finally:
        configure_logging()
    assert [json.loads(line)["event"] for line in first.getvalue().splitlines()] == ["before"]
    assert [json.loads(line)["event"] for line in second.getvalue().splitlines()] == ["after"]


def test_other_threads_log_as_before() -> None:
    stream = io.StringIO()
    configure_logging(stream=stream)
    try:
        logging.getLogger("worker").info("worker started")
    finally:
        configure_logging()
    assert json.loads(stream.getvalue())["event"] == "worker started"
