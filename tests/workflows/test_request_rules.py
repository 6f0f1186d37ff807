"""Request rules: identity first, the right identity method, deadlines on durable timers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from domain.requests import model as d
from domain.kernel.deadlines import request_deadline
from domain.kernel.model import Actor, Role
from app.temporal_client import failure_message
from tests.support import KEY_PERSON, MailBox, RequestDriver

OWNER = Actor(name="Hanne Holm", role=Role.SYSTEM_OWNER)


async def _refused(requests: RequestDriver, handle: WorkflowHandle, update: str, cmd) -> str:
    await requests.wait_state(handle, (await handle.query("view", result_type=d.RequestView)).state)
    before = len((await handle.fetch_history()).events)
    with pytest.raises(WorkflowUpdateFailedError) as failure:
        await handle.execute_update(update, cmd)
    assert len((await handle.fetch_history()).events) == before, "a refused update must leave no event in history"
    return failure_message(failure.value)


async def test_nothing_is_done_before_identity_is_verified(requests: RequestDriver):
    handle = await requests.open("erasure")
    message = await _refused(requests, handle, "assess_erasure", d.AssessErasure(
        actor=KEY_PERSON, purpose_no_longer_present=True, no_outstanding_obligations=True, reasons="r"))
    assert "not possible in state 'received'" in message and "verify_identity" in message
    message = await _refused(requests, handle, "complete_manual_task", d.CompleteManualTask(
        actor=OWNER, system_id="papirarkiv", result="slettet"))
    assert "not possible in state 'received'" in message
    assert requests.rows("select count(*) from foto_samtykke where elevnummer='E1001'") == [(1,)]


async def test_the_identity_method_must_fit_the_channel_and_the_representation(requests: RequestDriver):
    phone = await requests.open("access", channel="phone")
    message = await _refused(requests, phone, "verify_identity", d.VerifyIdentity(
        actor=KEY_PERSON, method="id_document", details="pas"))
    assert "a request by phone is verified by: call_back, control_questions, registered_address" in message
    child = await requests.open("access", on_behalf="parental_authority", subject_age=12, subject_name="Emil Jensen",
                                identifiers={"elevnummer": "E1001"})
    message = await _refused(requests, child, "verify_identity", d.VerifyIdentity(
        actor=KEY_PERSON, method="parental_authority", details="Forældremyndighed bekræftet i elevadministrationen"))
    assert "maturity_assessment" in message
    view = await requests.verify(child, method="parental_authority",
                                 maturity_assessment="Emil er 12; oplysningerne gives til forælderen")
    assert view.verified


async def test_more_information_is_asked_for_reminded_and_recorded(requests: RequestDriver, env: WorkflowEnvironment,
                                                                   mailbox: MailBox):
    handle = await requests.open("access", channel="letter")
    await requests.act(handle, "request_information", d.RequestInformation(
        actor=KEY_PERSON, needed="Kopi af billedlegitimation, da adressen i brevet ikke svarer til vores"))
    await env.fast_forward(handle, timedelta(days=7, hours=1))
    view = await requests.act(handle, "record_information", d.RecordInformation(
        actor=KEY_PERSON, answer="Kørekort modtaget"))
    assert view.state == "received"
    assert any(e.action == "information_reminder" for e in view.timeline)
    subjects = [m["Subject"] for m in await mailbox.wait_for(handle.id, 4)]
    assert any(s.endswith("Påmindelse: Vi mangler oplysninger") for s in subjects)


async def test_reminders_escalation_and_extension_on_the_virtual_clock(requests: RequestDriver, env: WorkflowEnvironment,
                                                                       mailbox: MailBox):
    handle = await requests.open("access")
    view = await handle.query("view", result_type=d.RequestView)
    first = view.deadline
    assert first == request_deadline(view.received_at).due

    await env.fast_forward(handle, first - view.as_of - timedelta(days=6))  # past the 14- and 7-day reminders
    view = await handle.query("view", result_type=d.RequestView)
    assert [e.summary for e in view.timeline if e.action == "reminder"] == [
        "Påmindelse: frist om 14 dage", "Påmindelse: frist om 7 dage"]

    view = await requests.act(handle, "extend", d.Extend(actor=KEY_PERSON, reasons="Mange systemer og papirarkiv"))
    assert view.extended and view.deadline == request_deadline(view.received_at, extended=True).due
    extension_mail = next(m for m in await mailbox.wait_for(handle.id, 5) if "forlænges" in m["Subject"])
    assert "karen.jensen@example.dk" in extension_mail["To"] and "Mange systemer" in extension_mail.get_content()

    with pytest.raises(WorkflowUpdateFailedError) as twice:
        await requests.act(handle, "extend", d.Extend(actor=KEY_PERSON, reasons="igen"))
    assert "already been extended" in failure_message(twice.value)

    await env.fast_forward(handle, view.deadline - view.as_of + timedelta(hours=1))
    view = await handle.query("view", result_type=d.RequestView)
    assert view.overdue and [e for e in view.timeline if e.action == "escalation"]
    assert any("ESKALERING" in m["Subject"] for m in mailbox.for_case(handle.id))


async def test_an_extension_after_the_first_month_is_refused(requests: RequestDriver, env: WorkflowEnvironment):
    handle = await requests.open("access")
    view = await handle.query("view", result_type=d.RequestView)
    await env.fast_forward(handle, view.deadline - view.as_of + timedelta(hours=2))
    with pytest.raises(WorkflowUpdateFailedError) as late:
        await requests.act(handle, "extend", d.Extend(actor=KEY_PERSON, reasons="for sent"))
    assert "within the first month (Art. 12(3))" in failure_message(late.value)


async def test_a_manual_task_completed_late_by_its_owner_still_lands_in_the_answer(
        requests: RequestDriver, env: WorkflowEnvironment, mailbox: MailBox):
    handle = await requests.open("access")
    await requests.verify(handle)
    await requests.wait_state(handle, "processing")
    await env.fast_forward(handle, timedelta(days=7))  # two owner reminders (every 3 days)
    view = await handle.query("view", result_type=d.RequestView)
    assert [e.action for e in view.timeline].count("owner_reminder") == 2
    await requests.complete_archive(handle, result="Sen fund: elevsag fra 2019 med skoleudtalelse")
    await requests.approve(handle)
    await handle.result()
    answer = next(m for m in mailbox.for_case(handle.id) if "Svar på din anmodning" in m["Subject"])
    assert "Sen fund: elevsag fra 2019" in answer.get_body(("plain",)).get_content()
    owner_mails = [m for m in mailbox.for_case(handle.id) if "sekretaer@eksempel-skole.dk" in m["To"]]
    assert len(owner_mails) == 3  # the task and two reminders


async def test_refusal_for_identity_not_established_carries_reasons_and_the_right_to_complain(
        requests: RequestDriver, mailbox: MailBox):
    handle = await requests.open("access", channel="phone")
    await requests.act(handle, "refuse", d.Refuse(actor=KEY_PERSON, ground="identity_not_established",
                                                  reasons="Kontrolspørgsmålene kunne ikke besvares"))
    await requests.approve(handle)
    await handle.result()
    letter = next(m for m in mailbox.for_case(handle.id) if "Svar på" in m["Subject"]).get_body(("plain",)).get_content()
    assert "ikke kunnet fastslå din identitet" in letter and "Kontrolspørgsmålene" in letter and "Datatilsynet" in letter
