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
import re
import sys
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
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("transitions").setLevel(logging.WARNING)
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's per-connection chatter
