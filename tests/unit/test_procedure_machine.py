"""`Procedure.fire()` reads the table itself; a `transitions` Machine over the same table must agree with it.

For both procedures, every state, every trigger and every combination of its guards' outcomes: the state the
Machine moves to (or its refusal) is the state `fire()` returns (or its Rejection).
"""

from __future__ import annotations

import dataclasses
import itertools
from types import SimpleNamespace
from typing import Any

import pytest

from domain.breach import commands as c
from domain.breach.machine import BREACH
from domain.breach.machine import BreachState as S
from domain.breach.machine import Trigger as T
from domain.requests.machine import REQUEST
from domain.kernel.procedure import Guard, GuardContext, Procedure, Rejection
from tests.unit.cases import KP, NOW, new_case


def _outcomes(procedure: Procedure[Any, Any]):
    """(state, trigger, {guard: outcome}) for every state, trigger offered there and outcome of its guards."""
    for state in procedure.states:
        for trigger in procedure.triggers:
            names = sorted({n for t in procedure.candidates(state, trigger) for n in t.get("conditions", [])})
            for values in itertools.product([True, False], repeat=len(names)):
                yield state, trigger, dict(zip(names, values))


def _scripted(procedure: Procedure[Any, Any]) -> Procedure[Any, Any]:
    """The procedure with every guard answering from the command: {guard name: outcome}."""
    guards = {name: Guard((lambda n: lambda ctx: ctx.command[n])(name), guard.message)
              for name, guard in procedure.guards.items()}
    return dataclasses.replace(procedure, guards=guards)


@pytest.mark.parametrize("procedure", [BREACH, REQUEST], ids=["breach", "request"])
def test_fire_takes_the_transition_a_transitions_machine_takes(procedure: Procedure[Any, Any]):
    scripted = _scripted(procedure)
    states: list[Any] = [*scripted.states]  # type: ignore[misc]
    model = scripted.model(states[0])
    machine = scripted.machine(model)
    compared = 0
    for state, trigger, outcome in _outcomes(scripted):
        case = SimpleNamespace(state=state.value)
        machine.set_state(state, model=model)
        expected: Any
        if not scripted.candidates(state, trigger):
            expected = "not offered"
        elif getattr(model, trigger.value)(ctx=GuardContext(case=case, command=outcome, now=NOW)):
            expected = model.state
        else:
            expected = "refused"
        try:
            got: Any = scripted.fire(case, trigger, outcome, NOW)
        except Rejection:
            got = "refused" if scripted.candidates(state, trigger) else "not offered"
        assert got == expected, (state, trigger, outcome)
        compared += 1
    assert compared > 100  # every state and trigger, not an empty loop


def test_an_action_builds_no_machine(monkeypatch: pytest.MonkeyPatch):
    import domain.kernel.procedure as module

    def no_machine(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a Machine was built for an action")

    monkeypatch.setattr(module, "Machine", no_machine)
    case = new_case()
    assert BREACH.fire(case, T.ASSESS_BREACH, c.AssessBreach(actor=KP, is_breach=True, reason="r"), NOW) \
        is S.CONTAINMENT
