"""A high-risk case from report to close, with a DPO rejection, on a real server with real SMTP."""

from __future__ import annotations

import json
import os

from sqlalchemy import select
from temporalio.worker import Replayer

from activities.db import breach_register, case_events, make_engine
from app.cli.breach import render_drafts
from app.cli.crypto import decrypted
from tests.support import KEY_PERSON, CaseDriver, MailBox
from tests.workflows.support import BREACH_FIXTURE as FIXTURE, run_high_risk_case
from workflows.breach import BreachCaseWorkflow


async def test_high_risk_case_runs_from_report_to_close_with_dpo_rejection(driver: CaseDriver, mailbox: MailBox):
    handle = await driver.open(aware_hours_ago=3)
    result = await run_high_risk_case(driver, handle)
    assert result.state == "closed" and not result.overdue

    mails = mailbox.for_case(handle.id)
    subjects = sorted(m["Subject"].split("] ", 1)[1] for m in mails)
    assert subjects == sorted([
        "Nyt muligt brud på persondatasikkerheden",
        "Kvittering for din anmeldelse",
        "Orientering: brud på persondatasikkerheden – kriseteam indkaldt",
        "Anmodning om redegørelse for sikkerhedsbrud",
        "Til godkendelse: udkast 1 til anmeldelse til Datatilsynet",
        "Udkast 1 til anmeldelse til Datatilsynet er afvist",
        "Til godkendelse: udkast 2 til anmeldelse til Datatilsynet",
        "Udkast 2 til anmeldelse til Datatilsynet er godkendt",
        "Til godkendelse: udkast 1 til underretning af de registrerede",
        "Udkast 1 til underretning af de registrerede er godkendt",
        "Opfølgning 1 på anmeldelse til Datatilsynet",
    ])
    follow_up = next(m for m in mails if "Opfølgning 1" in m["Subject"])
    assert "kvittering DT-2026-123" in follow_up.get_content() and "art. 33, stk. 4" in follow_up.get_content()
    assert len({m["Message-ID"] for m in mails}) == len(mails)
    management = next(m for m in mails if "kriseteam" in m["Subject"])
    assert set(management["To"].split(", ")) == {"ledelse@eksempel-skole.dk", "dpo@eksempel-skole.dk"}
    rejected = next(m for m in mails if "afvist" in m["Subject"])
    assert "Beskriv konsekvenserne for børnene konkret" in rejected.get_content()
    communication = next(m for m in mails if "Til godkendelse: udkast 1 til underretning" in m["Subject"])
    assert "CPR-nummer" in communication.get_content()  # seed 003 §6 standard advice added

    details = await handle.query(BreachCaseWorkflow.details)
    assert [d.status.value for d in details.drafts] == ["rejected", "approved", "approved"]
    assert [e.actor.role.value for e in details.timeline][:2] == ["reporter", "key_person"]
    assert details.timeline[-1].action == "close" and details.timeline[-1].actor.name == KEY_PERSON.name

    engine = make_engine(driver.settings.database_url)
    with engine.connect() as conn:
        row = conn.execute(select(breach_register).where(breach_register.c.case_id == handle.id)).mappings().one()
        events = conn.execute(select(case_events.c.seq).where(case_events.c.case_id == handle.id)).all()
    assert row["state"] == "closed" and row["risk_level"] == "high_risk"
    assert row["f8_authority_notified_at"] is not None and row["authority_reference"] == "DT-2026-123"
    assert row["f9_subjects_communicated_at"] is not None and row["follow_ups"] == 1
    assert len(events) == len(details.timeline)

    drafts_text = await render_drafts(driver.env.client, handle.id)
    assert "authority v1 [rejected]" in drafts_text and "Kommentarer: Beskriv konsekvenserne" in drafts_text
    assert "subjects v1 [approved]" in drafts_text

    history = await handle.fetch_history()
    await Replayer(workflows=[BreachCaseWorkflow], data_converter=driver.env.client.data_converter).replay_workflow(history)
    if os.environ.get("GDPR_WRITE_FIXTURES"):
        codec = driver.env.client.data_converter.payload_codec
        assert codec is not None
        plain = await decrypted(history, codec)  # fixtures replay under any key
        FIXTURE.write_text(json.dumps(plain.to_json_dict(), indent=1))
