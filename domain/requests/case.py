"""Applying actions to a data-subject request: the pure core the request workflow orchestrates."""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from domain.requests import model as d
from domain.requests import texts
from domain.kernel.model import SYSTEM, add_event
from domain.kernel.deadlines import format_da
from domain.requests.deadlines import current_deadline, legal_deadline
from domain.requests.machine import REQUEST, STATE_INFO, RequestState, RequestTrigger
from domain.requests.inventory import SqlConnector, System
from domain.kernel.mail import OutgoingMail
from domain.kernel.model import Actor, Role, Strict


class SystemAction(Strict):
    """Perform the request's action in one sql system (an activity), or lift a restriction there."""

    system_id: str
    action: str  # collect | erase | rectify | restrict | object | unrestrict


class ExportPassword(Strict):
    """The password of encrypted exports goes to the key person by a second channel, never with the answer.

    The export activity generated and stored it; the mail activity adds it to this mail, so
    it never enters the workflow history.
    """

    mail: OutgoingMail
    files: list[str]


Effect = OutgoingMail | SystemAction | ExportPassword
Result = tuple[str, list[Effect]]
T, S = RequestTrigger, RequestState

ACTION_FOR_TYPE = {
    d.RequestType.ACCESS: "collect", d.RequestType.PORTABILITY: "collect", d.RequestType.ERASURE: "erase",
    d.RequestType.RECTIFICATION: "rectify", d.RequestType.RESTRICTION: "restrict", d.RequestType.OBJECTION: "object",
}


def open_request(inp: d.RequestInput, now: datetime) -> tuple[d.RequestCase, list[Effect]]:
    deadline = legal_deadline(inp, extended=False)
    case = d.RequestCase(request_id=inp.request_id, state=S.RECEIVED.value, inp=inp, deadline=deadline.due,
                         deadline_rule=deadline.rule)
    add_event(case, now, Actor(name=inp.requester.name, role=Role.REPORTER), "receive",
              f"Anmodning om {d.TYPE_DA[inp.type]} modtaget via {d.CHANNEL_DA[inp.channel]}")
    return case, [texts.receipt(case), texts.new_request(case)]


def act(case: d.RequestCase, trigger: RequestTrigger, cmd: d.Command, now: datetime) -> list[Effect]:
    """Perform one action. Raises `Rejection` (and changes nothing) if the procedure does not allow it."""
    REQUEST.check(case, trigger, cmd, now)
    new_state = REQUEST.fire(case, trigger, cmd, now)
    summary, effects = _APPLY[trigger](case, cmd, now)
    case.state = new_state.value
    if new_state is S.PROCESSING and not case.systems:
        effects += _plan_systems(case)
    if new_state is S.ANSWER_REVIEW:
        effects.append(_draft_answer(case, now))
    if new_state is S.CLOSED:
        case.closed_at = now
    add_event(case, now, cmd.actor, trigger.value, summary)
    return effects


def _verify(case: d.RequestCase, cmd: d.VerifyIdentity, now: datetime) -> Result:
    case.verified_at = now
    case.identity_method = cmd.method
    case.identity_details = cmd.details
    case.maturity_assessment = cmd.maturity_assessment
    case.verified_email = cmd.verified_email
    case.verified_postal_address = cmd.verified_postal_address
    case.verified_phone = cmd.verified_phone
    case.reply_to, case.reply_to_reason = cmd.reply_to, cmd.reply_to_reason
    case.transfer_confirmed = cmd.confirm_transfer_to is not None
    case.transfer_confirmation = cmd.transfer_confirmation
    # Addresses stay out of the timeline (it is copied to the register); the case holds them.
    notes = [f"Identitet verificeret ({d.IDENTITY_METHOD_DA[cmd.method]}): {cmd.details}"]
    if cmd.reply_to is not None:
        notes.append(f"anden svaradresse bekræftet: {cmd.reply_to_reason}")
    if case.transfer_confirmed:
        notes.append(f"den nye dataansvarliges adresse bekræftet: {cmd.transfer_confirmation}")
    elif case.inp.transfer_to is not None:
        notes.append("den nye dataansvarliges adresse er ikke bekræftet; intet overføres")
    return "; ".join(notes), []


def _request_information(case: d.RequestCase, cmd: d.RequestInformation, now: datetime) -> Result:
    case.information_requests.append(cmd.needed)
    case.awaiting_information_since = now
    number = len(case.information_requests)
    return f"Oplysninger anmodet fra den registrerede: {cmd.needed}", [texts.information_request(case, cmd.needed, number)]


def _record_information(case: d.RequestCase, cmd: d.RecordInformation, now: datetime) -> Result:
    case.information_answers.append(cmd.answer)
    if case.inp.policy.pause_while_awaiting_information and case.awaiting_information_since:
        case.paused_seconds += (now - case.awaiting_information_since).total_seconds()
        case.deadline = current_deadline(case)
    case.awaiting_information_since = None
    return f"Svar fra den registrerede registreret: {cmd.answer}", []


def _refuse(case: d.RequestCase, cmd: d.Refuse, now: datetime) -> Result:
    case.refusal_ground = cmd.ground
    case.refusal_reasons = cmd.reasons
    return f"Anmodningen afvises, fordi {d.REFUSAL_GROUND_DA[cmd.ground]}: {cmd.reasons}", []


def _charge_fee(case: d.RequestCase, cmd: d.ChargeFee, now: datetime) -> Result:
    case.fee = d.FeeDecision(ground=cmd.ground, amount_dkk=cmd.amount_dkk, reasons=cmd.reasons,
                             cost_basis=cmd.cost_basis, decided_at=now, decided_by=cmd.actor)
    return (f"Gebyr på {texts.format_dkk(cmd.amount_dkk)} besluttet ({texts.FEE_ARTICLE_DA[cmd.ground]}): "
            f"{cmd.reasons}. Beregning: {cmd.cost_basis}", [texts.fee_notice(case)])


def _refuse_part(case: d.RequestCase, cmd: d.RefusePart, now: datetime) -> Result:
    part = d.RefusedPart(system_id=cmd.system_id, table=cmd.table, basis=cmd.basis, reasons=cmd.reasons,
                         decided_at=now, decided_by=cmd.actor)
    case.refused_parts.append(part)
    system = case.inp.inventory.system(cmd.system_id)
    if cmd.table is None and any(r.system_id == cmd.system_id for r in case.systems):
        slot = case.result(cmd.system_id)  # refused while the system was planned (access): nothing more is done
        if slot.status is d.SystemStatus.PENDING:
            slot.status, slot.completed_at, slot.completed_by = d.SystemStatus.DONE, now, cmd.actor
        slot.refused = True
    where = system.name + (f", {system.table_da(cmd.table)}" if cmd.table else "")
    return f"Del af anmodningen afslået ({where}; {d.PART_REFUSAL_BASIS_DA[cmd.basis]}): {cmd.reasons}", []


def _release_third_party(case: d.RequestCase, cmd: d.ReleaseThirdPartyData, now: datetime) -> Result:
    case.third_party_released.append(d.ThirdPartyRelease(
        system_id=cmd.system_id, table=cmd.table, column=cmd.column, ground=cmd.ground, reasons=cmd.reasons,
        decided_at=now, decided_by=cmd.actor))
    system = case.inp.inventory.system(cmd.system_id)
    assert isinstance(system.connector, SqlConnector)  # the release's guard admits only a column of an SQL table
    spec = next(t for t in system.connector.tables if t.name == cmd.table)
    return (f"Oplysninger om andre personer udleveres alligevel ({system.name}: {spec.third_party[cmd.column]}), "
            f"fordi {d.THIRD_PARTY_GROUND_DA[cmd.ground]}: {cmd.reasons}", [])


def _assess_erasure(case: d.RequestCase, cmd: d.AssessErasure, now: datetime) -> Result:
    case.erasure_assessment = cmd.reasons
    case.erasure_consent_only = not (cmd.purpose_no_longer_present and cmd.no_outstanding_obligations)
    if not case.erasure_consent_only:
        return f"Sletning vurderet: formålet er ophørt, intet udestår. {cmd.reasons}", []
    return (f"Sletning vurderet: kun samtykkebaserede oplysninger slettes; resten bevares: {cmd.reasons}", [])


def _decide_objection(case: d.RequestCase, cmd: d.DecideObjection, now: datetime) -> Result:
    case.objection_decision = cmd.accept
    case.objection_reasons = cmd.reasons
    verdict = "taget til følge; behandlingen stoppes" if cmd.accept else "ikke taget til følge"
    return f"Indsigelse {verdict}: {cmd.reasons}", []


def _complete_manual(case: d.RequestCase, cmd: d.CompleteManualTask, now: datetime) -> Result:
    result = case.result(cmd.system_id)
    result.status = d.SystemStatus.DONE
    result.manual_result = cmd.result
    result.kept_reason = cmd.kept_reason
    result.completed_at = now
    result.completed_by = cmd.actor
    late = " (efter påmindelse)" if result.reminders_sent else ""
    return f"Manuel opgave i {case.inp.inventory.system(cmd.system_id).name} udført{late}", []


def _systems_done(case: d.RequestCase, cmd: d.SystemsDone, now: datetime) -> Result:
    if case.legacy or case.type not in texts.ART19_TYPES:
        return "Alle systemer har svaret; svaret er udarbejdet", []
    notices = _notify_recipients(case)
    told = f"; {len(notices)} modtager(e) underrettet (art. 19)" if notices else ""
    return f"Alle systemer har svaret; svaret er udarbejdet{told}", notices


def _notify_recipients(case: d.RequestCase) -> list[Effect]:
    """Art. 19: each recipient of changed data is told: by mail, or through the system owner."""
    effects: list[Effect] = []
    for result in case.systems:
        if not texts.changed(result):
            continue
        system = case.inp.inventory.system(result.system_id)
        for number, recipient in enumerate(system.recipients, start=1):
            if recipient.email is not None:
                case.recipients_notified.append(recipient.name)
                effects.append(texts.recipient_notice(case, system, result, recipient, number))
            else:
                case.recipients_via_owner.append(recipient.name)
                effects.append(texts.recipient_task(case, system, result, recipient, number))
    return effects


def _review(case: d.RequestCase, cmd: d.ReviewAnswer, now: datetime) -> Result:
    answer = case.answers[-1]
    answer.reviewed_by, answer.reviewed_at, answer.approved, answer.comments = cmd.actor, now, cmd.approve, cmd.comments
    if not cmd.approve:
        assert cmd.comments is not None
        return f"Svar {answer.version} afvist af DPO: {cmd.comments}", [texts.answer_rejected(case, answer.version, cmd.comments)]
    case.answered_at = now
    effects: list[Effect] = [texts.final_answer(case, answer.text_da, list(case.export_files))]
    if case.legacy:
        if case.exports_encrypted and case.export_files:  # exported after the change: its password must follow
            effects.append(ExportPassword(mail=texts.export_password(case), files=list(case.export_files)))
        if case.type is d.RequestType.PORTABILITY and case.inp.transfer_to and case.refusal_ground is None:
            effects.append(texts.transfer(case, list(case.export_files)))
    else:
        if case.export_files:
            effects.append(ExportPassword(mail=texts.export_password(case), files=list(case.export_files)))
        if (case.type is d.RequestType.PORTABILITY and case.inp.transfer_to and case.transfer_confirmed
                and case.refusal_ground is None):
            effects.append(texts.transfer(case, list(case.export_files)))
    in_time = "rettidigt" if now <= case.deadline else "EFTER FRISTEN"
    return f"Svar {answer.version} godkendt af DPO og sendt til den registrerede ({in_time})", effects


def _revise(case: d.RequestCase, cmd: d.ReviseAnswer, now: datetime) -> Result:
    case.answer_note = cmd.note
    return "Svaret er rettet", []


def _extend(case: d.RequestCase, cmd: d.Extend, now: datetime) -> Result:
    case.extended = True
    case.extension_reasons = cmd.reasons
    case.deadline = current_deadline(case)
    case.overdue = False
    return f"Fristen forlænget til {format_da(case.deadline)}: {cmd.reasons}", [texts.extension(case)]


def _lift(case: d.RequestCase, cmd: d.LiftRestriction, now: datetime) -> Result:
    case.restriction_lifted_at = now
    effects: list[Effect] = [SystemAction(system_id=r.system_id, action="unrestrict")
                             for r in case.systems if not r.manual]
    effects.append(texts.restriction_lifted(case, cmd.reasons))
    return f"Begrænsningen ophævet: {cmd.reasons}", effects


_APPLY: dict[RequestTrigger, Callable[..., Result]] = {
    T.VERIFY_IDENTITY: _verify, T.REQUEST_INFORMATION: _request_information, T.RECORD_INFORMATION: _record_information,
    T.REFUSE: _refuse, T.ASSESS_ERASURE: _assess_erasure, T.DECIDE_OBJECTION: _decide_objection,
    T.COMPLETE_MANUAL_TASK: _complete_manual, T.SYSTEMS_DONE: _systems_done, T.REVIEW_ANSWER: _review,
    T.REVISE_ANSWER: _revise, T.EXTEND: _extend, T.LIFT_RESTRICTION: _lift, T.CHARGE_FEE: _charge_fee,
    T.REFUSE_PART: _refuse_part, T.RELEASE_THIRD_PARTY_DATA: _release_third_party,
}


def _plan_systems(case: d.RequestCase) -> list[Effect]:
    """One result slot per system: sql systems get an activity, manual ones a task for the owner."""
    effects: list[Effect] = []
    corrected = {c.system_id for c in case.inp.corrections}
    for system in d.systems_in_scope(case):
        if d.wholly_refused(case, system.id):
            continue  # a refused part: nothing is done there, the letter says why
        # A system named only by a supplementary statement (Art. 16) is a task for its owner.
        manual = system.connector.kind == "manual" or (
            case.type is d.RequestType.RECTIFICATION and system.id not in corrected)
        case.systems.append(d.SystemResult(system_id=system.id, manual=manual))
        effects.append(texts.owner_task(case, system) if manual
                       else SystemAction(system_id=system.id, action=ACTION_FOR_TYPE[case.type]))
        if not manual and texts.statements_for(case, system.id):
            effects.append(texts.statement_task(case, system))
    case.systems_planned = True
    return effects


def system_for_action(case: d.RequestCase, system_id: str) -> System:
    """The system as the connector sees it: without the tables whose part of the request is refused."""
    system = case.inp.inventory.system(system_id)
    refused = d.refused_tables(case, system_id)
    if not refused or system.connector.kind != "sql":
        return system
    tables = [t for t in system.connector.tables if t.name not in refused]
    return system.model_copy(update={"connector": system.connector.model_copy(update={"tables": tables})})


def export_systems(case: d.RequestCase) -> list[d.SystemResult]:
    """What goes into the exports: for portability only the tables Art. 20(1) covers; refused parts left out;
    information about other persons replaced by a notice unless released by a decision (Art. 15(4))."""
    if case.legacy:
        return list(case.systems)
    inventory = case.inp.inventory
    columns = d.third_party_columns(case)
    redact: dict[tuple[str, str], set[str]] = {(c.system_id, c.table): set() for c in columns}
    for c in columns:
        if c.release is None:
            redact[(c.system_id, c.table)].add(c.column)
    out = []
    for result in d.answered_systems(case):
        tables = result.tables
        if case.type is d.RequestType.PORTABILITY:
            portable = set(inventory.system(result.system_id).portable_tables())
            tables = [t for t in tables if t.table in portable]
        tables = [_redacted(t, redact.get((result.system_id, t.table), set())) for t in tables]
        out.append(result.model_copy(update={"tables": tables}))
    return out


def _redacted(outcome: d.TableOutcome, columns: set[str]) -> d.TableOutcome:
    if not columns:
        return outcome
    rows = [{k: (d.THIRD_PARTY_REDACTED if k in columns and v not in (None, "") else v) for k, v in row.items()}
            for row in outcome.rows]
    return outcome.model_copy(update={"rows": rows})


def connector_failed(case: d.RequestCase, system_id: str, reason: str, now: datetime) -> list[Effect]:
    """The connector could not act; the system becomes a manual task for its owner, nothing is lost."""
    slot = case.result(system_id)
    slot.manual = True
    system = case.inp.inventory.system(system_id)
    add_event(case, now, SYSTEM, "connector_failed", f"{system.name}: automatisk handling fejlede ({reason}); "
              "opgaven er sendt til systemejeren")
    return [texts.owner_task(case, system)]


def record_system_result(case: d.RequestCase, result: d.SystemResult, now: datetime) -> None:
    slot = case.result(result.system_id)
    slot.tables, slot.status, slot.completed_at = result.tables, d.SystemStatus.DONE, now
    slot.completed_by = SYSTEM
    name = case.inp.inventory.system(result.system_id).name
    counts = {"registreringer fundet": sum(len(t.rows) for t in result.tables),
              "slettet": sum(t.deleted for t in result.tables), "bevaret": sum(t.kept for t in result.tables),
              "ændret": sum(len(t.changes) for t in result.tables), "markeret": sum(t.flagged for t in result.tables)}
    shown = ", ".join(f"{k}: {v}" for k, v in counts.items() if v)
    add_event(case, now, SYSTEM, "system_result", f"{name}: udført ({shown or 'ingen oplysninger'})")


def _draft_answer(case: d.RequestCase, now: datetime) -> OutgoingMail:
    version = len(case.answers) + 1
    text = texts.answer_letter(case)
    case.answers.append(d.AnswerVersion(version=version, text_da=text, refusal=case.refusal_ground is not None,
                                        submitted_at=now))
    return texts.answer_for_review(case, version, text)


def remind_owner(case: d.RequestCase, system_id: str, now: datetime) -> list[Effect]:
    result = case.result(system_id)
    if result.status is d.SystemStatus.DONE or case.state == S.CLOSED.value:
        return []
    result.reminders_sent += 1
    system = case.inp.inventory.system(system_id)
    add_event(case, now, SYSTEM, "owner_reminder", f"Påmindelse {result.reminders_sent} til ejeren af {system.name}")
    return [texts.owner_task(case, system, reminder=result.reminders_sent)]


def remind_requester(case: d.RequestCase, reminder: int, now: datetime) -> list[Effect]:
    if case.state != S.AWAITING_INFORMATION.value:
        return []
    add_event(case, now, SYSTEM, "information_reminder", f"Påmindelse {reminder} til den registrerede")
    return [texts.information_request(case, case.information_requests[-1], len(case.information_requests), reminder)]


def remind_deadline(case: d.RequestCase, days: int, now: datetime) -> list[Effect]:
    if case.answered_at is not None:
        return []
    case.reminders_sent.append(days)
    add_event(case, now, SYSTEM, "reminder", f"Påmindelse: frist om {days} dage")
    return [texts.deadline_reminder(case, days)]


def escalate(case: d.RequestCase, now: datetime) -> list[Effect]:
    if case.answered_at is not None or case.overdue:
        return []
    case.overdue = True
    add_event(case, now, SYSTEM, "escalation", "Fristen er overskredet; ledelsen er orienteret")
    return [texts.escalation(case)]


def request_view(case: d.RequestCase, now: datetime, pending_effects: int) -> d.RequestView:
    state = RequestState(case.state)
    info = STATE_INFO[state]
    return d.RequestView(
        request_id=case.request_id, type=case.type, state=case.state, state_label_da=info.task_da, as_of=now,
        received_at=case.inp.received_at, deadline=case.deadline, extended=case.extended, overdue=case.overdue,
        verified=case.verified_at is not None, next_actor=info.owner.value if info.owner else None,
        allowed_actions=[t.value for t in REQUEST.offered(state) if t is not T.SYSTEMS_DONE],
        systems_done=[r.system_id for r in case.systems if r.status is d.SystemStatus.DONE],
        systems_pending=[r.system_id for r in case.systems if r.status is d.SystemStatus.PENDING],
        timeline=list(case.timeline), pending_effects=pending_effects,
    )
