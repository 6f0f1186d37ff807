"""The rest of the register's storage on SQLite and PostgreSQL: dead letters, control reports, the register
lists, the retention purge, and the web workspace's accounts and personal tokens.

Times go in with a Danish offset and must come out as the same instant in UTC on both databases (the
test PostgreSQL runs in Europe/Copenhagen, SQLite keeps no offset at all).
"""

from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, func, insert, select
from temporalio.testing import ActivityEnvironment

from activities import audit
from activities.controls import ControlActivities, list_reports
from activities.db import (
    audit_log, breach_register, case_events, case_index, case_keys, connector_runs, control_reports,
    make_engine, outbox, restrictions,
)
from activities.deadletters import DeadLetterActivities, discard_without_case, list_dead_letters
from activities.register import RegisterActivities, RequestStepRecord, StepRecord
from activities.register_lists import RegisterFilter, breach_years, case_timeline, list_breaches, list_requests
from activities.retention import ExpiredCasesQuery, NotExpired, PurgeCaseRequest, RetentionActivities
from app.codec import key_engine
from domain.controls import ControlReport, Period
from domain.kernel.dead_letters import DeadLetter, EffectKind, LetterStatus, LetterStatusChange
from domain.kernel.model import SYSTEM, TimelineEvent
from domain.breach.register import build_register_entry
from tests.unit.cases import NOW, S, case_in
from tests.unit.cases import request_entry
from web.accounts import AccountStore, LoginRefused, LoginThrottled

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
LOCAL_NOW = NOW.astimezone(COPENHAGEN)  # the same instant, written with +01:00
BREACH_DAYS, REQUEST_DAYS = 5 * 365, 365


def _closed_breach(engine: Engine, case_id: str, closed_at: datetime | None) -> int:
    """A case recorded step by step to its end; returns the number of steps."""
    case = case_in(S.CLOSED)
    entry = build_register_entry(case, NOW).model_copy(update={"case_id": case_id, "closed_at": closed_at})
    for event in case.timeline:
        ActivityEnvironment().run(RegisterActivities(engine, "Eksempel Skole").record_step,
                                  StepRecord(event=event, entry=entry))
    return len(case.timeline)


# --- dead letters ---------------------------------------------------------------------------------------


def _letter(number: int, failures: int = 1, failed_at: datetime = LOCAL_NOW) -> DeadLetter:
    return DeadLetter(letter_id=f"breach-2026-0001/{number}", case_id="breach-2026-0001", effect_kind=EffectKind.MAIL,
                      effect_key=f"breach-2026-0001.mail.{number}", error_type="SMTPRecipientsRefused",
                      error_message="SMTP refused the recipients: 550", failed_at=failed_at, failures=failures,
                      permanent=True)


def test_a_dead_letter_failing_again_is_one_row_and_an_operator_moves_it_on(database_url: str):
    engine = make_engine(database_url)
    letters = DeadLetterActivities(engine, mail=None, operator_email="drift@skole.dk")  # type: ignore[arg-type]
    env = ActivityEnvironment()
    env.run(letters.record_dead_letter, _letter(1))
    env.run(letters.record_dead_letter, _letter(1, failures=2, failed_at=LOCAL_NOW + timedelta(minutes=5)))
    env.run(letters.record_dead_letter, _letter(2, failed_at=LOCAL_NOW + timedelta(minutes=10)))
    [first, second] = list_dead_letters(engine)
    assert (first["letter_id"], first["failures"], first["status"]) == ("breach-2026-0001/1", 2, "open")
    assert first["failed_at"] == NOW + timedelta(minutes=5) and first["failed_at"].utcoffset() == timedelta(0)

    env.run(letters.set_dead_letter_status, LetterStatusChange(letter_id=second["letter_id"],
                                                               status=LetterStatus.RETRYING, at=LOCAL_NOW))
    assert [r["status"] for r in list_dead_letters(engine)] == ["open", "retrying"]
    change = LetterStatusChange(letter_id=first["letter_id"], status=LetterStatus.DISCARDED, at=LOCAL_NOW,
                                actor_name="Drift", reason="Modtageren findes ikke længere")
    assert discard_without_case(engine, change) and not discard_without_case(engine, change)  # only an open one
    assert [r["letter_id"] for r in list_dead_letters(engine)] == ["breach-2026-0001/2"]
    discarded = list_dead_letters(engine, include_closed=True)[0]
    assert (discarded["status"], discarded["changed_by"], discarded["changed_at"]) == ("discarded", "Drift", NOW)


# --- control reports and the register lists ---------------------------------------------------------------


def test_a_control_report_stored_again_replaces_itself_and_the_periods_find_their_cases(database_url: str,
                                                                                       tmp_path: Path):
    engine = make_engine(database_url)
    _closed_breach(engine, "breach-2026-0001", closed_at=NOW)
    event = TimelineEvent(seq=1, at=NOW, actor=SYSTEM, action="receive", summary="Modtaget")
    ActivityEnvironment().run(RegisterActivities(engine).record_request_step,
                              RequestStepRecord(event=event, entry=request_entry()))
    controls = ControlActivities(engine, tmp_path / "inventory.yaml")
    aware_at = case_in(S.CLOSED).report.aware_at
    around = Period(start=(aware_at - timedelta(days=1)).astimezone(COPENHAGEN),
                    end=(aware_at + timedelta(days=1)).astimezone(COPENHAGEN), label="omkring")
    [breach] = ActivityEnvironment().run(controls.breaches_in_period, around)
    assert breach.case_id == "breach-2026-0001" and breach.aware_at == aware_at
    before = Period(start=around.start - timedelta(days=10), end=around.start, label="før")
    assert ActivityEnvironment().run(controls.breaches_in_period, before) == []
    month = Period(start=LOCAL_NOW - timedelta(days=30), end=LOCAL_NOW, label="måned")
    assert [r.request_id for r in ActivityEnvironment().run(controls.requests_in_period, month)] == ["dsr-2026-0001"]

    for findings in (["Et fund"], ["Et fund", "Et andet fund"]):
        ActivityEnvironment().run(controls.store_control_report, ControlReport(
            report_id="monthly-2026-10", kind="monthly_requests", period=month, findings=findings, text="Rapport"))
    [report] = list_reports(engine)
    assert (report["report_id"], report["findings"]) == ("monthly-2026-10", 2)
    assert report["period_start"] == month.start and report["period_start"].tzinfo == timezone.utc
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(control_reports)).scalar_one() == 1


def test_the_register_lists_filter_by_danish_year_and_keep_the_timeline_in_order(database_url: str):
    engine = make_engine(database_url)
    steps = _closed_breach(engine, "breach-2026-0001", closed_at=NOW)
    year = case_in(S.CLOSED).report.aware_at.astimezone(COPENHAGEN).year
    assert breach_years(engine) == [year]
    page = list_breaches(engine, RegisterFilter(year=year, closed=True))
    assert page.total == 1 and page.rows[0].closed_at == NOW
    assert list_breaches(engine, RegisterFilter(year=year - 1)).total == 0
    assert list_breaches(engine, RegisterFilter(closed=False)).total == 0
    assert list_requests(engine, RegisterFilter()).total == 0
    timeline = case_timeline(engine, "breach-2026-0001")
    assert [e.seq for e in timeline] == list(range(1, steps + 1))
    assert all(e.at.tzinfo == timezone.utc for e in timeline)


# --- the retention purge ----------------------------------------------------------------------------------


def test_the_purge_removes_a_case_past_its_period_and_nothing_younger_and_the_chain_still_verifies(
        database_url: str, tmp_path: Path):
    engine = make_engine(database_url)
    keys = key_engine(database_url)  # as docker-compose.yml has it: the keys beside the register
    closed = NOW - timedelta(days=BREACH_DAYS + 1)
    _closed_breach(engine, "breach-2021-0001", closed_at=closed)
    _closed_breach(engine, "breach-2026-0002", closed_at=NOW - timedelta(days=30))
    with engine.begin() as conn:
        conn.execute(insert(outbox).values(message_id="<breach-2021-0001.0@gdpr.local>", case_id="breach-2021-0001",
                                           mail_key="breach-2021-0001.m0", recipients="x@skole.dk", subject="Emne",
                                           status="sent", attempts=1))
        conn.execute(insert(restrictions).values(request_id="breach-2021-0001", system_id="elevdb",
                                                 table_name="elever", row_key="E1001", restricted_at=closed))
        conn.execute(insert(connector_runs).values(request_id="breach-2021-0001", system_id="elevdb",
                                                   action="access", result="{}"))
    with keys.begin() as conn:
        for case_id in ("breach-2021-0001", "breach-2026-0002"):
            conn.execute(insert(case_keys).values(case_id=case_id, wrapped_key="eA==", created_at=closed))
    (tmp_path / "exports" / "breach-2021-0001").mkdir(parents=True)
    (tmp_path / "exports" / "breach-2021-0001" / "svar.zip").write_bytes(b"zip")

    purge = RetentionActivities(engine, keys, tmp_path / "exports")
    periods = dict(breach_retention_days=BREACH_DAYS, request_retention_days=REQUEST_DAYS)
    now = LOCAL_NOW  # the workflow's clock, in any offset
    assert ActivityEnvironment().run(purge.expired_cases, ExpiredCasesQuery(now=now, **periods)) == ["breach-2021-0001"]
    with pytest.raises(NotExpired):
        ActivityEnvironment().run(purge.purge_case, PurgeCaseRequest(case_id="breach-2026-0002", now=now, **periods))
    done = ActivityEnvironment().run(purge.purge_case, PurgeCaseRequest(case_id="breach-2021-0001", now=now, **periods))
    assert (done.register_rows, done.mails, done.restrictions, done.connector_results, done.export_files,
            done.key_destroyed) == (1, 1, 1, 1, 1, True) and done.timeline_events > 10
    again = ActivityEnvironment().run(purge.purge_case, PurgeCaseRequest(case_id="breach-2021-0001", now=now,
                                                                         **periods))
    assert again == done  # a retry reports what the first attempt found

    with engine.connect() as conn:
        def case_ids(column) -> set[str]:
            return set(conn.execute(select(column)).scalars())

        for column in (breach_register.c.case_id, case_events.c.case_id, case_index.c.case_id):
            assert case_ids(column) == {"breach-2026-0002"}, column.table.name  # the younger case stays
        for column in (outbox.c.case_id, restrictions.c.request_id, connector_runs.c.request_id):
            assert case_ids(column) == set(), column.table.name
        bodies = conn.execute(select(func.count()).where(
            audit_log.c.case_id == "breach-2021-0001", audit_log.c.body.is_not(None))).scalar_one()
    with keys.connect() as conn:
        assert list(conn.execute(select(case_keys.c.case_id)).scalars()) == ["breach-2026-0002"]
    assert bodies == 1  # the purge record itself
    assert audit.verify_chain(engine).ok


# --- accounts and personal tokens ---------------------------------------------------------------------------


def test_accounts_lock_after_five_failures_and_tokens_are_found_listed_and_revoked(database_url: str):
    store = AccountStore(make_engine(database_url), PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    store.add("Mille@Eksempel-Skole.dk", "Mille Nordstrand", ["key_person"], "korrekt hest batteri", now=LOCAL_NOW)
    assert store.authenticate("mille@eksempel-skole.dk", "korrekt hest batteri", LOCAL_NOW).name == "Mille Nordstrand"
    for _ in range(4):
        with pytest.raises(LoginRefused):
            store.authenticate("mille@eksempel-skole.dk", "forkert", LOCAL_NOW)
    with pytest.raises(LoginThrottled) as locked:
        store.authenticate("mille@eksempel-skole.dk", "forkert", LOCAL_NOW)
    assert locked.value.until == NOW + timedelta(minutes=15)
    with pytest.raises(LoginThrottled):  # even the right password, until the lock runs out
        store.authenticate("mille@eksempel-skole.dk", "korrekt hest batteri", LOCAL_NOW + timedelta(minutes=14))
    assert store.authenticate("mille@eksempel-skole.dk", "korrekt hest batteri", LOCAL_NOW + timedelta(minutes=16))

    first = store.create_token("mille@eksempel-skole.dk", LOCAL_NOW)
    second = store.create_token("mille@eksempel-skole.dk", LOCAL_NOW + timedelta(hours=1))
    assert store.account_for_token(first).email == "mille@eksempel-skole.dk"
    listed = store.list_tokens("mille@eksempel-skole.dk")
    assert [t.created_at for t in listed] == [NOW + timedelta(hours=1), NOW]  # newest first, in UTC
    assert store.revoke_token("mille@eksempel-skole.dk", listed[1].token_id, LOCAL_NOW)
    assert store.account_for_token(first) is None and store.account_for_token(second) is not None
    store.disable("mille@eksempel-skole.dk", LOCAL_NOW)
    assert store.account_for_token(second) is None
    assert all(t.revoked_at == NOW for t in store.list_tokens("mille@eksempel-skole.dk"))


# --- the case keys beside the register (docker-compose.yml) -------------------------------------------------


def test_two_workers_asking_for_a_new_cases_key_at_once_get_the_same_key(database_url: str):
    from concurrent.futures import ThreadPoolExecutor

    from app.codec import CaseKeyStore, new_master_key

    make_engine(database_url)  # the register first, as the workers' migrations leave it
    master = base64.b64decode(new_master_key())
    stores = [CaseKeyStore(key_engine(database_url), master) for _ in range(2)]  # one per worker
    with ThreadPoolExecutor(max_workers=2) as pool:
        keys = list(pool.map(lambda store: store.key_for_encoding("breach-2026-0001").key, stores))
    assert keys[0] == keys[1] and len(keys[0]) == 32
    fresh = CaseKeyStore(key_engine(database_url), master)  # a third process reads the one stored key
    assert fresh.key_for_decoding("breach-2026-0001", stores[0].key_for_encoding("breach-2026-0001").check).key == keys[0]
