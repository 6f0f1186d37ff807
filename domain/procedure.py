"""A documented procedure as a declarative `transitions` table, shared by every case type.

A `Procedure` holds the states, the transition table, named guards (each with the
message a person sees when it fails) and who may perform each action. `check()` says
whether an action is allowed, without changing anything (it backs the Temporal update
validators); `fire()` runs the trigger through the `transitions` machine.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Generic, TypeVar

from transitions import Machine

from domain.bounds import horizon_problem
from domain.refusals_da import GUARD_DA

# The library logs every transition at INFO; under replay that would repeat.
logging.getLogger("transitions").setLevel(logging.WARNING)

# A procedure's own state and trigger enums, so `check()` and `fire()` return the caller's state type.
StateT = TypeVar("StateT", bound=enum.Enum)
TriggerT = TypeVar("TriggerT", bound=enum.Enum)


class Rejection(Exception):
    """An action that the procedure does not allow now; the message says why (and `da`, in Danish)."""

    def __init__(self, message: str, da: str | None = None) -> None:
        super().__init__(message)
        self.da = da


@dataclass(frozen=True)
class StateInfo:
    """Who acts next in a state, and the task in Danish and English."""

    owner: Any  # a Role, or None when nobody needs to act
    task_da: str
    task_en: str


@dataclass(frozen=True)
class GuardContext:
    case: Any
    command: Any
    now: datetime


@dataclass(frozen=True)
class Guard:
    test: Callable[[GuardContext], bool]
    # None marks a branch selector (which way a decision goes), never reported as a failure.
    message: str | None
    # Optional: a message computed from the context, for guards whose reason depends on the case.
    explain: Callable[[GuardContext], str] | None = None


@dataclass
class Procedure(Generic[StateT, TriggerT]):
    states: type[StateT]
    triggers: type[TriggerT]
    transitions: list[dict[str, Any]]
    guards: dict[str, Guard]
    state_info: dict[StateT, StateInfo]
    default_roles: frozenset[Any]  # Roles (domain.model); Any keeps this module free of the case models
    roles: dict[TriggerT, frozenset[Any]] = field(default_factory=dict)
    _model_class: type | None = None

    def __post_init__(self) -> None:
        missing = {g for t in self.transitions for g in t.get("conditions", [])} - set(self.guards)
        if missing:
            raise ValueError(f"transitions name unknown guards: {sorted(missing)}")
        model_class = type("CaseModel", (), {"__init__": lambda self, state: setattr(self, "state", state)})
        for name, guard in self.guards.items():
            setattr(model_class, name, (lambda g: lambda _self, event: g.test(event.kwargs["ctx"]))(guard))
        self._model_class = model_class

    def candidates(self, state: StateT, trigger: TriggerT) -> list[dict[str, Any]]:
        return [t for t in self.transitions
                if t["trigger"] is trigger and (t["source"] == state or (isinstance(t["source"], list)
                                                                        and state in t["source"]))]

    def offered(self, state: StateT) -> list[TriggerT]:
        """Actions the procedure offers in a state, before guards (for 'what can I do now')."""
        return [trigger for trigger in self.triggers if self.candidates(state, trigger)]

    def check(self, case: Any, trigger: TriggerT, command: Any, now: datetime) -> StateT | None:
        """Raise Rejection if the action is not allowed; return the state it leads to (None: unchanged)."""
        state = self.states(case.state)
        roles = self.roles.get(trigger, self.default_roles)
        if command.actor.role not in roles:
            wanted = " or ".join(sorted(r.value for r in roles))
            raise Rejection(f"'{trigger.value}' requires the role {wanted}; {command.actor.role.value} may not do it",
                            "Du har ikke en rolle, der må udføre denne handling.")
        too_far = horizon_problem(command, now)
        if too_far:
            raise Rejection(f"'{trigger.value}' refused: {too_far}", "En dato ligger uden for det tilladte tidsrum.")
        candidates = self.candidates(state, trigger)
        if not candidates:
            offered = ", ".join(t.value for t in self.offered(state)) or "none"
            raise Rejection(f"'{trigger.value}' is not possible in state '{state.value}' "
                            f"({self.state_info[state].task_en}); possible now: {offered}",
                            f"Handlingen er ikke mulig nu. Sagen venter på: {self.state_info[state].task_da}.")
        ctx = GuardContext(case=case, command=command, now=now)
        problems: list[str] = []
        problems_da: list[str] = []
        for transition in candidates:
            names = transition.get("conditions", [])
            if not all(self.guards[n].test(ctx) for n in names if self.guards[n].message is None):
                continue  # a different branch of the decision
            failed = [n for n in names if self.guards[n].message is not None and not self.guards[n].test(ctx)]
            if not failed:
                dest: StateT | None = transition["dest"]
                return dest
            problems.extend(self._explain(n, ctx) for n in failed)
            problems_da.extend(GUARD_DA.get(n, "Handlingen passer ikke med sagens trin.") for n in failed)
        if not problems:
            raise Rejection(f"'{trigger.value}' refused: no branch of the procedure fits this decision here",
                            "Beslutningen passer ikke med sagens trin.")
        raise Rejection(f"'{trigger.value}' refused: " + "; ".join(dict.fromkeys(problems)),
                        " ".join(dict.fromkeys(problems_da)))

    def _explain(self, name: str, ctx: GuardContext) -> str:
        guard = self.guards[name]
        if guard.explain is not None:
            return guard.explain(ctx)
        assert guard.message is not None
        return guard.message

    def fire(self, case: Any, trigger: TriggerT, command: Any, now: datetime) -> StateT:
        """Run the trigger through the `transitions` machine; the machine has the last word."""
        assert self._model_class is not None
        model = self._model_class(self.states(case.state))
        Machine(model=model, states=self.states, transitions=self.transitions, initial=model.state,
                auto_transitions=False, send_event=True, ignore_invalid_triggers=False)
        if not getattr(model, trigger.value)(ctx=GuardContext(case=case, command=command, now=now)):
            raise Rejection(f"'{trigger.value}' refused by the state machine in state '{case.state}'")
        return self.states(model.state)

    def mermaid(self, initial: StateT, final: StateT) -> str:
        """The state diagram, generated from the table."""
        lines = ["stateDiagram-v2", f"    [*] --> {initial.value}"]
        for t in self.transitions:
            sources = t["source"] if isinstance(t["source"], list) else [t["source"]]
            for src in sources:
                dest = t["dest"] or src
                guards = t.get("conditions", [])
                label = t["trigger"].value + (f" [{', '.join(guards)}]" if guards else "")
                lines.append(f"    {src.value} --> {dest.value}: {label}")
        lines.append(f"    {final.value} --> [*]")
        return "\n".join(lines) + "\n"
