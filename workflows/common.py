"""What every case workflow shares: the side effects of a case, each run on its own (`Effects`), their
activities and retries, and durable waiting (the skeleton of a case workflow: workflows/case_workflow.py)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Awaitable, Callable, Iterable, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.deadletters import DeadLetterActivities
    from domain.kernel import dead_letters as dl

REJECTED = "Rejected"
# Activities raise scrubbed ApplicationErrors (activities/failures.py) and mark permanent ones
# non-retryable themselves; these types are refused by name as well, should one escape unwrapped.
PERMANENT_ERROR_TYPES = [REJECTED, "ValidationError", "IntegrityError", "DataError", "OverflowError"]
# Transient failures retry with backoff until EFFECT_BOUND. A day covers a night's or a
# morning's outage of the mail server or the database; after that a person must look: the
# 72-hour breach deadline then still has two days left, and a reminder later than a day is
# no longer a reminder. Ten minutes between late attempts is ~150 attempts a day: light load.
EFFECT_BOUND = timedelta(hours=24)
MAIL_RETRY = RetryPolicy(initial_interval=timedelta(seconds=2), backoff_coefficient=2.0,
                         maximum_interval=timedelta(minutes=10), non_retryable_error_types=PERMANENT_ERROR_TYPES)
STORE_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), backoff_coefficient=2.0,
                          maximum_interval=timedelta(minutes=10), non_retryable_error_types=PERMANENT_ERROR_TYPES)
ACTIVITY_TIMEOUT = timedelta(seconds=30)

# workflow.patched() id: effects run side by side; cases started before run them one at a time.
INDEPENDENT_EFFECTS = "independent-effects"
# workflow.patched() id: one marker for a case started from now on, in place of one for each earlier change
# (each use names the patch it stands for). Such a case has every earlier change from the start; a case
# started before it finds no such marker in its history and asks for the earlier patches one by one, as
# before. Every patched() call in a new case records a marker and an upsert of the TemporalChangeVersion
# search attribute, which the server indexes: four of each went into every new breach case.
BASELINE = "baseline-2"
# The BASELINE marker of cases started before a step started its lane effects last (`CaseWorkflow._emit`):
# such a case has every earlier change, and keeps the order of commands its history recorded.
BASELINE_1 = "baseline-1"


def rejected(message: str, da: str | None = None) -> ApplicationError:
    """A refused update: the English message, and the Danish one as a detail for the workspace."""
    return ApplicationError(message, *([{"da": da}] if da else []), type=REJECTED, non_retryable=True)


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


ArgT = TypeVar("ArgT")
ResultT = TypeVar("ResultT")


async def run_effect_activity(activity: Callable[[Any, ArgT], ResultT], arg: ArgT, summary: str, *,
                              retry: RetryPolicy = STORE_RETRY, start_to_close: timedelta = ACTIVITY_TIMEOUT,
                              heartbeat: timedelta | None = None) -> ResultT:
    """An effect's activity, named by its method (`MailActivities.send_mail`), so its argument and result are
    typed: bounded retries (EFFECT_BOUND), permanent errors fail at once."""
    return await workflow.execute_activity_method(
        activity, arg, start_to_close_timeout=start_to_close, heartbeat_timeout=heartbeat,
        schedule_to_close_timeout=EFFECT_BOUND, retry_policy=retry, summary=summary)


def failure_type(error: BaseException) -> tuple[str, str, bool]:
    """(type, message, permanent) of the innermost failure; activities have already scrubbed the message."""
    current: BaseException | None = error
    kind, message, permanent = type(error).__name__, str(error), False
    while current is not None:
        if isinstance(current, ApplicationError):
            kind, message, permanent = current.type or kind, current.message or message, current.non_retryable
        elif not isinstance(current, ActivityError):
            kind, message = type(current).__name__, getattr(current, "message", None) or str(current) or message
        current = getattr(current, "cause", None)
    return kind, message[:300], permanent


@dataclass
class _Letter:
    effect: Any
    kind: dl.EffectKind
    key: str
    error_type: str = ""
    error_message: str = ""
    failures: int = 0
    status: dl.LetterStatus = dl.LetterStatus.OPEN


class Effects:
    """The side effects of one case, each run on its own, so no mail waits behind another effect.

    A failing register write no longer holds back a deadline reminder, and a mail outage no
    longer holds back the register. Effects that build on the one before share a lane (`lane`)
    and run in the order they were emitted: register writes (so the timeline and the audit
    chain arrive in step order), and a request's system actions and the answer built from
    them. Mails have no lane. A dead-lettered effect leaves its lane, so the lane goes on.

    An effect that fails for good (a permanent error, or transient errors beyond
    EFFECT_BOUND) becomes a dead letter: recorded in the register database, mailed to the
    operator, and kept here so an operator update can run it again or discard it. The case
    goes on. The workflow ends only when the case is closed, no effect is running and no
    dead letter is open: a closed case with an open dead letter waits for the operator.

    Cases started before this change (no INDEPENDENT_EFFECTS marker) keep running their
    effects one at a time, so their histories replay.

    A lane may take its waiting effects together (`batch`): when its turn comes, an effect takes
    with it every effect queued behind it in the lane, as one combined effect (one activity), and
    those behind find their work done. Register writes that piled up while one write ran then go
    in one transaction; if that is refused, they are written one at a time, so a refusal still
    dead-letters only the step refused. Only cases started with the BASELINE marker batch
    (`run_until_done`).
    """

    def __init__(self, case_id: Callable[[], str], perform: Callable[[Any], Awaitable[None]],
                 describe: Callable[[Any], tuple[dl.EffectKind, str]],
                 lane: Callable[[Any], str | None] = lambda effect: None,
                 batch: dict[str, Callable[[list[Any]], Any]] | None = None) -> None:
        self._case_id = case_id
        self._perform = perform
        self._describe = describe
        self._lane_of = lane
        self._batch = batch or {}  # lane -> (its queued effects, in order) -> one effect for them all
        self._batching = False
        self._queued: dict[str, list[Any]] = {}  # per lane, effects not yet performed (batching only)
        self._waiting: list[Any] = []  # before run() starts, and in the one-at-a-time mode
        self._running = 0
        self._lanes: dict[str, asyncio.Lock] = {}
        self._independent: bool | None = None
        self._letters: dict[int, _Letter] = {}
        self._tasks: set[asyncio.Task[None]] = set()  # held so a running effect is never garbage-collected
        self._crash: Exception | None = None  # a bug in an effect surfaces from run(), as with the old outbox

    # --- queueing -------------------------------------------------------------------------
    def add(self, effect: Any) -> None:
        if self._independent:
            self._start(effect)
        else:
            self._waiting.append(effect)

    def _start(self, effect: Any) -> None:
        lane = self._lane_of(effect) if self._batching else None
        if lane in self._batch:
            self._queued.setdefault(lane, []).append(effect)
        self._spawn(self._run(effect))

    def in_lane(self, effect: Any) -> bool:
        return self._lane_of(effect) is not None

    def extend(self, effects: Iterable[Any]) -> None:
        for effect in effects:
            self.add(effect)

    def pending(self) -> int:
        return len(self._waiting) + self._running

    def _open_letters(self) -> bool:
        return any(letter.status is not dl.LetterStatus.RESOLVED and letter.status is not dl.LetterStatus.DISCARDED
                   for letter in self._letters.values())

    def _spawn(self, work: Awaitable[object]) -> None:
        self._running += 1

        async def tracked() -> None:
            try:
                await work
            except Exception as err:  # noqa: BLE001 - re-raised by run_until_done
                self._crash = self._crash or err
            finally:
                self._running -= 1

        task = asyncio.create_task(tracked())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def run_until_done(self, closed: Callable[[], bool], baseline: bool = False) -> None:
        """Perform every effect; return once the case is closed and nothing is running or open.
        `baseline`: the case was started with the BASELINE marker, so its effects run side by side."""
        def finished() -> bool:
            return (closed() and self._running == 0 and not self._waiting and not self._open_letters()
                    and workflow.all_handlers_finished())

        self._independent = baseline or workflow.patched(INDEPENDENT_EFFECTS)
        self._batching = baseline and bool(self._batch)
        if self._independent:
            waiting, self._waiting = self._waiting, []
            for effect in waiting:
                self._start(effect)
            await workflow.wait_condition(lambda: finished() or self._crash is not None)
            if self._crash is not None:
                raise self._crash
            return
        while True:  # the former ordered outbox, for histories recorded before INDEPENDENT_EFFECTS
            await workflow.wait_condition(lambda: bool(self._waiting) or finished())
            if not self._waiting:
                return
            await self._attempt(self._waiting[0])
            self._waiting.pop(0)

    # --- performing and dead-lettering ------------------------------------------------------
    async def _run(self, effect: Any, number: int | None = None) -> None:
        lane = self._lane_of(effect)
        if lane is None:
            await self._attempt(effect, number)
            return
        async with self._lanes.setdefault(lane, asyncio.Lock()):  # FIFO: emission order within the lane
            if number is None and lane in self._queued:
                queued = self._queued[lane]
                if not any(item is effect for item in queued):
                    return  # performed with an earlier effect of the lane
                self._queued[lane] = []  # this effect's turn: it takes every effect queued in the lane
                if len(queued) > 1:
                    await self._attempt_together(lane, queued)
                    return
            await self._attempt(effect, number)

    async def _attempt_together(self, lane: str, effects: list[Any]) -> None:
        """The lane's queued effects as one. Refused for good, they are tried again one at a time, so that
        only the refused one becomes a dead letter and the others are done; failing beyond EFFECT_BOUND
        (a database down for a day), the combined effect is the dead letter and a retry runs them all."""
        combined = self._batch[lane](effects)
        try:
            await self._perform(combined)
            return
        except ActivityError as err:
            kind, _, permanent = failure_type(err)
            if not (permanent or kind in PERMANENT_ERROR_TYPES):
                await self._dead_letter(combined, err, None)
                return
        for effect in effects:
            await self._attempt(effect)

    async def _attempt(self, effect: Any, number: int | None = None) -> None:
        try:
            await self._perform(effect)
        except ActivityError as err:
            await self._dead_letter(effect, err, number)
            return
        if number is not None:
            self._letters[number].status = dl.LetterStatus.RESOLVED
            await self._change(number, dl.LetterStatus.RESOLVED, None, None)

    async def _dead_letter(self, effect: Any, err: ActivityError, number: int | None) -> None:
        if number is None:
            kind, key = self._describe(effect)
            number = len(self._letters) + 1
            self._letters[number] = _Letter(effect=effect, kind=kind, key=key)
        letter = self._letters[number]
        error_type, message, permanent = failure_type(err)
        letter.error_type, letter.error_message = error_type, message
        letter.failures += 1
        letter.status = dl.LetterStatus.OPEN
        record = dl.DeadLetter(
            letter_id=dl.letter_id(self._case_id(), number), case_id=self._case_id(), effect_kind=letter.kind,
            effect_key=letter.key[:200], error_type=error_type[:100], error_message=message,
            failed_at=workflow.now(), failures=letter.failures, permanent=permanent)
        workflow.logger.warning("effect dead-lettered", extra={"letter": record.letter_id, "kind": letter.kind.value,
                                                               "error_type": error_type})
        # Recorded and alerted independently: a database outage must not stop the alert, nor the reverse;
        # and outside the effect's lane, so a slow alert never holds back the case's later register writes.
        bookkeeping = asyncio.gather(
            self._quietly(run_effect_activity(DeadLetterActivities.record_dead_letter, record,
                                              f"dead letter: {record.letter_id}")),
            self._quietly(run_effect_activity(DeadLetterActivities.alert_operator, record, f"alert: {record.letter_id}",
                                              retry=MAIL_RETRY)))
        if self._independent:
            self._spawn(bookkeeping)
        else:
            await bookkeeping

    async def _change(self, number: int, status: dl.LetterStatus, actor: str | None, reason: str | None) -> None:
        change = dl.LetterStatusChange(letter_id=dl.letter_id(self._case_id(), number), status=status,
                                       at=workflow.now(), actor_name=actor, reason=reason)
        await self._quietly(run_effect_activity(DeadLetterActivities.set_dead_letter_status, change,
                                                f"dead letter: {status.value}"))

    @staticmethod
    async def _quietly(work: Awaitable[Any]) -> None:
        """The dead-letter bookkeeping must not dead-letter itself; its failure is logged, the letter kept here."""
        try:
            await work
        except ActivityError as err:
            workflow.logger.error("dead-letter bookkeeping failed", extra={"error_type": failure_type(err)[0]})

    # --- operator updates -------------------------------------------------------------------
    def check_letter(self, number: int, *, for_retry: bool) -> None:
        letter = self._letters.get(number)
        if letter is None:
            raise rejected(f"case {self._case_id()} has no dead letter {number}")
        if letter.status is not dl.LetterStatus.OPEN:
            raise rejected(f"dead letter {dl.letter_id(self._case_id(), number)} is {letter.status.value}, not open"
                           + ("" if for_retry else "; only an open letter can be discarded"))

    def retry(self, cmd: dl.RetryDeadLetter) -> dl.DeadLetterView:
        self.check_letter(cmd.number, for_retry=True)
        letter = self._letters[cmd.number]
        letter.status = dl.LetterStatus.RETRYING

        async def again() -> None:
            await self._change(cmd.number, dl.LetterStatus.RETRYING, cmd.actor.name, None)
            await self._run(letter.effect, cmd.number)

        self._spawn(again())
        workflow.logger.info("dead letter retried", extra={"letter": cmd.number})
        return self.view(cmd.number)

    def discard(self, cmd: dl.DiscardDeadLetter) -> dl.DeadLetterView:
        self.check_letter(cmd.number, for_retry=False)
        self._letters[cmd.number].status = dl.LetterStatus.DISCARDED
        self._spawn(self._change(cmd.number, dl.LetterStatus.DISCARDED, cmd.actor.name, cmd.reason))
        workflow.logger.info("dead letter discarded", extra={"letter": cmd.number})
        return self.view(cmd.number)

    def view(self, number: int) -> dl.DeadLetterView:
        letter = self._letters[number]
        return dl.DeadLetterView(
            letter_id=dl.letter_id(self._case_id(), number), number=number, effect_kind=letter.kind,
            effect_key=letter.key, error_type=letter.error_type, error_message=letter.error_message,
            failures=letter.failures, status=letter.status)

    def views(self) -> list[dl.DeadLetterView]:
        return [self.view(number) for number in sorted(self._letters)]
