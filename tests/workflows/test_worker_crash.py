"""Kill -9 the worker in the middle of a case; a new worker continues with nothing lost or sent twice."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from domain.breach import commands as c
from app.settings import Settings
from tests.support import DPO, KEY_PERSON, CaseDriver, MailBox

ROOT = Path(__file__).resolve().parents[2]


def _start_worker(env: WorkflowEnvironment, settings: Settings) -> subprocess.Popen:
    variables = {
        **os.environ,
        "GDPR_TEMPORAL_ADDRESS": env.client.service_client.config.target_host,
        "GDPR_TASK_QUEUE": settings.task_queue,
        "GDPR_DATABASE_URL": settings.database_url,
        "GDPR_KEY_DATABASE_URL": settings.key_database_url,
        "GDPR_SMTP_PORT": str(settings.smtp_port),
        "GDPR_SETTINGS_FILE": "/nonexistent",
    }
    return subprocess.Popen([sys.executable, str(ROOT / "worker.py")], cwd=ROOT, env=variables,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


async def _wait_started(process: subprocess.Popen) -> None:
    assert process.stderr is not None
    while True:
        line = await asyncio.to_thread(process.stderr.readline)
        assert line, f"worker exited early with {process.poll()}"
        if "worker started" in line:
            return


async def test_killing_the_worker_mid_case_loses_nothing_and_sends_no_mail_twice(
        env: WorkflowEnvironment, settings: Settings, mailbox: MailBox):
    driver = CaseDriver(env, settings)
    first = _start_worker(env, settings)
    try:
        await _wait_started(first)
        handle = await driver.open()
        await driver.to_fact_finding(handle)
        await driver.act(handle, "assess_notification", c.AssessNotification(
            actor=KEY_PERSON, level="risk", deviation_reason="Afviger bevidst fra forslaget i testen", reasons="CPR-numre"))
        await driver.settle(handle)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()

    # A decision made while no worker runs is not lost: it waits for the next worker.
    pending = asyncio.create_task(driver.act(handle, "submit_notification_draft", c.SubmitNotificationDraft(
        actor=KEY_PERSON, likely_consequences="Identitetsmisbrug", measures_proposed="Undervisning")))
    await asyncio.sleep(1)
    assert not pending.done()

    second = _start_worker(env, settings)
    try:
        await _wait_started(second)
        view = await asyncio.wait_for(pending, timeout=60)
        assert view.state == "notification_review"
        await driver.act(handle, "review_draft", c.ReviewDraft(actor=DPO, approve=True))
        await driver.act(handle, "record_submission", c.RecordSubmission(actor=DPO))
        await driver.act(handle, "decide_communication", c.DecideCommunication(
            actor=KEY_PERSON, communicate=False, reason="Ikke høj risiko"))
        await driver.act(handle, "document", c.Document(actor=KEY_PERSON, summary="s"))
        await driver.act(handle, "close", c.Close(actor=KEY_PERSON, lessons_learned="l"))
        result = await asyncio.wait_for(driver.closed_for_good(handle), timeout=60)
        details = await handle.query("details")
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=20)

    assert result.state == "closed"
    mails = mailbox.for_case(handle.id)
    ids = [m["Message-ID"] for m in mails]
    assert len(ids) == len(set(ids)) == 5  # opened, receipt, management, draft for review, approved
    actions = [e["action"] for e in details["timeline"]]
    assert actions == ["report", "assess_breach", "contain", "inform_management", "record_facts",
                       "assess_notification", "submit_notification_draft", "review_draft",
                       "record_submission", "decide_communication", "document", "close"]
