"""A documented procedure as a declarative `transitions` table, shared by every case type.

A `Procedure` holds the states, the transition table, named guards (each with the
message a person sees when it fails) and who may perform each action. `check()` says
whether an action is allowed, without changing anything (it backs the Temporal update
validators); `fire()` takes the transition.

The table is read once per procedure into a lookup by (state, trigger), and `fire()` applies
the rule of a `transitions` machine to it: of the trigger's transitions from the case's state,
in table order, the first whose conditions all hold is taken (no destination: the state
stays). Building a `Machine` for every action cost more than the rest of the action; the
procedure's one `Machine` (`machine()`) validates the table when the procedure is made, and a
test holds `fire()` to it for every state, trigger and outcome of the guards.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Generic, TypeVar

from transitions import Machine

from domain.kernel.bounds import horizon_problem
from domain.kernel.refusals_da import GUARD_DA

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
    default_roles: frozenset[Any]  # Roles (domain.breach.model); Any keeps this module free of the case models
    roles: dict[TriggerT, frozenset[Any]] = field(default_factory=dict)
    _model_class: type | None = None
    _table: dict[tuple[StateT, TriggerT], list[dict[str, Any]]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        missing = {g for t in self.transitions for g in t.get("conditions", [])} - set(self.guards)
        if missing:
            raise ValueError(f"transitions name unknown guards: {sorted(missing)}")
        model_class = type("CaseModel", (), {"__init__": lambda self, state: setattr(self, "state", state)})
        for name, guard in self.guards.items():
            setattr(model_class, name, (lambda g: lambda _self, event: g.test(event.kwargs["ctx"]))(guard))
        self._model_class = model_class
        for transition in self.transitions:  # in table order, as a Machine tries them
            sources = transition["source"] if isinstance(transition["source"], list) else [transition["source"]]
            for source in sources:
                self._table.setdefault((source, transition["trigger"]), []).append(transition)
        self.machine(self.model(next(iter(self.states))))  # the library refuses a table it cannot run

    def machine(self, model: Any) -> Machine:
        """The procedure as a `transitions` Machine around `model` (an object with a `state`), to diagram or test."""
        return Machine(model=model, states=self.states, transitions=self.transitions, initial=model.state,
                       auto_transitions=False, send_event=True, ignore_invalid_triggers=False)

    def model(self, state: StateT) -> Any:
        """A model for `machine()` whose conditions are this procedure's guards (called with `ctx=`)."""
        assert self._model_class is not None
        return self._model_class(state)

    def candidates(self, state: StateT, trigger: TriggerT) -> list[dict[str, Any]]:
        return self._table.get((state, trigger), [])

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
        """Take the trigger: the first of its transitions from the case's state whose conditions all hold."""
        state = self.states(case.state)
        ctx = GuardContext(case=case, command=command, now=now)
        for transition in self.candidates(state, trigger):
            if all(self.guards[name].test(ctx) for name in transition.get("conditions", [])):
                return state if transition["dest"] is None else transition["dest"]
        raise Rejection(f"'{trigger.value}' refused by the state machine in state '{case.state}'")

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
