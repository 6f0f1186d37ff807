"""Forms from the actions' models: every command renders, round-trips, refuses in Danish, and is labelled in Danish."""

from __future__ import annotations

import ast
import enum
import re
import sys
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from domain.breach import commands as c
from domain.requests import model as d
from domain.breach.machine import COMMAND_TYPES as BREACH_COMMANDS
from domain.breach.machine import Trigger
from domain.requests.machine import COMMAND_TYPES as REQUEST_COMMANDS
from domain.requests.machine import RequestTrigger
from tests.unit.cases import DPO, KP, commands
from web import forms as f
from web.labels import ACTION_DA, HELP_DA, LABELS_DA, OPTION_DA

ROOT = Path(__file__).parents[2]
SYSTEM_ACTOR = {"name": "GDPR-sagsmotoren", "role": "system"}
ALL_COMMANDS: dict[enum.Enum, type[BaseModel]] = dict([*BREACH_COMMANDS.items(), *REQUEST_COMMANDS.items()])


def request_examples(trigger: RequestTrigger) -> dict[str, d.Command]:
    """Valid request commands, one per way the decision can go (as tests/unit/cases.py does for breaches)."""
    variants: dict[RequestTrigger, dict[str, d.Command]] = {
        RequestTrigger.VERIFY_IDENTITY: {
            "plain": d.VerifyIdentity(actor=KP, method="id_document", details="Kørekort set",
                                      verified_email="karen@example.dk"),
            "everything": d.VerifyIdentity(
                actor=KP, method="parental_authority", details="Sundhedskort og forældremyndighed set",
                maturity_assessment="Barnet er 9 år og kan ikke selv modtage oplysningerne",
                verified_email="far@example.dk", verified_postal_address="Skolevej 1, 8000 Aarhus C",
                verified_phone="12345678", reply_to="advokat@example.dk", reply_to_reason="Fuldmagt set",
                confirm_transfer_to="ny@skole.dk", transfer_confirmation="Ringet til den nye skole")},
        RequestTrigger.REQUEST_INFORMATION: {"": d.RequestInformation(actor=KP, needed="Kopi af legitimation")},
        RequestTrigger.RECORD_INFORMATION: {"": d.RecordInformation(actor=KP, answer="Pas modtaget\nmed posten")},
        RequestTrigger.REFUSE: {"": d.Refuse(actor=KP, ground="excessive", reasons="Fjerde ens anmodning")},
        RequestTrigger.ASSESS_ERASURE: {"": d.AssessErasure(actor=KP, purpose_no_longer_present=True,
                                                            no_outstanding_obligations=False, reasons="Bogføring")},
        RequestTrigger.DECIDE_OBJECTION: {"accept": d.DecideObjection(actor=KP, accept=True, reasons="r"),
                                          "refuse": d.DecideObjection(actor=KP, accept=False, reasons="Tvingende")},
        RequestTrigger.COMPLETE_MANUAL_TASK: {"": d.CompleteManualTask(
            actor=KP, system_id="papirarkiv", result="Mappen er makuleret", kept_reason="Intet beholdt")},
        RequestTrigger.SYSTEMS_DONE: {"": d.SystemsDone(actor=SYSTEM_ACTOR)},
        RequestTrigger.REVIEW_ANSWER: {"approve": d.ReviewAnswer(actor=DPO, approve=True),
                                       "reject": d.ReviewAnswer(actor=DPO, approve=False, comments="Ret datoen")},
        RequestTrigger.REVISE_ANSWER: {"": d.ReviseAnswer(actor=KP, note="Vi har rettet datoen.")},
        RequestTrigger.EXTEND: {"": d.Extend(actor=KP, reasons="Mange systemer")},
        RequestTrigger.LIFT_RESTRICTION: {"": d.LiftRestriction(actor=KP, reasons="Rigtigheden er undersøgt")},
        RequestTrigger.CHARGE_FEE: {"": d.ChargeFee(actor=KP, ground="further_copy", amount_dkk=Decimal("125.50"),
                                                    reasons="Anden kopi", cost_basis="20 minutter à 376,50 kr.")},
        RequestTrigger.REFUSE_PART: {
            "system": d.RefusePart(actor=KP, system_id="elevdb", basis="legal_obligation", reasons="Arkivloven"),
            "table": d.RefusePart(actor=KP, system_id="elevdb", table="fravaer", basis="archiving", reasons="r")},
        RequestTrigger.RELEASE_THIRD_PARTY_DATA: {"": d.ReleaseThirdPartyData(
            actor=KP, system_id="elevdb", table="noter", column="forfatter", ground="consent", reasons="Ja tak")},
    }
    return variants[trigger]


EXAMPLES = ([(t, v, cmd) for t in Trigger for v, cmd in commands(t).items()]
            + [(t, v, cmd) for t in RequestTrigger for v, cmd in request_examples(t).items()])


# The intake form 'Ny anmodning' is generated from RequestInput too, without what it does not ask.
INTAKE_EXCLUDE = frozenset({"request_id", "identifiers", "policy", "inventory"})


def _skip(model: type[BaseModel], name: str) -> bool:
    return name == "actor" or (model is d.RequestInput and name in INTAKE_EXCLUDE)


def _models(model: type[BaseModel], seen: set[type[BaseModel]] | None = None) -> list[type[BaseModel]]:
    """The model and every model nested in it."""
    seen = seen if seen is not None else set()
    if model in seen:
        return []
    seen.add(model)
    out = [model]
    for name, info in model.model_fields.items():
        if _skip(model, name):
            continue
        shape = f._shape(info)
        if f._is_model(shape.base):
            out += _models(shape.base, seen)
    return out


def _enums(model: type[BaseModel]) -> set[type[enum.Enum]]:
    found = set()
    for m in _models(model):
        for name, info in m.model_fields.items():
            if _skip(m, name):
                continue
            shape = f._shape(info)
            if f._is_enum(shape.base):
                found.add(shape.base)
    return found


FORM_ROOTS: list[type[BaseModel]] = [*ALL_COMMANDS.values(), d.RequestInput]
FORM_MODELS = sorted({m for model in FORM_ROOTS for m in _models(model)}, key=lambda m: m.__name__)
FORM_ENUMS = sorted({e for model in FORM_ROOTS for e in _enums(model)}, key=lambda e: e.__name__)
FIELDS = [(m, name) for m in FORM_MODELS for name in m.model_fields if not _skip(m, name)]
ENUM_VALUES = {member.value for e in FORM_ENUMS for member in e}


def _without_actor(cmd: BaseModel) -> dict:
    return cmd.model_dump(mode="json", exclude={"actor"})


def _every_label() -> list[str]:
    labels = list(LABELS_DA.values()) + list(HELP_DA.values()) + list(ACTION_DA.values())
    return labels + [label for options in OPTION_DA.values() for label in options.values()]


# --- completeness of the Danish --------------------------------------------------------------------------


def test_the_examples_cover_every_breach_and_request_action():
    assert {t for t, _, _ in EXAMPLES} == set(ALL_COMMANDS)


@pytest.mark.parametrize("model, name", FIELDS, ids=lambda x: x.__name__ if isinstance(x, type) else x)
def test_every_field_of_every_action_has_a_danish_label(model, name):
    label = f.label_da(model, name)
    assert label, f"add a Danish label for {model.__name__}.{name} to web/labels.py LABELS_DA"


@pytest.mark.parametrize("model, name", [(m, n) for m, n in FIELDS if m.model_fields[n].description],
                         ids=lambda x: x.__name__ if isinstance(x, type) else x)
def test_every_field_the_models_describe_has_danish_help(model, name):
    # The model's description is English, for developers; the form must never fall back to it.
    assert f.help_da(model, name), f"add Danish help for {model.__name__}.{name} to web/labels.py HELP_DA"


def test_the_intake_form_leaves_out_what_the_route_leaves_out():
    from web.routes.requests import INTAKE_EXCLUDE as ROUTE_EXCLUDE

    assert ROUTE_EXCLUDE == INTAKE_EXCLUDE
    names = [spec.name for spec in f.flat_fields(f.form_for(d.RequestInput, exclude=INTAKE_EXCLUDE))]
    assert "requester.email" in names and "identifiers" not in names and "policy" not in names


def test_every_action_has_a_danish_button():
    assert set(ACTION_DA) == set(Trigger) | set(RequestTrigger)


@pytest.mark.parametrize("enum_type", FORM_ENUMS, ids=lambda e: e.__name__)
def test_every_choice_has_danish_options(enum_type):
    assert set(OPTION_DA.get(enum_type, {})) == set(enum_type)


def test_no_label_contains_an_internal_code():
    field_names = {name for _, name in FIELDS} | {m.__name__ for m in FORM_MODELS}
    for label in _every_label():
        assert "_" not in label, label
        words = set(re.findall(r"[A-Za-zæøåÆØÅ]+", label.lower()))
        assert not words & {v.lower() for v in ENUM_VALUES}, label
        # 'system' and 'type' are Danish words too ("Type af brud")
        assert not words & {n.lower() for n in field_names if n not in ("system", "type")}, label


def test_no_table_holds_a_label_no_field_uses():
    keys = {name for _, name in FIELDS} | {f"{m.__name__}.{name}" for m, name in FIELDS}
    bases = {f"{base.__name__}.{name}" for m, name in FIELDS for base in m.__mro__ if hasattr(base, "__name__")}
    assert set(LABELS_DA) <= keys | bases
    assert set(HELP_DA) <= keys | bases


def test_the_brief_s_examples_read_as_asked():
    assert ACTION_DA[Trigger.ASSESS_BREACH] == "Vurdér om det er et brud"
    assert ACTION_DA[Trigger.REVIEW_DRAFT] == "Godkend eller afvis udkastet"
    from domain.breach.facts import BreachType
    assert OPTION_DA[BreachType][BreachType.CONFIDENTIALITY] == (
        "Fortrolighed (uvedkommende har set eller fået oplysningerne)")


# --- every action: a form, a round trip, Danish refusals ---------------------------------------------------


@pytest.mark.parametrize("trigger", list(ALL_COMMANDS), ids=lambda t: t.value)
def test_every_action_has_a_form_without_the_actor(trigger):
    fields = f.form_for(ALL_COMMANDS[trigger])
    inputs = f.flat_fields(fields)
    names = [spec.name for spec in inputs]
    assert len(names) == len(set(names))
    assert not any(n == "actor" or n.startswith("actor.") for n in names)
    for spec in inputs:
        assert spec.label and spec.kind in {"text", "textarea", "email", "number", "datetime", "date", "yesno",
                                            "select", "multiselect", "list"}


@pytest.mark.parametrize("trigger, variant, cmd", EXAMPLES, ids=lambda x: getattr(x, "value", x) or "-")
def test_a_filled_form_round_trips_into_the_same_command(trigger, variant, cmd):
    model = ALL_COMMANDS[trigger]
    posted = f.to_form(cmd)
    parsed = f.parse_form(model, posted, cmd.actor.model_dump(mode="json"))
    back = model.model_validate(parsed)
    assert back == cmd
    # The form re-rendered with these values shows each of them in its input.
    shown = {spec.name: spec.value for spec in f.flat_fields(f.form_for(model, posted))}
    for name, value in posted.items():
        if name.endswith(f.NONE_SUFFIX):
            continue
        if isinstance(value, list):
            assert [v for v in shown[name] if v] == value
        else:
            assert shown[name] == value, name


def _required_inputs(fields: list[f.Field]) -> set[str]:
    out: set[str] = set()
    for spec in fields:
        if spec.kind == "group" and spec.required:
            out |= _required_inputs(spec.children)
        elif spec.kind == "repeat" and spec.required:
            out |= _required_inputs(spec.children[0].children)
        elif spec.kind not in ("group", "repeat") and spec.required:
            out.add(spec.name)
    return out


@pytest.mark.parametrize("trigger", list(ALL_COMMANDS), ids=lambda t: t.value)
def test_an_empty_form_says_in_danish_what_must_be_filled_in(trigger):
    model = ALL_COMMANDS[trigger]
    fields = f.form_for(model)
    required = _required_inputs(fields)
    parsed = f.parse_form(model, {}, KP.model_dump(mode="json"))
    if not required:
        model.model_validate(parsed)
        return
    with pytest.raises(ValidationError) as refused:
        model.model_validate(parsed)
    errors = f.errors_da(refused.value, model)
    assert set(errors) == required
    assert all(message in ("Skal udfyldes.", "Angiv mindst én.") for message in errors.values()), errors
    assert set(errors) <= {spec.name for spec in f.flat_fields(fields)}


# --- kinds of input --------------------------------------------------------------------------------------


def _spec(model: type[BaseModel], name: str, values=None) -> f.Field:
    return next(s for s in f.flat_fields(f.form_for(model, values)) if s.name == name)


def test_each_field_type_gets_its_input():
    assert _spec(c.AssessBreach, "reason").kind == "textarea"
    assert _spec(c.RecordSupplierAccount, "supplier").kind == "text"
    assert _spec(c.RequestSupplierAccounts, "suppliers.0.email").kind == "email"
    review = _spec(c.PostponeCommunication, "review_at")
    # The browser's window is the model's (1990 up to 2100 UTC), written in Copenhagen time.
    assert (review.kind, review.minimum, review.maximum) == ("datetime", "1990-01-01T01:00", "2100-01-01T00:59")
    count = _spec(c.RecordFacts, "facts.approx_subjects")
    assert (count.kind, count.step, count.minimum, count.maximum) == ("number", "1", "0", "1000000000")
    assert _spec(c.RecordFacts, "facts.unavailability_hours").step == "any"
    assert _spec(d.ChargeFee, "amount_dkk").step == "0.01"
    required_bool = _spec(c.AssessBreach, "is_breach")
    assert (required_bool.kind, required_bool.required, required_bool.options) == (
        "yesno", True, [("true", "Ja"), ("false", "Nej")])
    optional_bool = _spec(c.RecordFacts, "facts.encrypted")
    assert optional_bool.options[-1] == ("", "Ved ikke") and optional_bool.value == ""
    level = _spec(c.AssessNotification, "level")
    assert level.kind == "select" and level.options[0] == ("", "Vælg")  # nothing is chosen for the person
    assert _spec(c.SubmitNotificationDraft, "police_report").options[0] == ("", "Ikke angivet")
    assert _spec(c.PlanCommunication, "release_with").value == "subjects"  # the model's default shows
    categories = _spec(c.RecordFacts, "facts.data_categories")
    assert categories.kind == "multiselect" and ("national_id", "CPR-numre") in categories.options
    team = _spec(c.InformManagement, "crisis_team")
    assert (team.kind, team.item_kind, team.value) == ("list", "text", ["", "", ""])
    assert _spec(c.SubmitCommunicationDraft, "advice").item_kind == "textarea"
    countries = _spec(c.RecordFacts, "facts.other_eea_countries")
    assert (countries.none_name, countries.none_label) == ("facts.other_eea_countries.none", "Ingen")
    groups = f.form_for(c.PlanCommunication)
    items = next(g for g in groups if g.name == "items")
    assert items.kind == "repeat" and [g.index for g in items.children] == [0]
    assert [s.name for s in f.flat_fields(items.children)] == [
        "items.0.audience", "items.0.responsible.name", "items.0.responsible.email", "items.0.responsible.phone",
        "items.0.channel"]


def test_a_repeat_offers_one_more_group_than_was_posted():
    posted = {"suppliers.0.name": "A", "suppliers.0.email": "a@a.dk", "suppliers.1.name": "B"}
    suppliers = next(s for s in f.form_for(c.RequestSupplierAccounts, posted) if s.name == "suppliers")
    assert [g.name for g in suppliers.children] == ["suppliers.0", "suppliers.1", "suppliers.2"]


def test_a_list_of_texts_keeps_what_was_typed_and_offers_three_empty_inputs():
    team = _spec(c.InformManagement, "crisis_team", {"crisis_team": ["", "Leder", "", "IT-chef"]})
    assert team.value == ["Leder", "IT-chef", "", "", ""]
    assert f.parse_form(c.InformManagement, {"crisis_team": ["", "Leder", " ", "IT-chef"]})["crisis_team"] == [
        "Leder", "IT-chef"]


# --- parsing -----------------------------------------------------------------------------------------------


def test_yes_no_and_do_not_know_become_true_false_and_none():
    facts = {"facts.breach_types": "confidentiality", "facts.encrypted": "true", "facts.malicious": "false",
             "facts.exfiltrated": ""}
    parsed = f.parse_form(c.RecordFacts, facts, KP.model_dump(mode="json"))
    cmd = c.RecordFacts.model_validate(parsed)
    assert (cmd.facts.encrypted, cmd.facts.malicious, cmd.facts.exfiltrated) == (True, False, None)


def test_an_optional_list_tells_none_known_from_not_yet_known():
    base = {"facts.breach_types": ["integrity"]}
    unknown = f.parse_form(c.RecordFacts, base)
    none = f.parse_form(c.RecordFacts, {**base, "facts.other_eea_countries.none": "true"})
    some = f.parse_form(c.RecordFacts, {**base, "facts.other_eea_countries": ["Sverige", ""]})
    assert "other_eea_countries" not in unknown["facts"]
    assert none["facts"]["other_eea_countries"] == []
    assert some["facts"]["other_eea_countries"] == ["Sverige"]
    assert f.to_form(c.RecordFacts.model_validate({**none, "actor": KP}))["facts.other_eea_countries.none"] == "true"


def test_an_optional_group_left_empty_is_left_out():
    posted = {"level": "risk", "reasons": "r", "no_risk_documentation.reached_unauthorised": "",
              "no_risk_documentation.scope": "  "}
    assert "no_risk_documentation" not in f.parse_form(c.AssessNotification, posted)


def test_numbers_accept_a_danish_decimal_comma_and_keep_what_is_not_a_number():
    assert f.parse_form(d.ChargeFee, {"amount_dkk": "125,50"})["amount_dkk"] == Decimal("125.50")
    assert f.parse_form(c.RecordFacts, {"facts.approx_subjects": "1.200"})["facts"]["approx_subjects"] == 1200
    assert f.parse_form(c.RecordFacts, {"facts.approx_subjects": "ca. 20"})["facts"]["approx_subjects"] == "ca. 20"


def test_text_areas_keep_line_breaks_without_the_browser_s_carriage_returns():
    assert f.parse_form(c.Document, {"summary": "Linje 1\r\nLinje 2"})["summary"] == "Linje 1\nLinje 2"


@pytest.mark.parametrize("typed, utc", [
    ("2026-03-29T01:30", datetime(2026, 3, 29, 0, 30, tzinfo=timezone.utc)),  # winter time, before the change
    ("2026-03-29T03:30", datetime(2026, 3, 29, 1, 30, tzinfo=timezone.utc)),  # summer time, after it
    ("2026-07-01T12:00", datetime(2026, 7, 1, 10, 0, tzinfo=timezone.utc)),
    ("2026-10-25T01:30", datetime(2026, 10, 24, 23, 30, tzinfo=timezone.utc)),  # summer time, before the change
    ("2026-10-25T03:30", datetime(2026, 10, 25, 2, 30, tzinfo=timezone.utc)),  # winter time, after it
    ("2026-10-25T02:30", datetime(2026, 10, 25, 0, 30, tzinfo=timezone.utc)),  # twice: read as the first
])
def test_datetime_local_is_copenhagen_time_across_summer_time(typed, utc):
    posted = {"legal_basis": "§ 22", "reason": "r", "review_at": typed}
    parsed = f.parse_form(c.PostponeCommunication, posted, DPO.model_dump(mode="json"))
    assert parsed["review_at"] == utc.isoformat()
    cmd = c.PostponeCommunication.model_validate(parsed)
    assert cmd.review_at == utc
    assert f.to_form(cmd)["review_at"] == typed


def test_a_time_skipped_by_summer_time_is_refused_in_danish():
    posted = {"legal_basis": "§ 22", "reason": "r", "review_at": "2026-03-29T02:30"}
    parsed = f.parse_form(c.PostponeCommunication, posted, DPO.model_dump(mode="json"))
    with pytest.raises(ValidationError) as refused:
        c.PostponeCommunication.model_validate(parsed)
    assert "findes ikke i dansk tid" in f.errors_da(refused.value, c.PostponeCommunication)["review_at"]


# --- errors ------------------------------------------------------------------------------------------------


def _errors(model: type[BaseModel], posted: dict, actor=KP) -> dict[str, str]:
    with pytest.raises(ValidationError) as refused:
        model.model_validate(f.parse_form(model, posted, actor.model_dump(mode="json")))
    return f.errors_da(refused.value, model)


def test_wrong_values_are_refused_in_danish_next_to_their_input():
    facts = {"facts.breach_types": ["confidentiality", "bogus"], "facts.approx_subjects": "mange",
             "facts.unavailability_hours": "-1", "facts.started_at": "1850-01-01T10:00",
             "facts.subject_categories": ["elever", "x" * 501]}
    errors = _errors(c.RecordFacts, facts)
    assert errors == {
        "facts.breach_types": "Punkt 2: Vælg en af mulighederne.",
        "facts.approx_subjects": "Skal være et helt tal.",
        "facts.unavailability_hours": "Skal være mindst 0.",
        "facts.started_at": "Skal ligge mellem 1990 og 2099.",
        "facts.subject_categories": "Punkt 2: For lang: højst 500 tegn.",
    }
    suppliers = {"suppliers.0.name": "A", "suppliers.0.email": "ikke-en-adresse"}
    assert _errors(c.RequestSupplierAccounts, suppliers) == {"suppliers.0.email": "Ugyldig e-mailadresse."}
    assert _errors(c.RecordCommunicationSent, {"recipients": "2000000000"}) == {
        "recipients": "Må højst være 1.000.000.000."}
    assert _errors(d.ChargeFee, {"ground": "excessive", "amount_dkk": "12,345", "reasons": "r", "cost_basis": "c"}) == {
        "amount_dkk": "Højst 2 decimaler."}
    assert _errors(d.Refuse, {"ground": "excessive", "reasons": "a\x07b"}) == {
        "reasons": "Indeholder et usynligt styretegn; fjern det."}
    assert _errors(d.RefusePart, {"system_id": "elev db", "basis": "archiving", "reasons": "r"})["system_id"].startswith(
        "Må kun indeholde")


def test_the_models_own_rules_are_refused_in_danish_on_the_field_they_concern():
    assert _errors(c.Contain, {"measures": "m", "system_stopped": "true"}) == {
        "stopped_systems": "Skriv hvilke it-systemer der er stoppet, når et system er stoppet."}
    twice = {"suppliers.0.name": "A", "suppliers.0.email": "a@a.dk", "suppliers.1.name": "A",
             "suppliers.1.email": "b@a.dk"}
    assert _errors(c.RequestSupplierAccounts, twice) == {"suppliers": "Hver leverandør må kun stå én gang."}
    assert _errors(c.ReviewDraft, {"approve": "false"}, DPO) == {
        "comments": "En afvisning skal sige, hvad der skal ændres."}
    assert _errors(c.CoDecide, {"approve": "false"}, DPO) == {"comments": "Skriv hvorfor du er uenig."}
    no_risk = {"level": "no_risk", "reasons": "r", "no_risk_documentation.started_at": "2026-11-20T10:00",
               "no_risk_documentation.ended_at": "2026-11-20T09:00", "no_risk_documentation.scope": "1 mail",
               "no_risk_documentation.cause": "Fejl", "no_risk_documentation.reached_unauthorised": "false"}
    assert _errors(c.AssessNotification, no_risk) == {
        "no_risk_documentation.ended_at": "Kan ikke ligge før tidspunktet, hvor bruddet startede."}
    reached = {**no_risk, "no_risk_documentation.ended_at": "2026-11-20T11:00",
               "no_risk_documentation.reached_unauthorised": "true",
               "no_risk_documentation.unauthorised_recipients": "En forælder"}
    assert _errors(c.AssessNotification, reached) == {
        "no_risk_documentation.recipients_cannot_or_will_not_use": "Skal udfyldes, når oplysningerne er kommet til "
                                                                    "uvedkommende.",
        "no_risk_documentation.recipients_no_longer_hold": "Skal udfyldes, når oplysningerne er kommet til "
                                                           "uvedkommende."}
    assert _errors(c.AssessNotification, {"level": "risk", "reasons": "r"} | {
        k: v for k, v in no_risk.items() if k.startswith("no_risk_documentation") and "ended" not in k} | {
        "no_risk_documentation.ended_at": "2026-11-20T11:00"}) == {
        "no_risk_documentation": "Dokumentationen udfyldes kun, når bruddet vurderes til ingen risiko."}
    assert _errors(c.AssessNotification, {"level": "no_risk", "reasons": "r"}) == {
        "no_risk_documentation": "Udfyld dokumentationen, når bruddet vurderes til ingen risiko."}


def test_a_refused_form_shows_again_everything_the_person_typed():
    posted = {"facts.breach_types": "availability", "facts.approx_subjects": "mange", "facts.cause": "Strømsvigt",
              "facts.systems": ["", "Aula"], "csrf": "ignored"}
    errors = _errors(c.RecordFacts, posted)
    shown = {s.name: s.value for s in f.flat_fields(f.form_for(c.RecordFacts, f.refill(c.RecordFacts, posted)))}
    assert shown["facts.approx_subjects"] == "mange" and "facts.approx_subjects" in errors
    assert shown["facts.cause"] == "Strømsvigt"
    assert shown["facts.breach_types"] == ["availability"]
    assert shown["facts.systems"] == ["Aula", "", "", ""]


def test_every_error_key_is_an_input_on_the_page_or_the_form_itself():
    cases = [(c.Contain, {"measures": "m", "system_stopped": "true"}),
             (c.RecordFacts, {"facts.breach_types": "bogus", "facts.started_at": "2026-11-20T10:00",
                              "facts.ended_at": "2026-11-20T09:00"}),
             (c.PlanCommunication, {"message": "m", "items.0.audience": "press", "release_with": "controller"})]
    for model, posted in cases:
        errors = _errors(model, posted)
        names = {s.name for s in f.flat_fields(f.form_for(model, f.refill(model, posted)))}
        names |= {s.name for s in f.form_for(model, f.refill(model, posted))}
        assert set(errors) <= names | {""}, errors


# --- the module stays pure -------------------------------------------------------------------------------


@pytest.mark.parametrize("module", ["forms.py", "labels.py"])
def test_the_form_module_imports_only_pydantic_and_the_domain(module):
    tree = ast.parse((ROOT / "web" / module).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.add(node.module.split(".")[0])
    # No FastAPI, no templates, no infrastructure: the standard library, pydantic and the domain.
    outside = imported - set(sys.stdlib_module_names) - {"annotated_types", "pydantic", "domain", "web"}
    assert not outside, outside
