"""Activities against real SQLite and a real SMTP server, in Temporal's ActivityEnvironment."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import select, update
from temporalio.testing import ActivityEnvironment

from activities.db import breach_register, case_events, make_engine, outbox
from activities.mail import MailActivities, SmtpSettings, message_id_for
from activities.register import RegisterActivities, StepRecord, allocate_case_number, export_register
from domain.kernel.mail import OutgoingMail
from domain.breach.register import build_register_entry
from tests.support import MailBox
from tests.unit.cases import NOW, new_case


def _mail(key: str = "breach-2026-0099.opened") -> OutgoingMail:
    return OutgoingMail(key=key, case_id="breach-2026-0099", to=["dpo@skole.dk"], subject="Emne æøå", body="Tekst æøå")


def test_a_mail_is_sent_once_even_when_the_activity_runs_again(database_url: str, tmp_path: Path, smtp, mailbox: MailBox):
    engine = make_engine(database_url)
    mail = MailActivities(SmtpSettings(host="127.0.0.1", port=smtp[0], sender="gdpr@skole.dk"), engine)
    key = f"breach-2026-0099.test-{tmp_path.name}"
    env = ActivityEnvironment()
    first = env.run(mail.send_mail, _mail(key))
    second = env.run(mail.send_mail, _mail(key))
    assert first == second == message_id_for(key)
    received = [m for m in mailbox.for_case("breach-2026-0099") if m["Message-ID"] == first]
    assert len(received) == 1 and received[0]["Subject"] == "Emne æøå" and "Tekst æøå" in received[0].get_content()


def test_a_send_interrupted_before_it_was_recorded_is_retried_with_the_same_message_id(database_url: str, tmp_path: Path, smtp, mailbox: MailBox):
    engine = make_engine(database_url)
    mail = MailActivities(SmtpSettings(host="127.0.0.1", port=smtp[0], sender="gdpr@skole.dk"), engine)
    key = f"breach-2026-0099.crash-{tmp_path.name}"
    ActivityEnvironment().run(mail.send_mail, _mail(key))
    with engine.begin() as conn:  # as if the process died between SMTP and the outbox update
        conn.execute(update(outbox).where(outbox.c.message_id == message_id_for(key)).values(status="sending"))
    ActivityEnvironment().run(mail.send_mail, _mail(key))
    with engine.connect() as conn:
        row = conn.execute(select(outbox).where(outbox.c.message_id == message_id_for(key))).mappings().one()
    assert row["status"] == "sent" and row["attempts"] == 2
    assert sum(m["Message-ID"] == message_id_for(key) for m in mailbox.for_case("breach-2026-0099")) == 2


def test_a_step_is_recorded_once_and_the_register_row_follows_the_case(database_url: str):
    engine = make_engine(database_url)
    register = RegisterActivities(engine)
    case = new_case()
    record = StepRecord(event=case.timeline[-1], entry=build_register_entry(case, NOW))
    env = ActivityEnvironment()
    env.run(register.record_step, record)
    env.run(register.record_step, record)
    case.containment = "Slettet"
    env.run(register.record_step, StepRecord(event=case.timeline[-1], entry=build_register_entry(case, NOW)))
    with engine.connect() as conn:
        events = conn.execute(select(case_events)).all()
        row = conn.execute(select(breach_register)).mappings().one()
    assert len(events) == 1 and row["f7_remedial_measures"] == "Slettet"
    exported = export_register(engine)[0]
    assert exported["aware_at"] == case.report.aware_at and exported["aware_at"].tzinfo == timezone.utc


def test_times_with_an_offset_are_stored_as_the_same_instant(database_url: str):
    engine = make_engine(database_url)
    case = new_case()
    case.report.aware_at = datetime(2026, 3, 27, 14, 20, tzinfo=timezone(timedelta(hours=1)))
    ActivityEnvironment().run(RegisterActivities(engine).record_step,
                              StepRecord(event=case.timeline[-1], entry=build_register_entry(case, NOW)))
    assert export_register(engine)[0]["aware_at"] == datetime(2026, 3, 27, 13, 20, tzinfo=timezone.utc)


def test_case_numbers_are_sequential_per_kind_and_year(database_url: str):
    engine = make_engine(database_url)
    assert [allocate_case_number(engine, "breach", 2026) for _ in range(3)] == [1, 2, 3]
    assert allocate_case_number(engine, "breach", 2027) == 1
    assert allocate_case_number(engine, "dsr", 2026) == 1


def test_case_numbers_stay_unique_when_many_are_taken_at_once(database_url: str):
    from concurrent.futures import ThreadPoolExecutor
    engine = make_engine(database_url)
    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(lambda _: allocate_case_number(engine, "breach", 2026), range(40)))
    assert sorted(numbers) == list(range(1, 41))
