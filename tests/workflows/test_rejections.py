"""Wrong role, wrong state, malformed payload: refused with a clear message, nothing in history."""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError

from domain.breach import commands as c
from app.temporal_client import failure_message
from tests.support import DPO, KEY_PERSON, CaseDriver


async def _history_length(handle: WorkflowHandle) -> int:
    return len((await handle.fetch_history()).events)


async def _refused(handle: WorkflowHandle, update: str, payload) -> str:
    await CaseDriver.settle(handle)
    before = await _history_length(handle)
    with pytest.raises(WorkflowUpdateFailedError) as failure:
        await handle.execute_update(update, payload)
    assert await _history_length(handle) == before, "a refused update must leave no event in history"
    return failure_message(failure.value)


async def _in_review(driver: CaseDriver) -> WorkflowHandle:
    handle = await driver.open()
    await driver.to_fact_finding(handle)
    await driver.act(handle, "assess_notification", c.AssessNotification(actor=KEY_PERSON, level="risk", deviation_reason="Afviger bevidst fra forslaget i testen", reasons="r"))
    await driver.act(handle, "submit_notification_draft", c.SubmitNotificationDraft(
        actor=KEY_PERSON, likely_consequences="k", measures_proposed="m"))
    return handle


async def test_a_non_dpo_approving_a_draft_is_refused_without_history(driver: CaseDriver):
    handle = await _in_review(driver)
    message = await _refused(handle, "review_draft", c.ReviewDraft(actor=KEY_PERSON, approve=True))
    assert message == "'review_draft' requires the role dpo; key_person may not do it"


async def test_an_action_in_the_wrong_state_is_refused_without_history(driver: CaseDriver):
    handle = await driver.open()
    message = await _refused(handle, "close", c.Close(actor=KEY_PERSON, lessons_learned="x"))
    assert "'close' is not possible in state 'reported'" in message and "possible now: assess_breach" in message


async def test_a_malformed_payload_is_refused_without_history(driver: CaseDriver):
    handle = await driver.open()
    message = await _refused(handle, "contain", {"actor": {"name": "Mille", "role": "key_person"},
                                                 "measures": "x", "system_stopped": "perhaps", "colour": 1})
    assert "system_stopped" in message and "colour" in message


async def test_no_risk_without_seed_003_documentation_is_refused(driver: CaseDriver):
    handle = await driver.open()
    await driver.to_fact_finding(handle)
    message = await _refused(handle, "assess_notification", {
        "actor": KEY_PERSON.model_dump(), "level": "no_risk", "reasons": "lav risiko"})
    assert "seed 003 §2" in message


async def test_communication_without_authority_notification_needs_a_dpo_override(driver: CaseDriver):
    handle = await driver.open()
    await driver.to_fact_finding(handle)
    await driver.act(handle, "assess_notification", c.AssessNotification(
        actor=KEY_PERSON, level="no_risk", deviation_reason="Afviger bevidst fra forslaget i testen", reasons="Modtageren har slettet beskeden",
        no_risk_documentation={"started_at": "2026-11-20T09:00:00Z", "ended_at": "2026-11-20T09:40:00Z",
                               "scope": "1 mail", "cause": "Fejladressering", "reached_unauthorised": True,
                               "unauthorised_recipients": "En forælder", "recipients_cannot_or_will_not_use":
                               "Har skriftligt bekræftet", "recipients_no_longer_hold": "Slettet"}))
    await driver.act(handle, "co_decide", c.CoDecide(actor=DPO, approve=True))
    wish = c.DecideCommunication(actor=KEY_PERSON, communicate=True, reason="Forældrene bør vide det")
    message = await _refused(handle, "decide_communication", wish)
    assert "seed 003 activity 8" in message
    override = c.DecideCommunication(actor=DPO, communicate=True, reason="Forældrene bør vide det",
                                     override_reason="Skolens åbenhedspolitik")
    view = await driver.act(handle, "decide_communication", override)
    assert view.state == "communication_drafting" and "DPO-tilsidesættelse" in view.timeline[-1].summary


async def test_saying_no_to_communication_requires_a_reason(driver: CaseDriver):
    handle = await _in_review(driver)
    await driver.act(handle, "review_draft", c.ReviewDraft(actor=DPO, approve=True))
    await driver.act(handle, "record_submission", c.RecordSubmission(actor=DPO))
    message = await _refused(handle, "decide_communication", {"actor": KEY_PERSON.model_dump(), "communicate": False})
    assert "reason" in message
