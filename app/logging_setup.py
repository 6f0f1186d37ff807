"""structlog JSON logs for worker and CLI, with the case id on every line.

Temporal's workflow/activity loggers put their context in `extra`; a processor lifts
the workflow id (which *is* the case id) to `case_id`. Log calls pass ids, states and
roles only, never what a person typed: names, addresses and descriptions stay out.

Libraries do not follow that rule: SQLAlchemy puts a statement's parameters into its
exception text, a driver quotes the offending row, an SMTP error names the recipient.
`scrub_personal_data` is the last processor before rendering, so every line (ours,
foreign stdlib records, formatted exceptions) loses e-mail addresses, CPR numbers and
SQL parameters on the way out.
"""

from __future__ import annotations

import logging
import queue
import re
import sys
import threading
from typing import Any

import structlog
from structlog.typing import EventDict, Processor
from temporalio import activity, workflow

_TEMPORAL_KEYS = ("temporal_workflow", "temporal_activity")


def _case_id(_: Any, __: str, event: EventDict) -> EventDict:
    for key in _TEMPORAL_KEYS:
        ctx = event.pop(key, None)
        if isinstance(ctx, dict):
            event.setdefault("case_id", ctx.get("workflow_id"))
            if "activity_type" in ctx:
                event.setdefault("activity", ctx["activity_type"])
                event.setdefault("attempt", ctx.get("attempt"))
            elif "workflow_type" in ctx:
                event.setdefault("workflow", ctx["workflow_type"])
    return event


# Message-IDs the engine makes (<case.digest@gdpr.local>) name no person and let operators trace a mail.
EMAIL = re.compile(r"[\w.%+-]+@(?!gdpr\.local(?![\w.-]))[\w-]+(?:\.[\w-]+)+")
# A CPR number: DDMMYY, optional dash, four digits; the date part keeps ISO times and ids out.
CPR = re.compile(r"(?<![\w-])(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])\d{2}-?\d{4}(?![\w-])")
# SQLAlchemy: "[parameters: (...)]" runs until its "(Background on this error ...)" line.
SQL_PARAMETERS = re.compile(r"\[parameters: .*?(?=\n\(Background on this error|\Z)", re.S)
SQL_STATEMENT = re.compile(r"\[SQL: .*?\](?=\n|\Z)", re.S)
SQL_LITERAL = re.compile(r"'(?:[^']|'')*'")
# PostgreSQL's DETAIL lines quote the row: Key (email)=(x@y.dk), Failing row contains (...).
ROW_DETAIL = re.compile(r"(Key \([^)]*\)=\().*?(\)(?: already exists| is not present)?)|(Failing row contains \().*?(\)\.?$)",
                        re.M)


def scrub_text(text: str) -> str:
    text = SQL_PARAMETERS.sub("[parameters: hidden]", text)
    text = SQL_STATEMENT.sub(lambda m: SQL_LITERAL.sub("'?'", m.group(0)), text)
    text = ROW_DETAIL.sub(lambda m: f"{m.group(1) or m.group(3)}…{m.group(2) or m.group(4)}", text)
    text = EMAIL.sub("<e-mail>", text)
    return CPR.sub("<cpr>", text)


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_scrub(v) for v in value]
    return value


def scrub_personal_data(_: Any, __: str, event: EventDict) -> EventDict:
    """Remove e-mail addresses, CPR numbers and SQL parameters from every value of a log line."""
    return {key: _scrub(value) for key, value in event.items()}


WORKFLOW_THREAD_PREFIX = "temporal_workflow_"  # the SDK's name for the threads that run workflow tasks


class _WorkflowThreadHandOff:
    """Every log record made on a workflow thread, whatever its logger, goes to a queue instead of to the
    handlers; a thread of its own hands it on.

    When a workflow task runs past 2 s, the SDK raises an exception inside its thread
    (`_InterruptDeadlockError`, at whatever bytecode the thread is on). Raised between a handler's
    `acquire()` and its `try:`, it leaves that handler's lock held by a thread that goes back to waiting
    for work, and every later log call of the process through that handler waits forever: `make test`
    hung so, in a fixture's teardown, on a loaded machine, and a deployed worker would stop the same way.
    Which logger a workflow thread writes to is not ours to choose (the workflows', the SDK's, asyncio's
    for the workflow's own event loop, a library's), and which handlers a record meets is not either
    (pytest adds its own), so the hand-off sits in `Logger.callHandlers`, the one step every record
    passes before any handler lock. `SimpleQueue.put` is one C call, which the exception cannot split.
    """

    def __init__(self) -> None:
        installed = logging.Logger.callHandlers  # the standard library's own, or ours if this module is re-imported
        self.call_handlers = getattr(installed, "__wrapped__", installed)
        self.records: queue.SimpleQueue[logging.LogRecord | None] = queue.SimpleQueue()
        self.thread: threading.Thread | None = None
        hand_off = self

        def call_handlers(logger: logging.Logger, record: logging.LogRecord) -> None:
            if hand_off.thread is not None and threading.current_thread().name.startswith(WORKFLOW_THREAD_PREFIX):
                hand_off.records.put(record)
            else:
                hand_off.call_handlers(logger, record)

        call_handlers.__wrapped__ = self.call_handlers  # type: ignore[attr-defined]
        logging.Logger.callHandlers = call_handlers  # type: ignore[method-assign,assignment]

    def start(self) -> None:
        if self.thread is None:
            self.thread = threading.Thread(target=self._hand_on, name="log-hand-off", daemon=True)
            self.thread.start()

    def flush(self) -> None:
        """Hand on every record queued so far (before the process ends or the root's handlers change)."""
        if self.thread is not None:
            thread, self.thread = self.thread, None  # records from now on go to the handlers directly
            self.records.put(None)
            thread.join()

    def _hand_on(self) -> None:
        while (record := self.records.get()) is not None:
            self.call_handlers(logging.getLogger(record.name), record)


_hand_off = _WorkflowThreadHandOff()


def flush_workflow_logs() -> None:
    _hand_off.flush()


def configure_logging(level: int = logging.INFO, stream: Any = sys.stderr) -> None:
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        _case_id,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info, scrub_personal_data,
                    structlog.processors.JSONRenderer()],
        foreign_pre_chain=shared,
    ))
    # Temporal's context goes into structured fields, not into the message text.
    workflow.logger.workflow_info_on_message = False
    activity.logger.activity_info_on_message = False
    root = logging.getLogger()
    flush_workflow_logs()  # the lines queued so far belong to the handlers they were written under
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("transitions").setLevel(logging.WARNING)
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's per-connection chatter
    _hand_off.start()
