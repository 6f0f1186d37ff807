"""What every case workflow shares: updates with validators, generated from a procedure's command table."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any, Awaitable, Callable

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

MAIL_RETRY = RetryPolicy(initial_interval=timedelta(seconds=2), backoff_coefficient=2.0,
                         maximum_interval=timedelta(minutes=5))
STORE_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), backoff_coefficient=2.0,
                          maximum_interval=timedelta(minutes=1))
ACTIVITY_TIMEOUT = timedelta(seconds=30)
REJECTED = "Rejected"


def rejected(message: str) -> ApplicationError:
    return ApplicationError(message, type=REJECTED, non_retryable=True)


def make_update(trigger: Any, command_type: type, result_type: type) -> Any:
    """An update named after the trigger, typed by its command model, with a validator.

    The validator asks the procedure (state, role, guards) before anything enters history;
    the handler (`self._act`) performs the same check again and applies the action.
    """

    async def handler(self: Any, cmd: Any) -> Any:
        return self._act(trigger, cmd)

    def validator(self: Any, cmd: Any) -> None:
        self._validate(trigger, cmd)

    handler.__name__ = validator.__name__ = trigger.value
    handler.__annotations__ = {"cmd": command_type, "return": result_type}
    validator.__annotations__ = {"cmd": command_type, "return": None}
    defn = workflow.update(name=trigger.value)(handler)
    defn.validator(validator)
    return defn


async def wait_until(moment: datetime, done: Callable[[], bool], summary: str) -> bool:
    """Sleep durably until `moment`; True if `done()` came true first."""
    delay = moment - workflow.now()
    if delay > timedelta(0):
        try:
            await workflow.wait_condition(done, timeout=delay, timeout_summary=summary)
        except asyncio.TimeoutError:
            pass
    return bool(done())


def failure_text(error: BaseException) -> str:
    """The innermost message of a failure chain (an activity's own error, not the wrapper)."""
    current: BaseException | None = error
    message = str(error)
    while current is not None:
        message = getattr(current, "message", None) or str(current) or message
        current = getattr(current, "cause", None)
    return message


async def drain_outbox(outbox: list[Any], closed: Callable[[], bool], perform: Callable[[Any], Awaitable[None]]) -> None:
    """Perform effects one at a time, in order, until the case is closed and nothing is left.

    An effect leaves the outbox only after it is performed, so a worker that dies halfway
    resumes with the same effect (activities make that safe: they are idempotent).
    """
    while True:
        await workflow.wait_condition(lambda: bool(outbox) or (closed() and workflow.all_handlers_finished()))
        if not outbox:
            return
        await perform(outbox[0])
        outbox.pop(0)
