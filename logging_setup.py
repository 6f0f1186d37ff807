"""structlog JSON logs for worker and CLI, with the case id on every line.

Temporal's workflow/activity loggers put their context in `extra`; a processor lifts
the workflow id (which *is* the case id) to `case_id`. Log calls pass ids, states and
roles only, never what a person typed: names, addresses and descriptions stay out.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog
from temporalio import activity, workflow

_TEMPORAL_KEYS = ("temporal_workflow", "temporal_activity")


def _case_id(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
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


def configure_logging(level: int = logging.INFO, stream: Any = sys.stderr) -> None:
    shared = [
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
                    structlog.processors.format_exc_info, structlog.processors.JSONRenderer()],
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
