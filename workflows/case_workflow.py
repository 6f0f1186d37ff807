"""The skeleton every case workflow shares: a breach case and a data-subject request alike.

A human action arrives as an update generated from the procedure's command table (`make_update`): the
validator asks the procedure before anything enters history (`_validate`), the handler asks again and
applies the action (`_act`), a refusal becomes a clear `rejected(...)` and never a failed workflow task.
Every step writes the register (`_emit`: the step's record first, then the action's effects, each run on
its own by `Effects`), deadlines are durable timers (`_watch`), and the operator's dead-letter updates and
query are here once.

A case workflow keeps what is its own: its procedure and what an action starts (`procedure`, `_apply`),
its register step (`_step_record`), its effects (`_perform`, and the lanes and descriptions it hands to
`_begin`), its deadlines (the watchers its `run` and `_apply` start), its queries and its `run`.

Nothing here records a command of its own: the command sequence of a case is the one its workflow
produced before this skeleton (recorded histories replay, tests/workflows/test_replay.py).
"""

from __future__ import annotations

import asyncio
import enum
from typing import Any, Callable, ClassVar, Coroutine, Generic, Iterable, TypeVar

from pydantic import ValidationError
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.kernel import dead_letters as dl
    from domain.kernel.model import ActionResult
    from domain.kernel.procedure import Procedure, Rejection
    from workflows.common import BASELINE, BASELINE_1, Effects, rejected
    from workflows.search_attributes import keep_current

TriggerT = TypeVar("TriggerT", bound=enum.Enum)


def baseline_patches() -> tuple[bool, bool]:
    """Asked first in a case workflow's `__init__`, before any other patch: (the case has every change up to
    BASELINE_1, a step starts its lane effects last: `_emit`). A case started today records the one BASELINE
    marker; a case started with BASELINE_1 finds that marker and keeps the order its history recorded."""
    current = workflow.patched(BASELINE)
    return current or workflow.patched(BASELINE_1), current


def make_update(trigger: enum.Enum, command_type: type, result_type: type) -> Any:
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


class CaseWorkflow(Generic[TriggerT]):
    """The shared part of a case workflow; a subclass opens its case in its `@workflow.init` (asking for the
    BASELINE patches first, `baseline_patches()`), then calls `_begin`."""

    procedure: ClassVar[Procedure[Any, Any]]  # the domain's procedure: its check backs every validator
    case: Any  # the case's one serialisable model (BreachCase, RequestCase)
    _baseline: bool  # started with a BASELINE marker: every earlier patch applies
    _lanes_last: bool  # started with the current BASELINE marker: a step's lane effects start last (`_emit`)
    _effects: Effects
    _watchers: list[asyncio.Task[None]]

    # --- what each case workflow says for itself ----------------------------------------
    def _case_id(self) -> str:
        raise NotImplementedError

    def _organisation(self) -> str:
        raise NotImplementedError

    def _step_record(self) -> Any:
        """The register write of the step just taken: its timeline event and register entry (`.entry`)."""
        raise NotImplementedError

    def _refusal(self, trigger: TriggerT) -> str | None:
        """Why the workflow refuses an action before the procedure is asked (None: the procedure decides)."""
        return None

    def _apply(self, trigger: TriggerT, cmd: Any) -> tuple[list[Any], Callable[[], None]]:
        """The domain's action on the case (raises Rejection); its effects, and what to start once they are
        queued (the watchers of what the action opened)."""
        raise NotImplementedError

    async def _perform(self, effect: Any) -> None:
        raise NotImplementedError

    # --- the skeleton --------------------------------------------------------------------
    def _begin(self, effects: Iterable[Any], *, describe: Callable[[Any], tuple[dl.EffectKind, str]],
               lane: Callable[[Any], str | None], batch: Callable[[list[Any]], Any]) -> None:
        """The opened case's effects, and its first register step. `batch`: the register writes of one lane
        that queued up, as one write."""
        self._effects = Effects(self._case_id, self._perform, describe, lane, batch={"register": batch})
        self._watchers = []
        self._emit(effects)

    def _validate(self, trigger: TriggerT, cmd: Any) -> None:
        refusal = self._refusal(trigger)
        if refusal:
            raise rejected(refusal)
        try:
            self.procedure.check(self.case, trigger, cmd, workflow.now())
        except Rejection as err:
            raise rejected(str(err), err.da) from None

    def _act(self, trigger: TriggerT, cmd: Any) -> ActionResult:
        try:
            effects, then = self._apply(trigger, cmd)
        except Rejection as err:
            raise rejected(str(err), err.da) from None
        except ValidationError as err:  # never let a ValueError fail the workflow task
            raise rejected(f"'{trigger.value}' refused: {err}") from None
        workflow.logger.info("action recorded", extra={"action": trigger.value, "state": self.case.state,
                                                       "role": cmd.actor.role.value})
        self._emit(effects, then)
        return ActionResult(case_id=self._case_id(), state=self.case.state, seq=self.case.timeline[-1].seq)

    def _emit(self, effects: Iterable[Any], then: Callable[[], None] = lambda: None) -> None:
        """The step's register write (and the search attributes from the same entry), its effects, and what the
        action starts (`then`: the watchers of what it opened).

        In a case started with the current BASELINE, the effects that wait in a lane (the register write, a
        request's system actions) start after everything else the step starts, so the order of the step's
        commands does not depend on whether the lane is free at this moment. It need not be the same on replay:
        a worker that takes an update without the case in its cache can get it in one activation with the
        result of the lane's previous write (applied after the update, so the lane still looks busy), where the
        replay of the recorded history gives that result an activation of its own first (the lane is free):
        sdk-core groups an empty workflow task with the next one in the first case and not in the second
        (https://github.com/temporalio/sdk-rust/issues/1146). Starting the step's record first, the live run
        recorded `render_draft` before `record_step` and the replay issued `record_step` first: a
        nondeterminism error, the case stuck. Started last, the record's command comes after the step's
        others either way: at once if the lane is free, or when the previous write's result releases the lane,
        which in that activation comes after the update. Cases started before keep the order they recorded."""
        record = self._step_record()
        keep_current(record.entry, self._organisation(), self._baseline)
        if not self._lanes_last:
            self._effects.add(record)
            self._effects.extend(effects)
            then()
            return
        effects = list(effects)
        self._effects.extend(effect for effect in effects if not self._effects.in_lane(effect))
        then()
        self._effects.add(record)
        self._effects.extend(effect for effect in effects if self._effects.in_lane(effect))

    def _emit_system(self, effects: list[Any]) -> None:
        """A step the workflow took itself (a reminder, an escalation), if it took one."""
        if effects:
            self._emit(effects)

    def _watch(self, watcher: Coroutine[Any, Any, None]) -> None:
        """A durable timer of the case (a deadline, a reminder), running beside the case."""
        self._watchers.append(asyncio.create_task(watcher))

    def _closed(self) -> bool:
        return self.case.closed_at is not None

    # --- the operator's handlers for effects that failed for good ---------------------------
    @workflow.update(name="retry_dead_letter")
    async def retry_dead_letter(self, cmd: dl.RetryDeadLetter) -> dl.DeadLetterView:
        return self._effects.retry(cmd)

    @retry_dead_letter.validator
    def _check_retry(self, cmd: dl.RetryDeadLetter) -> None:
        self._effects.check_letter(cmd.number, for_retry=True)

    @workflow.update(name="discard_dead_letter")
    async def discard_dead_letter(self, cmd: dl.DiscardDeadLetter) -> dl.DeadLetterView:
        return self._effects.discard(cmd)

    @discard_dead_letter.validator
    def _check_discard(self, cmd: dl.DiscardDeadLetter) -> None:
        self._effects.check_letter(cmd.number, for_retry=False)

    @workflow.query
    def dead_letters(self) -> list[dl.DeadLetterView]:
        return self._effects.views()
