"""Generated junk against every input model: it is accepted or refused with a ValidationError, nothing else.

And whatever is accepted survives the trip a workflow payload makes (dump to JSON, validate
again), so an accepted value can never fail a workflow task later.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from activities.inventory_file import load_inventory
from domain.requests import model as d
from domain.breach.machine import COMMAND_TYPES as BREACH_COMMANDS
from domain.requests.machine import COMMAND_TYPES as REQUEST_COMMANDS
from domain.breach.facts import BreachFacts
from domain.breach.model import BreachReport
from app.settings import Settings, request_policy
from tests.junk import junk_for, run_fuzz, sweep
from tests.support import facts, report
from tests.unit.cases import KP, REQUEST_BASELINES, commands

EXAMPLES = 60  # random examples per model, on top of the sweep; ~30 models
ROOT = Path(__file__).parents[2]
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


def request_input_baseline() -> dict[str, Any]:
    return d.RequestInput.model_validate(dict(
        request_id="dsr-2026-0001", type="rectification", channel="email", received_at=NOW,
        requester={"name": "Karen", "email": "karen@example.dk"}, subject_name="Emil",
        identifiers={"elevnummer": "E1001"}, on_behalf="parental_authority",
        subject_age=12, corrections=[{"system_id": "elevadministration", "table": "elever", "column": "adresse",
                                      "new_value": "Vej 1"}],
        policy=request_policy(Settings(_env_file=None)),
        inventory=load_inventory(ROOT / "examples" / "inventory.yaml"))).model_dump(mode="json")


def baselines() -> list[tuple[str, type[BaseModel], dict[str, Any]]]:
    out: list[tuple[str, type[BaseModel], dict[str, Any]]] = []
    for trigger, model in BREACH_COMMANDS.items():
        out.append((f"breach.{trigger.value}", model, next(iter(commands(trigger).values())).model_dump(mode="json")))
    for request_trigger, request_model in REQUEST_COMMANDS.items():
        fields = {"actor": KP.model_dump(mode="json"), **REQUEST_BASELINES[request_trigger.value]}
        out.append((f"request.{request_trigger.value}", request_model,
                    request_model.model_validate(fields).model_dump(mode="json")))
    out.append(("BreachReport", BreachReport, report(NOW, occurred_at=NOW - timedelta(hours=1)).model_dump(mode="json")))
    out.append(("BreachFacts", BreachFacts, facts(started_at=NOW - timedelta(hours=3), ended_at=NOW,
                                                  unavailability_hours=2.5).model_dump(mode="json")))
    out.append(("RequestInput", d.RequestInput, request_input_baseline()))
    return out


CASES = baselines()
def accepted_or_refused(model: type[BaseModel], value: Any) -> None:
    for validate in (lambda: model.model_validate(value), lambda: model.model_validate_json(json.dumps(value))):
        try:
            accepted = validate()
        except ValidationError:
            continue
        # A workflow stores and replays what it accepted: it must survive JSON both ways.
        assert model.model_validate_json(accepted.model_dump_json()) == accepted


def test_every_request_command_has_a_baseline():
    assert {t.value for t in REQUEST_COMMANDS} == set(REQUEST_BASELINES)
    assert len(CASES) == len(BREACH_COMMANDS) + len(REQUEST_COMMANDS) + 3


@pytest.mark.parametrize(("name", "model", "baseline"), CASES, ids=[name for name, _, _ in CASES])
def test_junk_is_accepted_or_refused_with_a_validation_error(name: str, model: type[BaseModel], baseline: dict):
    model.model_validate(baseline)  # the baseline itself is valid: junk is planted in a real payload
    swept = sweep(baseline, skip=("inventory", "policy"))  # configuration, not typed by a person
    for value in swept:
        accepted_or_refused(model, value)
    generated = run_fuzz(junk_for(baseline), EXAMPLES, lambda value: accepted_or_refused(model, value))
    assert generated >= EXAMPLES // 2
    print(f"\nfuzz {name}: {len(swept)} swept + {generated} generated")  # shown with -s; for the closing note
