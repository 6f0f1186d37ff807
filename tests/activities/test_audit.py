"""The audit trail: every register step is chained by hash; edits and deletions are found; appends serialise."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from sqlalchemy import Engine, delete, select, update
from temporalio.testing import ActivityEnvironment

from activities import audit
from activities.db import audit_log, make_engine
from activities.register import RegisterActivities, StepRecord
from domain.breach.register import build_register_entry
from tests.unit.cases import NOW, S, case_in

ROOT = Path(__file__).resolve().parents[2]


def _record_closed_case(engine: Engine, case_id: str = "breach-2026-0001") -> int:
    """Record every step of a case that went the whole way to closed; returns the number of steps."""
    case = case_in(S.CLOSED)
    register = RegisterActivities(engine)
    env = ActivityEnvironment()
    entry = build_register_entry(case, NOW).model_copy(update={"case_id": case_id})
    for event in case.timeline:
        env.run(register.record_step, StepRecord(event=event, entry=entry))
    return len(case.timeline)


def _records(engine: Engine) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(audit_log).order_by(audit_log.c.position)).mappings()]


def test_every_register_step_and_the_closed_case_are_chained_records_that_verify(database_url: str):
    engine = make_engine(database_url)
    steps = _record_closed_case(engine)
    records = _records(engine)
    events = [r for r in records if r["kind"] == "event"]
    closed = [r for r in records if r["kind"] == "closed"]
    assert len(events) == steps and [r["seq"] for r in events] == sorted(r["seq"] for r in events)
    # the closed register row (the case's decisions) is a record of its own
    assert closed and '"lessons_learned"' in closed[0]["body"] and '"closed_at"' in closed[0]["body"]
    assert all(b["prev_hash"] == a["hash"] for a, b in zip(records, records[1:]))
    report = audit.verify_chain(engine)
    assert report.ok and report.records == len(records) and report.head_hash == records[-1]["hash"]


def test_a_retried_register_step_appends_no_second_audit_record(database_url: str):
    engine = make_engine(database_url)
    _record_closed_case(engine)
    before = _records(engine)
    _record_closed_case(engine)  # every activity runs again, as after a retry
    assert _records(engine) == before and audit.verify_chain(engine).ok


def test_editing_one_audit_record_is_detected_at_that_record(database_url: str):
    engine = make_engine(database_url)
    _record_closed_case(engine)
    with engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.position == 3)
                     .values(body=audit_log.c.body + " "))
    report = audit.verify_chain(engine)
    assert not report.ok and report.broken_at == 3 and report.reason == "content changed"


def test_editing_a_record_and_its_digest_is_still_detected(database_url: str):
    engine = make_engine(database_url)
    _record_closed_case(engine)
    forged = audit.canonical_json({"action": "nothing happened"})
    with engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.position == 2)
                     .values(body=forged, body_sha256=audit.sha256(forged)))
    report = audit.verify_chain(engine)
    assert not report.ok and report.broken_at == 2 and report.reason == "header or hash changed"


def test_deleting_one_audit_record_is_detected(database_url: str):
    engine = make_engine(database_url)
    _record_closed_case(engine)
    with engine.begin() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.position == 4))
    report = audit.verify_chain(engine)
    assert not report.ok and report.broken_at == 4 and report.reason == "record 4 is missing"


def test_deleting_the_newest_audit_record_is_detected_by_the_head(database_url: str):
    engine = make_engine(database_url)
    _record_closed_case(engine)
    last = len(_records(engine))
    with engine.begin() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.position == last))
    report = audit.verify_chain(engine)
    assert not report.ok and report.broken_at == last and "newest records were removed" in (report.reason or "")


def test_removing_a_body_without_a_purge_is_detected(database_url: str):
    engine = make_engine(database_url)
    _record_closed_case(engine)
    with engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.position == 5).values(body=None))
    report = audit.verify_chain(engine)
    assert not report.ok and report.broken_at == 5 and "without a purge" in (report.reason or "")


def _append_concurrently(engine: Engine) -> None:
    errors: list[BaseException] = []

    def append_many(worker: int) -> None:
        try:
            for seq in range(15):
                audit.append_in_new_transaction(engine, f"breach-2026-{worker:04d}", "event", seq, {"n": seq})
        except BaseException as err:  # noqa: BLE001 - collected and asserted below
            errors.append(err)

    threads = [threading.Thread(target=append_many, args=(w,)) for w in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_concurrent_appends_from_many_threads_form_one_unbroken_chain(database_url: str):
    """SQLite serialises on its write lock, PostgreSQL on the row lock of the chain's head."""
    engine = make_engine(database_url)
    _append_concurrently(engine)
    report = audit.verify_chain(engine)
    assert report.ok and report.records == 6 * 15, report.reason
    _record_closed_case(engine)  # the register activity's own path after them
    assert audit.verify_chain(engine).ok


def _verify_cli(database: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "starter.py"), "register", "verify"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60,
                          env={"GDPR_SETTINGS_FILE": "/nonexistent", "PATH": "/usr/bin",
                               "GDPR_DATABASE_URL": f"sqlite:///{database}"})


def test_gdpr_register_verify_exits_0_when_intact_and_1_with_the_first_broken_record(tmp_path: Path):
    database = tmp_path / "r.db"
    engine = make_engine(f"sqlite:///{database}")
    _record_closed_case(engine)
    intact = _verify_cli(database)
    assert intact.returncode == 0, intact.stderr
    assert "intakt" in intact.stdout and audit.verify_chain(engine).head_hash in intact.stdout
    with engine.begin() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.position == 6))
    broken = _verify_cli(database)
    assert broken.returncode == 1, broken.stderr
    assert "brudt ved post 6" in broken.stdout and "slettet" in broken.stdout and "Traceback" not in broken.stderr
