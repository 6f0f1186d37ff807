"""The data-subject request procedure (seed 001 §3.5-3.10) as a declarative table.

Nothing is disclosed, changed or deleted before identity is verified: every state that
acts on the systems is reachable only through `verify_identity`.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from domain.requests import model as d
from domain.requests.deadlines import first_month_deadline
from domain.kernel.procedure import Guard, GuardContext, Procedure, StateInfo
from domain.kernel.model import Role


class RequestState(str, enum.Enum):
    RECEIVED = "received"
    AWAITING_INFORMATION = "awaiting_information"
    ERASURE_ASSESSMENT = "erasure_assessment"
    OBJECTION_ASSESSMENT = "objection_assessment"
    PROCESSING = "processing"
    ANSWER_REVIEW = "answer_review"
    ANSWER_REVISION = "answer_revision"
    RESTRICTED = "restricted"
    CLOSED = "closed"


class RequestTrigger(str, enum.Enum):
    VERIFY_IDENTITY = "verify_identity"
    REQUEST_INFORMATION = "request_information"
    RECORD_INFORMATION = "record_information"
    REFUSE = "refuse"
    ASSESS_ERASURE = "assess_erasure"
    DECIDE_OBJECTION = "decide_objection"
    COMPLETE_MANUAL_TASK = "complete_manual_task"
    SYSTEMS_DONE = "systems_done"
    REVIEW_ANSWER = "review_answer"
    REVISE_ANSWER = "revise_answer"
    EXTEND = "extend"
    LIFT_RESTRICTION = "lift_restriction"
    CHARGE_FEE = "charge_fee"
    REFUSE_PART = "refuse_part"
    RELEASE_THIRD_PARTY_DATA = "release_third_party_data"


S, T = RequestState, RequestTrigger
COMMAND_TYPES: dict[RequestTrigger, type[d.Command]] = {
    T.VERIFY_IDENTITY: d.VerifyIdentity, T.REQUEST_INFORMATION: d.RequestInformation,
    T.RECORD_INFORMATION: d.RecordInformation, T.REFUSE: d.Refuse, T.ASSESS_ERASURE: d.AssessErasure,
    T.DECIDE_OBJECTION: d.DecideObjection, T.COMPLETE_MANUAL_TASK: d.CompleteManualTask,
    T.SYSTEMS_DONE: d.SystemsDone, T.REVIEW_ANSWER: d.ReviewAnswer, T.REVISE_ANSWER: d.ReviseAnswer,
    T.EXTEND: d.Extend, T.LIFT_RESTRICTION: d.LiftRestriction, T.CHARGE_FEE: d.ChargeFee,
    T.REFUSE_PART: d.RefusePart, T.RELEASE_THIRD_PARTY_DATA: d.ReleaseThirdPartyData,
}

KP = Role.KEY_PERSON
# The Danish task is what people read (the request page, 'Mine opgaver', the register, mails): words only.
# Sources: identity first, seed 001 §3.5; erasure only when the purpose is gone and nothing is outstanding, §3.7.
STATE_INFO = {
    S.RECEIVED: StateInfo(KP, "Verificér identiteten", "Verify the requester's identity"),
    S.AWAITING_INFORMATION: StateInfo(Role.REPORTER, "Afventer oplysninger fra den registrerede",
                                      "Awaiting information from the requester"),
    S.ERASURE_ASSESSMENT: StateInfo(KP, "Vurdér om formålet er ophørt og intet udestår",
                                    "Assess that the purpose is gone and nothing is outstanding"),
    S.OBJECTION_ASSESSMENT: StateInfo(KP, "Vurdér indsigelsen (art. 21)", "Assess the objection"),
    S.PROCESSING: StateInfo(Role.SYSTEM_OWNER, "Udfør handlingen i alle systemer",
                            "Perform the action in every system"),
    S.ANSWER_REVIEW: StateInfo(Role.DPO, "Godkend eller afvis svaret", "Approve or reject the answer"),
    S.ANSWER_REVISION: StateInfo(KP, "Ret svaret efter DPO's kommentarer", "Revise the answer"),
    S.RESTRICTED: StateInfo(KP, "Begrænsningen gælder; ophæv den ved en begrundet beslutning",
                            "Restriction in force; lift it by a reasoned decision"),
    S.CLOSED: StateInfo(None, "Anmodningen er afsluttet", "The request is closed"),
}

_OPEN = [S.RECEIVED, S.AWAITING_INFORMATION, S.ERASURE_ASSESSMENT, S.OBJECTION_ASSESSMENT, S.PROCESSING,
         S.ANSWER_REVIEW, S.ANSWER_REVISION]
_UNVERIFIED = [S.RECEIVED, S.AWAITING_INFORMATION]
_REFUSABLE = [*_UNVERIFIED, S.ERASURE_ASSESSMENT, S.OBJECTION_ASSESSMENT]
# Decisions the answer letter states: made before the answer is drafted (or while it is revised).
_BEFORE_ANSWER = [*_REFUSABLE, S.PROCESSING, S.ANSWER_REVISION]
# Decisions on what an export holds: made before the export is written (the guards say more).
_BEFORE_EXPORT = [*_REFUSABLE, S.PROCESSING]

TRANSITIONS: list[dict[str, Any]] = [
    {"trigger": T.VERIFY_IDENTITY, "source": _UNVERIFIED, "dest": S.ERASURE_ASSESSMENT,
     "conditions": ["is_erasure", "method_fits", "child_maturity_assessed", "address_verified",
                    "transfer_confirmation_fits"]},
    {"trigger": T.VERIFY_IDENTITY, "source": _UNVERIFIED, "dest": S.OBJECTION_ASSESSMENT,
     "conditions": ["is_objection", "method_fits", "child_maturity_assessed", "address_verified",
                    "transfer_confirmation_fits"]},
    {"trigger": T.VERIFY_IDENTITY, "source": _UNVERIFIED, "dest": S.PROCESSING,
     "conditions": ["acts_directly", "method_fits", "child_maturity_assessed", "address_verified",
                    "transfer_confirmation_fits"]},
    {"trigger": T.REQUEST_INFORMATION, "source": S.RECEIVED, "dest": S.AWAITING_INFORMATION},
    {"trigger": T.RECORD_INFORMATION, "source": S.AWAITING_INFORMATION, "dest": S.RECEIVED},
    {"trigger": T.REFUSE, "source": _REFUSABLE, "dest": S.ANSWER_REVIEW,
     "conditions": ["refusal_ground_fits", "no_fee_instead"]},
    {"trigger": T.CHARGE_FEE, "source": _BEFORE_ANSWER, "dest": None,
     "conditions": ["fee_ground_fits", "no_fee_yet", "not_refused"]},
    {"trigger": T.REFUSE_PART, "source": _BEFORE_EXPORT, "dest": None,
     "conditions": ["part_basis_fits", "part_known", "part_not_yet_refused", "part_not_yet_acted",
                    "part_leaves_something"]},
    {"trigger": T.RELEASE_THIRD_PARTY_DATA, "source": _BEFORE_EXPORT, "dest": None,
     "conditions": ["gives_a_copy", "third_party_column", "not_yet_released"]},
    {"trigger": T.ASSESS_ERASURE, "source": S.ERASURE_ASSESSMENT, "dest": S.PROCESSING},
    {"trigger": T.DECIDE_OBJECTION, "source": S.OBJECTION_ASSESSMENT, "dest": S.PROCESSING,
     "conditions": ["objection_accepted"]},
    {"trigger": T.DECIDE_OBJECTION, "source": S.OBJECTION_ASSESSMENT, "dest": S.ANSWER_REVIEW,
     "conditions": ["objection_refused", "not_direct_marketing"]},
    {"trigger": T.COMPLETE_MANUAL_TASK, "source": S.PROCESSING, "dest": None, "conditions": ["manual_task_open"]},
    {"trigger": T.SYSTEMS_DONE, "source": S.PROCESSING, "dest": S.ANSWER_REVIEW, "conditions": ["all_systems_done"]},
    {"trigger": T.REVIEW_ANSWER, "source": S.ANSWER_REVIEW, "dest": S.RESTRICTED,
     "conditions": ["approves", "restriction_in_force"]},
    {"trigger": T.REVIEW_ANSWER, "source": S.ANSWER_REVIEW, "dest": S.CLOSED,
     "conditions": ["approves", "nothing_in_force"]},
    {"trigger": T.REVIEW_ANSWER, "source": S.ANSWER_REVIEW, "dest": S.ANSWER_REVISION, "conditions": ["rejects"]},
    {"trigger": T.REVISE_ANSWER, "source": S.ANSWER_REVISION, "dest": S.ANSWER_REVIEW},
    {"trigger": T.EXTEND, "source": _OPEN, "dest": None, "conditions": ["not_yet_extended", "within_first_month"]},
    {"trigger": T.LIFT_RESTRICTION, "source": S.RESTRICTED, "dest": S.CLOSED},
]


def _method_fits(ctx: GuardContext) -> bool:
    inp: d.RequestInput = ctx.case.inp
    method = ctx.command.method
    if inp.on_behalf is d.Representation.POWER_OF_ATTORNEY:
        return method is d.IdentityMethod.POWER_OF_ATTORNEY
    if inp.on_behalf is d.Representation.PARENTAL_AUTHORITY:
        return method is d.IdentityMethod.PARENTAL_AUTHORITY
    return method in d.METHODS_FOR_CHANNEL[inp.channel]


def _method_message(ctx: GuardContext) -> str:
    inp: d.RequestInput = ctx.case.inp
    if inp.on_behalf is not None:
        return (f"the requester acts by {inp.on_behalf.value}: verify with method '{inp.on_behalf.value}' "
                "(seed 001 §3.5)")
    allowed = ", ".join(sorted(m.value for m in d.METHODS_FOR_CHANNEL[inp.channel]))
    return f"a request by {inp.channel.value} is verified by: {allowed} (seed 001 §3.5)"


def _refusal_fits(ctx: GuardContext) -> bool:
    if ctx.command.ground is d.RefusalGround.IDENTITY_NOT_ESTABLISHED:
        return ctx.case.verified_at is None
    return True


def _address_verified(ctx: GuardContext) -> bool:
    if ctx.case.legacy:
        return True
    return ctx.command.verified_email is not None or ctx.command.verified_postal_address is not None


def _transfer_confirmation_fits(ctx: GuardContext) -> bool:
    confirmed = ctx.command.confirm_transfer_to
    if confirmed is None:
        return True
    wanted = ctx.case.inp.transfer_to
    return wanted is not None and confirmed.lower() == wanted.lower()


def _within_first_month(ctx: GuardContext) -> bool:
    return ctx.now <= first_month_deadline(ctx.case)


def _manual_task_open(ctx: GuardContext) -> bool:
    system_id = ctx.command.system_id
    return any(r.system_id == system_id and r.manual and r.status is d.SystemStatus.PENDING for r in ctx.case.systems)


FEE_TYPES_MESSAGE = (
    "answering is free (Art. 12(5)); a fee is allowed only for a manifestly unfounded or excessive request "
    "(ground manifestly_unfounded or excessive, Art. 12(5)(a)) or for a further copy in an access request whose "
    "earlier answer gave the person a copy (ground further_copy, Art. 15(3); the request names it in further_copy_of)")


def _fee_ground_fits(ctx: GuardContext) -> bool:
    if ctx.command.ground is d.FeeGround.FURTHER_COPY:
        return ctx.case.type is d.RequestType.ACCESS and ctx.case.inp.further_copy_of is not None
    return True


def _fee_message(ctx: GuardContext) -> str:
    if ctx.case.type is not d.RequestType.ACCESS:
        return (f"a fee for a further copy applies to access requests only (Art. 15(3)), not to "
                f"{ctx.case.type.value}; " + FEE_TYPES_MESSAGE)
    return "this request does not name an earlier answered access request (further_copy_of); " + FEE_TYPES_MESSAGE


def _no_fee_instead(ctx: GuardContext) -> bool:
    fee = ctx.case.fee
    art_12_5 = (d.RefusalGround.MANIFESTLY_UNFOUNDED, d.RefusalGround.EXCESSIVE)
    return fee is None or fee.ground is d.FeeGround.FURTHER_COPY or ctx.command.ground not in art_12_5


def part_scope(case: d.RequestCase) -> dict[str, list[str] | None]:
    """What the request covers and no refused part has taken out: system id -> its tables (None: manual)."""
    scope: dict[str, list[str] | None] = {}
    for system in d.systems_in_scope(case):
        tables = [t.name for t in system.connector.tables] if system.connector.kind == "sql" else None
        scope[system.id] = tables
    for part in case.refused_parts:
        if part.system_id not in scope:
            continue
        tables = scope[part.system_id]
        if part.table is None or tables is None:
            del scope[part.system_id]
        else:
            scope[part.system_id] = [t for t in tables if t != part.table]
            if not scope[part.system_id]:
                del scope[part.system_id]
    return scope


def _part_known(ctx: GuardContext) -> bool:
    cmd: d.RefusePart = ctx.command
    system = next((s for s in d.systems_in_scope(ctx.case) if s.id == cmd.system_id), None)
    if system is None:
        return False
    if cmd.table is None:
        return True
    return system.connector.kind == "sql" and any(t.name == cmd.table for t in system.connector.tables)


def _part_message(ctx: GuardContext) -> str:
    known = []
    for system in d.systems_in_scope(ctx.case):
        known.append(system.id)
        if system.connector.kind == "sql":
            known += [f"{system.id} table {t.name}" for t in system.connector.tables]
    return f"the refused part must be a system (and table) the request covers: {', '.join(known)}"


def _part_not_yet_refused(ctx: GuardContext) -> bool:
    cmd: d.RefusePart = ctx.command
    scope = part_scope(ctx.case)
    if cmd.system_id not in scope:
        return False
    tables = scope[cmd.system_id]
    return cmd.table is None or (tables is not None and cmd.table in tables)


def _part_not_yet_acted(ctx: GuardContext) -> bool:
    """Erasure and the like act on the systems: a part must be refused before its system acts. Access and
    portability only collect; a part can be left out until the export is written."""
    case: d.RequestCase = ctx.case
    if case.type in (d.RequestType.ACCESS, d.RequestType.PORTABILITY):
        return not case.export_files
    return case.state != RequestState.PROCESSING.value


def _part_leaves_something(ctx: GuardContext) -> bool:
    cmd: d.RefusePart = ctx.command
    scope = part_scope(ctx.case)
    tables = scope.get(cmd.system_id)
    if cmd.table is None or tables is None or tables == [cmd.table]:
        scope.pop(cmd.system_id, None)
    return bool(scope)


def _third_party_column(ctx: GuardContext) -> bool:
    cmd: d.ReleaseThirdPartyData = ctx.command
    system = next((s for s in ctx.case.inp.inventory.systems if s.id == cmd.system_id), None)
    if system is None or system.connector.kind != "sql":
        return False
    table = next((t for t in system.connector.tables if t.name == cmd.table), None)
    return table is not None and cmd.column in table.third_party


def _third_party_message(ctx: GuardContext) -> str:
    marked = [f"{s.id}.{t.name}.{c}" for s in ctx.case.inp.inventory.systems if s.connector.kind == "sql"
              for t in s.connector.tables for c in t.third_party]
    return ("only a column the inventory marks as holding information about other persons (third_party) is "
            f"released by a decision; marked: {', '.join(marked) or 'none'}")


def _restriction_in_force(ctx: GuardContext) -> bool:
    return ctx.case.type is d.RequestType.RESTRICTION and ctx.case.refusal_ground is None


GUARDS: dict[str, Guard] = {
    "is_erasure": Guard(lambda x: x.case.type is d.RequestType.ERASURE, None),
    "is_objection": Guard(lambda x: x.case.type is d.RequestType.OBJECTION, None),
    "acts_directly": Guard(lambda x: x.case.type not in (d.RequestType.ERASURE, d.RequestType.OBJECTION), None),
    "objection_accepted": Guard(lambda x: x.command.accept, None),
    "objection_refused": Guard(lambda x: not x.command.accept, None),
    "approves": Guard(lambda x: x.command.approve, None),
    "rejects": Guard(lambda x: not x.command.approve, None),
    "restriction_in_force": Guard(_restriction_in_force, None),
    "nothing_in_force": Guard(lambda x: not _restriction_in_force(x), None),
    "method_fits": Guard(_method_fits, "identity method does not fit", explain=_method_message),
    "child_maturity_assessed": Guard(
        lambda x: x.case.inp.on_behalf is not d.Representation.PARENTAL_AUTHORITY
        or x.command.maturity_assessment is not None,
        "for a child under 18, record whether the child can receive the data itself (maturity_assessment, "
        "seed 001 §3.5)"),
    "address_verified": Guard(
        _address_verified,
        "record the address the check proved: verified_email (or verified_postal_address for a letter); with "
        "registered_address it is the address in the organisation's own records. The answer goes only there"),
    "transfer_confirmation_fits": Guard(
        _transfer_confirmation_fits,
        "confirm_transfer_to must be the new controller's address named in the request (transfer_to)"),
    "not_direct_marketing": Guard(
        lambda x: not x.case.inp.objection_direct_marketing,
        "an objection to direct marketing is absolute (Art. 21(3)): the processing for direct marketing must "
        "stop, so the objection cannot be refused; decide with accept=true"),
    "refusal_ground_fits": Guard(_refusal_fits, "identity is already verified; it cannot be the ground"),
    "no_fee_instead": Guard(
        _no_fee_instead,
        "a fee has already been charged because the request is manifestly unfounded or excessive; Art. 12(5) "
        "allows either a fee or a refusal on that ground, not both"),
    "fee_ground_fits": Guard(_fee_ground_fits, FEE_TYPES_MESSAGE, explain=_fee_message),
    "no_fee_yet": Guard(lambda x: x.case.fee is None, "a fee has already been decided for this request"),
    "not_refused": Guard(lambda x: x.case.refusal_ground is None,
                         "the request is refused; Art. 12(5) allows either a fee or a refusal, not both"),
    "part_basis_fits": Guard(
        lambda x: x.case.type in d.PART_REFUSAL_TYPES[x.command.basis],
        "that legal basis does not limit this kind of request: Art. 17(3) (legal_obligation, public_task, "
        "archiving, legal_claims) limits erasure, databeskyttelsesloven § 22 (dbl_22) limits access, Art. 15(4) "
        "(others_rights) limits access and portability"),
    "part_known": Guard(_part_known, "unknown part", explain=_part_message),
    "part_not_yet_refused": Guard(_part_not_yet_refused, "that part is already refused"),
    "part_not_yet_acted": Guard(
        _part_not_yet_acted,
        "too late to refuse a part: the systems are already acting on the request (refuse parts of an erasure "
        "before it is assessed), or the export is already written"),
    "part_leaves_something": Guard(
        _part_leaves_something,
        "that would refuse everything the request covers: a partial refusal must leave a part that is carried "
        "out; to refuse the whole request use 'refuse' with its ground"),
    "gives_a_copy": Guard(
        lambda x: x.case.type in (d.RequestType.ACCESS, d.RequestType.PORTABILITY) and not x.case.export_files,
        "information about other persons is decided for an access or portability export, before it is written"),
    "third_party_column": Guard(_third_party_column, "not a third-party column", explain=_third_party_message),
    "not_yet_released": Guard(
        lambda x: not any((r.system_id, r.table, r.column) == (x.command.system_id, x.command.table,
                                                                x.command.column) for r in x.case.third_party_released),
        "that column is already released"),
    "manual_task_open": Guard(_manual_task_open, "no open manual task for that system"),
    "all_systems_done": Guard(lambda x: x.case.all_systems_done(), "some systems have not reported yet"),
    "not_yet_extended": Guard(lambda x: not x.case.extended, "the deadline has already been extended once"),
    "within_first_month": Guard(
        _within_first_month,
        "an extension must be decided and told to the requester within the first month (Art. 12(3))"),
}

ROLES = {
    T.REVIEW_ANSWER: frozenset({Role.DPO}),
    T.COMPLETE_MANUAL_TASK: frozenset({Role.KEY_PERSON, Role.DPO, Role.SYSTEM_OWNER}),
    T.SYSTEMS_DONE: frozenset({Role.SYSTEM}),
}

REQUEST = Procedure(states=RequestState, triggers=RequestTrigger, transitions=TRANSITIONS, guards=GUARDS,
                    state_info=STATE_INFO, default_roles=frozenset({Role.KEY_PERSON, Role.DPO}), roles=ROLES)


def check(case: d.RequestCase, trigger: RequestTrigger, command: d.Command, now: datetime) -> RequestState | None:
    return REQUEST.check(case, trigger, command, now)


def mermaid() -> str:
    return REQUEST.mermaid(S.RECEIVED, S.CLOSED)
