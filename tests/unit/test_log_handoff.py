"""A workflow thread's log line takes no lock that the SDK's deadlock interruption could leave held."""

from __future__ import annotations

import io
import json
import logging
import threading
from typing import Any

from app.logging_setup import WORKFLOW_THREAD_LOGGERS, configure_logging, flush_workflow_logs


class _RecordingLock:
    """The handler's lock, noting which threads took it."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.takers: set[int] = set()

    def acquire(self, *args: Any) -> bool:
        self.takers.add(threading.get_ident())
        return self._lock.acquire(*args)

    def release(self) -> None:
        self._lock.release()


def _log_on_a_thread_of_its_own(name: str, message: str) -> int:
    thread = threading.Thread(target=lambda: logging.getLogger(name).info(message, extra={"state": "open"}))
    thread.start()
    thread.join()
    assert thread.ident is not None
    return thread.ident


def test_workflow_threads_hand_their_lines_on_without_taking_a_handler_lock() -> None:
    stream = io.StringIO()
    configure_logging(stream=stream)
    try:
        lock = _RecordingLock()
        logging.getLogger().handlers[0].lock = lock  # type: ignore[assignment]
        writers = {name: _log_on_a_thread_of_its_own(name, f"from {name}") for name in WORKFLOW_THREAD_LOGGERS}
        flush_workflow_logs()
    finally:
        configure_logging()
    assert not lock.takers & set(writers.values()), "a workflow thread took the root handler's lock"
    assert lock.takers, "the lines were written under the lock, by the hand-off's own thread"
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert {(line["logger"], line["event"], line["state"]) for line in lines} == {
        (name, f"from {name}", "open") for name in WORKFLOW_THREAD_LOGGERS}


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
