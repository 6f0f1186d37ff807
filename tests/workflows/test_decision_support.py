"""The proposal in the workflow: shown at the assessment, departures need a reason, drafts come from the facts."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from temporalio.client import WorkflowUpdateFailedError

from activities.db import breach_register, make_engine
from domain.breach import commands as c
from app.cli.breach import render_drafts
from app.temporal_client import failure_message
from tests.support import DPO, KEY_PERSON, CaseDriver, MailBox
from workflows.breach import BreachCaseWorkflow


async def test_the_proposal_is_shown_and_a_departing_decision_needs_a_reason(driver: CaseDriver):
    handle = await driver.open()
    await driver.to_fact_finding(handle)
    view = await handle.query(BreachCaseWorkflow.view)
    assert view.proposal is not None and view.proposal.level.value == "high_risk"
    assert view.proposal.notify_authority and view.proposal.notify_subjects
    assert any("CPR" in r for r in view.proposal.reasons_da)

    await driver.settle(handle)
    before = len((await handle.fetch_history()).events)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update("assess_notification", c.AssessNotification(
            actor=KEY_PERSON, level="risk", reasons="Kun en klasse"))
    assert "departs from the engine's proposal (high_risk" in failure_message(refused.value)
    assert len((await handle.fetch_history()).events) == before

    view = await driver.act(handle, "assess_notification", c.AssessNotification(
        actor=KEY_PERSON, level="risk", reasons="Kun en klasse",
        deviation_reason="Modtagerne er forældre i samme klasse og har slettet beskeden"))
    assert "Forslag: høj risiko" in view.timeline[-1].summary and "afvigelse begrundet" in view.timeline[-1].summary
    await driver.settle(handle)
    with make_engine(driver.settings.database_url).connect() as conn:
        row = conn.execute(select(breach_register).where(breach_register.c.case_id == handle.id)).mappings().one()
    assert (row["risk_level"], row["proposed_level"]) == ("risk", "high_risk")
    assert row["deviation_reason"].startswith("Modtagerne er forældre")


async def test_following_the_proposal_needs_no_extra_reason_and_drafts_are_rendered_from_the_facts(
        driver: CaseDriver, mailbox: MailBox):
    handle = await driver.open()
    await driver.to_fact_finding(handle)
    await driver.act(handle, "assess_notification", c.AssessNotification(
        actor=KEY_PERSON, level="high_risk", reasons="Som foreslået"))
    await driver.act(handle, "submit_notification_draft", c.SubmitNotificationDraft(
        actor=KEY_PERSON, likely_consequences="Identitetsmisbrug", measures_proposed="Undervisning"))
    await driver.settle(handle)
    details = await handle.query(BreachCaseWorkflow.details)
    draft = details.drafts[0]
    assert draft.text_da and "Antal berørte personer: ca. 24" in draft.text_da
    assert draft.text_en and "Approximate number of persons: about 24" in draft.text_en
    review_mail = next(m for m in mailbox.for_case(handle.id) if "Til godkendelse" in m["Subject"])
    assert "Sikkerhedsforanstaltninger før bruddet: Ingen kryptering af vedhæftning" in review_mail.get_content()
    await driver.act(handle, "review_draft", c.ReviewDraft(actor=DPO, approve=True))
    assert "Kategorier af berørte personer: elever, forældre" in await render_drafts(driver.env.client, handle.id)
    assert "Categories of persons: elever, forældre" in await render_drafts(driver.env.client, handle.id, "en")
