"""What the domain writes for people (state labels, timeline summaries, register reasons, control reports) says
every enum value in Danish words, never the code: checked for every value, so a new option cannot slip through.

The walk through the workspace that reads every page and mail is tests/web/test_no_internal_codes.py.
"""

from __future__ import annotations

import importlib
import pkgutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import domain
from activities.inventory_file import load_inventory
from domain.breach import commands as c
from domain.requests import model as d
from domain.breach.machine import STATE_INFO as BREACH_STATE_INFO, BreachState, Trigger
from domain.breach.case import act as act_on_breach
from domain.controls import Period, monthly_request_report, quarterly_breach_report
from domain.requests.case import act as act_on_request
from domain.requests.case import open_request
from domain.requests.machine import STATE_INFO as REQUEST_STATE_INFO, RequestTrigger
from domain.requests.register import build_request_entry
from domain.requests.inventory import words
from domain.breach.facts import Art34Exception
from domain.breach.proposal import propose, summary_da
from domain.kernel.refusals_da import GUARD_DA
from domain.breach.register import build_register_entry
from app.settings import Settings, request_policy
from tests.support import facts, internal_codes, visible_text
from tests.unit.cases import KP, NOW, case_in
from web import labels
from web.roles import WEB_ROLE_DA

ROOT = Path(__file__).parents[2]
KAREN = "karen.jensen@example.dk"


def test_the_check_finds_the_codes_people_must_not_read():
    html = ('<p class="key_person">Identitet verificeret (registered_address): ok</p><style>.a_b{}</style>'
            '<p>Verificér identiteten (seed 001 §3.5), se issue #3, kør gdpr case show; tilstand containment; '
            'skriv til dpo_kontakt@skole.dk</p><input name="facts.breach_types">')
    assert internal_codes(visible_text(html)) == ["#3", "containment", "gdpr c", "issue", "registered_address",
                                                  "seed"]
    assert internal_codes("Sagen venter på DPO's godkendelse; it-systemet Aula, sag breach-2026-0001") == []


@pytest.mark.parametrize("info", [BREACH_STATE_INFO, REQUEST_STATE_INFO], ids=["breach", "request"])
def test_every_state_is_told_in_words_without_source_references(info):
    """The state labels are what the case page, 'Mine opgaver', the registers and the reminders show."""
    assert {state.value: internal_codes(i.task_da) for state, i in info.items() if internal_codes(i.task_da)} == {}


@pytest.mark.parametrize("table", [d.CHANNEL_DA, d.IDENTITY_METHOD_DA, d.REFUSAL_GROUND_DA, d.ON_BEHALF_DA],
                         ids=["channel", "identity method", "refusal ground", "on behalf"])
def test_every_request_option_has_danish_words(table):
    enum_type = type(next(iter(table)))
    assert set(table) == set(enum_type) and not [text for text in table.values() if internal_codes(text)]


def _request(**overrides) -> d.RequestInput:
    fields = dict(request_id="dsr-2026-0001", type="access", channel="email", received_at=NOW,
                  requester={"name": "Karen Jensen", "email": KAREN}, subject_name="Karen Jensen",
                  identifiers={"email": KAREN}, policy=request_policy(Settings(_env_file=None)),
                  inventory=load_inventory(ROOT / "examples" / "inventory.yaml"))
    fields.update(overrides)
    return d.RequestInput.receive(fields)


@pytest.mark.parametrize("channel", list(d.Channel))
def test_the_receipt_in_the_timeline_names_the_channel_in_words(channel):
    case, _ = open_request(_request(channel=channel), NOW)
    assert case.timeline[-1].summary.endswith(f"modtaget via {d.CHANNEL_DA[channel]}")
    assert internal_codes(case.timeline[-1].summary) == []


def test_a_verified_identity_in_the_timeline_names_the_method_in_words():
    case, _ = open_request(_request(), NOW)
    act_on_request(case, RequestTrigger.VERIFY_IDENTITY, d.VerifyIdentity(
        actor=KP, method="registered_address", details="Adressen i elevadministrationen", verified_email=KAREN), NOW)
    summary = case.timeline[-1].summary
    assert summary.startswith("Identitet verificeret (svaret sendes til den adresse, vi allerede har registreret)")
    assert internal_codes(summary) == []


@pytest.mark.parametrize("ground", list(d.RefusalGround))
def test_a_refusal_in_the_timeline_names_the_ground_in_words(ground):
    case, _ = open_request(_request(), NOW)
    act_on_request(case, RequestTrigger.REFUSE, d.Refuse(actor=KP, ground=ground, reasons="Se sagen"), NOW)
    assert d.REFUSAL_GROUND_DA[ground] in case.timeline[-1].summary
    assert internal_codes(case.timeline[-1].summary) == []


@pytest.mark.parametrize("exception", list(Art34Exception))
def test_the_proposal_names_an_art_34_exception_in_words(exception):
    proposal = propose(facts()).model_copy(update={"exception": exception})
    assert internal_codes(summary_da(proposal)) == []


@pytest.mark.parametrize("exception", list(Art34Exception))
def test_the_register_names_an_art_34_exception_in_words(exception):
    case = case_in(BreachState.SUBJECT_DECISION)
    act_on_breach(case, Trigger.DECIDE_COMMUNICATION, c.DecideCommunication(
        actor=KP, communicate=False, reason="Se dokumentationen", exception=exception,
        exception_evidence="Dokumentation i sagen"), NOW)
    reason = build_register_entry(case, NOW).f9_1_reason_not_communicated
    assert reason and internal_codes(reason) == []


def test_the_control_reports_give_states_types_and_risks_in_words():
    period = Period(start=NOW - timedelta(days=90), end=NOW + timedelta(days=1), label="2026-Q4")
    breaches = [build_register_entry(case_in(state), NOW)
                for state in (BreachState.REPORTED, BreachState.NOTIFICATION_REVIEW, BreachState.CLOSED)]
    quarterly = quarterly_breach_report(period, breaches, NOW).text
    assert "lukket; risiko: høj risiko" in quarterly and internal_codes(quarterly) == []
    requests = []
    for kind in (d.RequestType.ACCESS, d.RequestType.PORTABILITY):
        case, _ = open_request(_request(type=kind), NOW)
        requests.append(build_request_entry(case, NOW))
    monthly = monthly_request_report(period, requests, [], datetime(2027, 3, 1, tzinfo=timezone.utc)).text
    assert "anmodning om indsigt (art. 15): " in monthly and internal_codes(monthly) == []


def test_a_table_without_a_title_is_named_in_words():
    inventory = load_inventory(ROOT / "examples" / "inventory.yaml")
    assert inventory.system("foto").table_da("foto_samtykke") == "samtykke til fotos"  # its title
    assert inventory.system("elevadministration").table_da("karakterer") == "karakterer"
    assert words("foraelder_email") == "foraelder email" and inventory.system("foto").table_da("ny_tabel") == "ny tabel"


def test_every_danish_text_table_people_read_is_free_of_codes():
    """Form labels, help, buttons, options, rule and refusal messages, roles, and the domain's Danish maps."""
    tables: dict[str, dict] = {"LABELS_DA": labels.LABELS_DA, "HELP_DA": labels.HELP_DA,
                               "ACTION_DA": labels.ACTION_DA, "GUARD_DA": GUARD_DA, "WEB_ROLE_DA": WEB_ROLE_DA,
                               "RULES_DA": {rule[:3]: rule[3] for rule in labels.RULES_DA}}
    tables |= {f"OPTION_DA[{kind.__name__}]": options for kind, options in labels.OPTION_DA.items()}
    for info in pkgutil.walk_packages(domain.__path__, "domain."):
        module = importlib.import_module(info.name)
        tables |= {f"{module.__name__}.{name}": value for name, value in vars(module).items()
                   if name.endswith("_DA") and isinstance(value, dict)}
    leaks = {(table, str(key)): internal_codes(text) for table, values in tables.items()
             for key, text in values.items() if isinstance(text, str) and internal_codes(text)}
    assert leaks == {}
