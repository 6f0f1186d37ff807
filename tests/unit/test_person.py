"""One person, never a neighbour: the pure resolution and the submit-time refusals (no server)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from pydantic import ValidationError

from activities.inventory_file import load_inventory
from domain.requests import model as d
from domain.requests.person import (
    PersonResolution, RowFacts, TableFacts, Verdict, resolution_summary_da, resolve_system, resolve_table,
    with_shared_identifiers,
)
from app.settings import Settings, request_policy

ROOT = Path(__file__).parents[2]
KAREN = {"email": "karen@example.dk", "elevnummer": "E1001"}


def _pupils(*rows: tuple[int, str | None, str | None]) -> TableFacts:
    """The pupils table as the read-only look sees it: key, elevnummer, parent e-mail."""
    return TableFacts(table="elever", kinds=["elevnummer", "email"],
                      rows=[RowFacts(key=k, ids={"elevnummer": n, "email": e}) for k, n, e in rows])


def test_rows_where_every_supplied_identifier_agrees_are_the_person_and_acted_on_by_key():
    found = resolve_table(_pupils((1, "E1001", "karen@example.dk")), KAREN)
    assert found.verdict is Verdict.CLEAN and found.keys == [1]


def test_a_sibling_sharing_the_parent_email_makes_the_table_ambiguous():
    found = resolve_table(_pupils((1, "E1001", "karen@example.dk"), (2, "E1002", "karen@example.dk")), KAREN)
    assert found.verdict is Verdict.AMBIGUOUS and found.keys == []
    assert "1 række(r) passer kun på en del" in found.reason_da and "E1002" not in found.reason_da


def test_a_shared_family_email_on_two_pupils_rows_is_several_people():
    found = resolve_table(_pupils((1, "E1001", "fam@example.dk"), (2, "E1002", "fam@example.dk")),
                          {"email": "fam@example.dk"})
    assert found.verdict is Verdict.AMBIGUOUS and "2 forskellige personer" in found.reason_da


def test_several_rows_of_one_person_in_a_table_are_one_person():
    absence = TableFacts(table="fravaer", kinds=["elevnummer"],
                         rows=[RowFacts(key=k, ids={"elevnummer": "E1001"}) for k in (4, 9, 12)])
    assert resolve_table(absence, KAREN).keys == [4, 9, 12]


def test_identifiers_that_never_meet_on_one_row_are_a_conflict():
    found = resolve_table(_pupils((1, "E1001", "other@example.dk"), (7, "E1050", "karen@example.dk")), KAREN)
    assert found.verdict is Verdict.CONFLICT and "hører til forskellige personer" in found.reason_da


def test_a_row_missing_one_of_the_supplied_identifiers_is_a_partial_match():
    found = resolve_table(_pupils((1, "E1001", "karen@example.dk"), (3, "E1001", None)), KAREN)
    assert found.verdict is Verdict.AMBIGUOUS and "mangler" in found.reason_da


def test_a_table_holding_none_of_the_identifiers_is_left_alone():
    payments = TableFacts(table="betalinger", kinds=["email"], rows=[])
    assert resolve_table(payments, {"elevnummer": "E1001"}).verdict is Verdict.NOT_HELD


def test_one_ambiguous_table_holds_back_the_whole_system():
    clean = TableFacts(table="fravaer", kinds=["elevnummer"], rows=[RowFacts(key=4, ids={"elevnummer": "E1001"})])
    ambiguous = _pupils((1, "E1001", "karen@example.dk"), (2, "E1002", "karen@example.dk"))
    system = resolve_system("elevadministration", [clean, ambiguous], KAREN)
    assert system.verdict is Verdict.AMBIGUOUS and system.keys() == {"fravaer": [], "elever": []}


def test_an_email_shown_to_belong_to_several_pupils_identifies_nobody_in_a_table_holding_only_that_email():
    # The parent's e-mail sits on two siblings' rows: the payments found by that e-mail alone are not
    # provably the subject's, though only one family's rows match there.
    pupils = resolve_system("elevadministration", [_pupils((1, "E1001", "karen@example.dk"),
                                                           (2, "E1002", "karen@example.dk"))], KAREN)
    payments = resolve_system("sfo_betaling", [TableFacts(table="betalinger", kinds=["email"], rows=[
        RowFacts(key=5, ids={"email": "karen@example.dk"})])], KAREN)
    absence = resolve_system("fravaer", [TableFacts(table="fravaer", kinds=["elevnummer"], rows=[
        RowFacts(key=4, ids={"elevnummer": "E1001"})])], KAREN)
    assert payments.verdict is Verdict.CLEAN  # judged alone
    resolved = with_shared_identifiers(PersonResolution(systems=[pupils, payments, absence]))
    assert resolved.system("sfo_betaling").verdict is Verdict.AMBIGUOUS and resolved.system("sfo_betaling").keys() == {
        "betalinger": []}
    assert "deles af flere personer" in resolved.system("sfo_betaling").reasons_da()[0]
    assert resolved.system("fravaer").verdict is Verdict.CLEAN and resolved.system("fravaer").keys() == {
        "fravaer": [4]}  # the elevnummer is the child's own


def test_identifiers_nobody_shares_leave_every_clean_table_as_it_is():
    pupils = resolve_system("elevadministration", [_pupils((1, "E1001", "karen@example.dk"))], KAREN)
    payments = resolve_system("sfo_betaling", [TableFacts(table="betalinger", kinds=["email"], rows=[
        RowFacts(key=5, ids={"email": "karen@example.dk"})])], KAREN)
    resolution = PersonResolution(systems=[pupils, payments])
    assert with_shared_identifiers(resolution) == resolution


def test_when_the_look_fails_for_good_every_system_waits_for_a_person():
    # The workflow records this when the read-only activity fails after its retries: no system acts on a guess.
    failed = PersonResolution(unresolved=True)
    assert failed.needs_review("elevadministration") and failed.needs_review("nyhedsbrev")
    assert "kunne ikke fastslås" in resolution_summary_da(failed, {})


# --- submit-time refusals ----------------------------------------------------------------------


def _input(**overrides) -> d.RequestInput:
    fields = dict(request_id="dsr-2026-0001", type="access", channel="email",
                  received_at=datetime(2026, 1, 5, tzinfo=timezone.utc),
                  requester={"name": "Karen", "email": "karen@example.dk"}, subject_name="Karen",
                  identifiers={"email": "karen@example.dk"}, policy=request_policy(Settings(_env_file=None)),
                  inventory=load_inventory(ROOT / "examples" / "inventory.yaml"))
    fields.update(overrides)
    return d.RequestInput.receive(fields)


@pytest.mark.parametrize("identifiers, message", [
    ({"cpr": "010203-1234"}, "'cpr' is not an identifier any system in the inventory knows (known: elevnummer, email)"),
    # The shared one-line text type refuses these first, naming the identifier.
    ({"elevnummer": "  "}, "identifiers.elevnummer\n  String should have at least 1 character"),
    ({"elevnummer": "E1001\x00"}, "identifiers.elevnummer\n  Value error, contains a control character"),
])
def test_unknown_kinds_empty_values_and_control_characters_are_refused_at_submit(identifiers, message):
    with pytest.raises(ValidationError, match="identifiers") as failure:
        _input(identifiers=identifiers)
    assert message in str(failure.value)


def test_a_request_received_before_these_rules_still_decodes_so_its_workflow_replays():
    # A running request whose input the new intake rules would refuse: Temporal decodes it again on every
    # replay, and an input that no longer decodes would stop the case for good.
    stored = _input().model_dump(mode="json") | {"identifiers": {"cpr": "010203-1234"}}
    assert d.RequestInput.model_validate(stored).identifiers == {"cpr": "010203-1234"}
    with pytest.raises(ValidationError, match="'cpr' is not an identifier"):
        d.RequestInput.receive(stored)


@pytest.mark.parametrize("correction, message", [
    ({"system_id": "elevadministration", "table": "elever", "column": "begraenset"},
     "'begraenset' is not a data column of elevadministration.elever"),
    ({"system_id": "elevadministration", "table": "laerere", "column": "navn"}, "has no table 'laerere'"),
    ({"system_id": "papirarkiv", "table": "mapper", "column": "navn"}, "'papirarkiv' is handled by hand"),
])
def test_a_correction_must_name_a_data_column_the_inventory_lists(correction, message):
    with pytest.raises(ValidationError, match="corrections") as failure:
        _input(type="rectification", corrections=[{**correction, "new_value": "x"}])
    assert message in str(failure.value)


def test_a_correction_of_a_listed_data_column_is_accepted():
    inp = _input(type="rectification", corrections=[
        {"system_id": "elevadministration", "table": "elever", "column": "adresse", "new_value": "Havnegade 3"}])
    assert inp.corrections[0].column == "adresse"


def test_a_parent_acting_for_a_child_identifies_the_child_not_themselves():
    with pytest.raises(ValidationError, match="the parent's own e-mail is where the answer goes"):
        _input(on_behalf="parental_authority", subject_age=9, identifiers={"email": "Karen@example.dk"})
    child = _input(on_behalf="parental_authority", subject_age=9, identifiers={"elevnummer": "E1001"})
    assert child.identifiers == {"elevnummer": "E1001"}
