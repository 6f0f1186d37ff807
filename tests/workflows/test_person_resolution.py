"""One person, never a neighbour: requests against the example school's look-alike families.

Each test compares a full dump of the school database before and after, so it shows
exactly which rows a request touched (docs/person-resolution.md has the figures).
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio.testing import WorkflowEnvironment

from domain.requests import model as d
from scripts.example_school import MISMATCHED_PAIR
from app.settings import request_policy
from tests.support import KEY_PERSON, MailBox, RequestDriver

Dump = dict[str, dict[int, tuple]]


@pytest.fixture(autouse=True)
async def _end_open_requests(requests: RequestDriver) -> AsyncIterator[None]:
    """These requests stop at manual tasks; end them so later tests (`gdpr requests`) see no orphaned cases."""
    started = []
    real_open = requests.open

    async def open_and_remember(*args: Any, **kwargs: Any):
        started.append(handle := await real_open(*args, **kwargs))
        return handle

    requests.open = open_and_remember  # type: ignore[method-assign]
    yield
    for handle in started:
        await handle.terminate(reason="test finished")
SQL_SYSTEMS = ["elevadministration", "foto", "nyhedsbrev", "sfo_betaling"]


def _dump(db: Path) -> Dump:
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("select name from sqlite_master where type='table' order by name")]
        return {t: {row[0]: row for row in conn.execute(f"select * from {t}")} for t in tables}


def _touched(before: Dump, after: Dump) -> dict[str, dict[str, int]]:
    """Per table: rows deleted and rows changed (nothing else may differ)."""
    touched = {}
    for table, rows in before.items():
        deleted = len(rows.keys() - after[table].keys())
        changed = sum(1 for key, row in rows.items() if key in after[table] and after[table][key] != row)
        assert len(after[table].keys() - rows.keys()) == 0, f"rows appeared in {table}"
        if deleted or changed:
            touched[table] = {k: v for k, v in (("deleted", deleted), ("changed", changed)) if v}
    return touched


def _rows_of(db: Path, table: str, where: str, *params: Any) -> list[int]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute(f"select id from {table} where {where} order by id", params)]


async def _for_child(requests: RequestDriver, type: str, parent: tuple[str, str], child: tuple[str, str],
                     **extra: Any):
    handle = await requests.open(type, requester={"name": parent[0], "email": parent[1]}, subject_name=child[0],
                                 on_behalf="parental_authority", subject_age=11, identifiers={"elevnummer": child[1]},
                                 **extra)
    await requests.verify(handle, method="parental_authority",
                          maturity_assessment="Barnet er 11 år; oplysningerne gives til forælderen")
    return handle


async def _erase(requests: RequestDriver, handle) -> None:
    await requests.act(handle, "assess_erasure", d.AssessErasure(
        actor=KEY_PERSON, purpose_no_longer_present=True, no_outstanding_obligations=True,
        reasons="Barnet er udmeldt; intet udestående"))


async def test_a_parent_erasing_one_childs_data_leaves_the_sibling_with_the_same_parent_email_alone(
        requests: RequestDriver):
    db = requests.school_db
    sibling = {t: _rows_of(db, t, "elevnummer='E9002'") for t in ("elever", "fravaer", "karakterer", "foto_samtykke")}
    before = _dump(db)
    handle = await _for_child(requests, "erasure", ("Sofie Lund", "sofie.lund@example.dk"), ("Oliver Lund", "E9001"))
    await _erase(requests, handle)
    view = await requests.wait_state(handle, "processing")

    assert view.systems_pending == ["papirarkiv"]
    assert _touched(before, _dump(db)) == {"fravaer": {"deleted": 2}, "foto_samtykke": {"deleted": 1}}
    assert not _rows_of(db, "fravaer", "elevnummer='E9001'") and not _rows_of(db, "foto_samtykke", "elevnummer='E9001'")
    assert {t: _rows_of(db, t, "elevnummer='E9002'") for t in sibling} == sibling
    assert _rows_of(db, "nyhedsbrev", "email='sofie.lund@example.dk'")  # the parent's own data is not the child's


async def test_a_restriction_for_one_of_two_pupils_with_the_same_name_marks_only_that_pupil(requests: RequestDriver):
    db = requests.school_db
    before = _dump(db)
    handle = await _for_child(requests, "restriction", ("Peter Nielsen", "peter.nielsen@example.dk"),
                              ("Mads Nielsen", "E9011"))
    await requests.wait_state(handle, "processing")

    after = _dump(db)
    assert _touched(before, after) == {"elever": {"changed": 1}, "fravaer": {"changed": 2}}
    with sqlite3.connect(db) as conn:
        marked = conn.execute("select elevnummer, count(*) from elever where begraenset=1 group by 1").fetchall()
        assert marked == [("E9011", 1)]
        assert conn.execute("select sum(begraenset) from fravaer where elevnummer='E9012'").fetchone() == (0,)


async def test_a_shared_family_email_on_two_pupils_rows_sends_those_systems_to_manual_review(
        requests: RequestDriver, mailbox: MailBox, env: WorkflowEnvironment):
    db = requests.school_db
    before = _dump(db)
    handle = await requests.open("erasure", requester={"name": "Anne Berg", "email": "familien.berg@example.dk"},
                                 subject_name="Anne Berg", identifiers={"email": "familien.berg@example.dk"})
    await requests.verify(handle)
    await _erase(requests, handle)
    view = await requests.wait_state(handle, "processing")

    # The pupils' rows show the e-mail belongs to two people, so it identifies nobody: even the newsletter
    # row and the payments found by that e-mail alone wait for a person. Nothing is touched.
    assert _touched(before, _dump(db)) == {}
    assert view.systems_pending == ["elevadministration", "foto", "nyhedsbrev", "sfo_betaling", "papirarkiv"]
    resolved = next(e for e in view.timeline if e.action == "person_resolved")
    assert "Elevadministration: manuel gennemgang" in resolved.summary
    assert "Nyhedsbrev til forældre: manuel gennemgang" in resolved.summary
    reviews = [m for m in await mailbox.wait_for(handle.id, 7) if "Manuel gennemgang" in m["Subject"]]
    assert sorted(m["Subject"].split("] ")[1] for m in reviews) == [
        "Manuel gennemgang i Elevadministration", "Manuel gennemgang i Fotosamtykker og klassebilleder",
        "Manuel gennemgang i Nyhedsbrev til forældre", "Manuel gennemgang i SFO-betalinger"]
    reviews.sort(key=lambda m: m["Subject"])
    body = reviews[0].get_body(("plain",)).get_content()
    assert "2 forskellige personer" in body and "Intet er læst, ændret eller slettet" in body
    assert not any(name in body for name in ("Alma", "Noah", "E9021", "E9022"))

    details = await handle.query("details", result_type=d.RequestCase)  # the owner completes the review by hand
    assert details.result("elevadministration").manual

    await env.fast_forward(handle, timedelta(days=3, hours=1))  # the owner is reminded of the review, not a plain task
    subjects = [m["Subject"] for m in await mailbox.wait_for(handle.id, 12)]  # 7 before, 5 reminders
    assert any(s.endswith("Påmindelse: Manuel gennemgang i Elevadministration") for s in subjects)
    assert not any("Opgave i Elevadministration" in s for s in subjects)


async def test_a_parent_asking_for_a_child_gets_the_childs_data_and_not_their_own(requests: RequestDriver):
    db = requests.school_db
    before = _dump(db)
    handle = await _for_child(requests, "access", ("Lars Holt", "lars.holt@example.dk"), ("Freja Holt", "E9031"))
    await requests.wait_state(handle, "processing")

    assert _touched(before, _dump(db)) == {}
    details = await handle.query("details", result_type=d.RequestCase)
    collected = {t.table: len(t.rows) for s in details.systems for t in s.tables}
    assert collected == {"elever": 1, "fravaer": 2, "karakterer": 1, "foto_samtykke": 1, "nyhedsbrev": 0,
                         "betalinger": 0}
    assert details.result("elevadministration").tables[0].rows[0]["navn"] == "Freja Holt"


async def test_a_mismatched_identifier_pair_changes_nothing_anywhere_and_opens_manual_review(
        requests: RequestDriver, mailbox: MailBox):
    db = requests.school_db
    before = _dump(db)
    handle = await requests.open("erasure", requester={"name": "Lars Holt", "email": "lars.holt@example.dk"},
                                 subject_name="Lars Holt", identifiers=MISMATCHED_PAIR)
    await requests.verify(handle)
    await _erase(requests, handle)
    view = await requests.wait_state(handle, "processing")

    assert _dump(db) == before  # nothing read beyond identifiers, nothing changed or deleted, in any system
    assert view.systems_pending == [*SQL_SYSTEMS, "papirarkiv"] and view.systems_done == []
    details = await handle.query("details", result_type=d.RequestCase)
    assert details.resolution.conflict and all(r.manual and not r.tables for r in details.systems)
    resolved = next(e for e in view.timeline if e.action == "person_resolved")
    assert "peger på forskellige personer (Elevadministration, Fotosamtykker og klassebilleder)" in resolved.summary

    mails = await mailbox.wait_for(handle.id, 8)
    subjects = [m["Subject"].split("] ")[1] for m in mails]
    assert sum(s.startswith("Manuel gennemgang i ") for s in subjects) == 5  # every system's owner, the archive too
    assert "Opgave i Papirarkiv på kontoret" not in subjects  # the plain search task is held back
    notice = next(m for m in mails if "Anmodningen er stoppet" in m["Subject"])
    policy = request_policy(requests.settings)
    assert policy.responsible.email in notice["To"] and policy.dpo.email in notice["To"]  # the key person is told
    for mail in mails:
        body = mail.get_body(("plain",)).get_content()
        assert not any(other in body for other in ("Oliver", "Freja", "E9031", "sofie.lund", "Ida"))
