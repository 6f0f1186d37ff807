"""The registers in words: Danish headings, values in words, dates as Danish Excel reads them, CSV files.

Nothing here decides anything: whether a deadline is met comes from `domain.case_index`, states and
types from the domain's own Danish texts. This module only turns register rows into what a person
reads on a page or in Excel.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any, Callable, Iterable
from zoneinfo import ZoneInfo

from domain.breach.machine import STATE_INFO as BREACH_STATE_INFO, BreachState
from domain.case_index import breach_deadline_met
from domain.requests.machine import STATE_INFO as REQUEST_STATE_INFO, RequestState
from domain.requests import model as dsr
from domain.requests.model import IdentityMethod, RefusalGround, RequestType, TYPE_DA
from domain.requests.register import RequestRegisterEntry
from domain.breach.facts import Art34Exception
from domain.breach.model import RiskLevel
from domain.breach.register import RegisterEntry
from domain.breach.risk import EXCEPTION_DA
from web.labels import OPTION_DA

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
YES, NO = "Ja", "Nej"
NOT_YET = "Ikke endnu"
UTF8_BOM = "\ufeff"
# A cell Excel (or LibreOffice) would read as a formula: =, +, -, @, and tab / carriage return, which
# some versions strip before looking (OWASP "CSV injection"). Such a cell gets a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

RISK_DA = {RiskLevel.NO_RISK.value: "Ingen risiko", RiskLevel.RISK.value: "Risiko",
           RiskLevel.HIGH_RISK.value: "Høj risiko"}
ORG_ROLE_DA = {"controller": "Dataansvarlig", "processor": "Databehandler"}
CHANNEL_DA = {channel.value: text[:1].upper() + text[1:] for channel, text in dsr.CHANNEL_DA.items()}
ON_BEHALF_DA = {kind.value: text[:1].upper() + text[1:] for kind, text in dsr.ON_BEHALF_DA.items()}


def date_da(moment: datetime | None) -> str:
    """'02-12-2026 14:05' in Danish time: the form Danish Excel reads as a date and time."""
    return moment.astimezone(COPENHAGEN).strftime("%d-%m-%Y %H:%M") if moment is not None else ""


def yes_no(value: bool | None, unknown: str = "") -> str:
    return unknown if value is None else (YES if value else NO)


def _option(enum_type, value: str | None) -> str:
    if value is None:
        return ""
    try:
        return OPTION_DA[enum_type][enum_type(value)]
    except (KeyError, ValueError):
        return value


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- breaches --------------------------------------------------------------------------------


def breach_closed(e: RegisterEntry) -> bool:
    return e.closed_at is not None or e.state == BreachState.CLOSED.value


def breach_state_da(e: RegisterEntry) -> str:
    """'Lukket', or 'Åben: ' and the task the case waits for, in the procedure's own words."""
    if breach_closed(e):
        return "Lukket"
    try:
        return f"Åben: {BREACH_STATE_INFO[BreachState(e.state)].task_da}"
    except (KeyError, ValueError):  # a state a newer version added
        return "Åben"


def breach_kind_da(e: RegisterEntry) -> str:
    """What kind of case this is, as the register knows it: not a breach, or a breach and its risk."""
    if e.is_breach is False:
        return "Ikke et brud"
    if e.is_breach is None:
        return "Endnu ikke vurderet"
    risk = RISK_DA.get(e.risk_level or "")
    kind = f"Brud – {risk.lower()}" if risk else "Brud – risikoen er endnu ikke vurderet"
    return kind + (" (som databehandler)" if e.org_role == "processor" else "")


def breach_deadline_da(e: RegisterEntry) -> str:
    """Ja: the 72-hour duty was discharged in time. Nej: the deadline passed first. Else: not yet."""
    if e.overdue:
        return NO
    return YES if breach_deadline_met(e) else NOT_YET


def subjects_told_da(e: RegisterEntry) -> str:
    if e.f9_subjects_communicated_at is not None:
        return f"Ja, {date_da(e.f9_subjects_communicated_at)}"
    return NO if e.f9_1_reason_not_communicated else NOT_YET


def notified_da(e: RegisterEntry) -> str:
    return date_da(e.f8_authority_notified_at) if e.f8_authority_notified_at else NO


def breach_table_row(e: RegisterEntry) -> dict[str, str]:
    return {"case_id": e.case_id, "href": f"/brud/{e.case_id}", "aware": date_da(e.aware_at),
            "kind": breach_kind_da(e), "state": breach_state_da(e), "notified": notified_da(e),
            "subjects": subjects_told_da(e), "deadline_met": breach_deadline_da(e),
            "closed": date_da(e.closed_at) if breach_closed(e) and e.closed_at else ("Ja" if breach_closed(e) else NO)}


# Every register field with its Danish heading, in the order of the register's log fields (seed 002)
# and documentation list (seed 004): the CSV file's columns and the printable report's entries.
BREACH_FIELDS: list[tuple[str, Callable[[RegisterEntry], Any]]] = [
    ("Sagsnummer", lambda e: e.case_id),
    ("Status", breach_state_da),
    ("Art", breach_kind_da),
    ("Organisationens rolle", lambda e: ORG_ROLE_DA.get(e.org_role, e.org_role)),
    ("Er hændelsen et brud", lambda e: yes_no(e.is_breach, NOT_YET)),
    ("Begrundelse for, at det ikke er et brud", lambda e: e.not_breach_reason),
    ("Opdaget af", lambda e: e.f1_discovered_by),
    ("Bruddet skete", lambda e: date_da(e.f2_occurred_at)),
    ("Opmærksom på bruddet", lambda e: date_da(e.aware_at)),
    ("Hvad skete der", lambda e: e.f3_what_happened),
    ("Årsag", lambda e: e.f4_cause),
    ("Kategorier af personoplysninger", lambda e: e.f5_data_categories),
    ("Kategorier af berørte personer", lambda e: e.subject_categories),
    ("Omtrentligt antal berørte personer", lambda e: e.approx_subjects),
    ("Omtrentligt antal berørte registreringer", lambda e: e.approx_records),
    ("Sandsynlige konsekvenser", lambda e: e.f6_consequences),
    ("Afhjælpende foranstaltninger", lambda e: e.f7_remedial_measures),
    ("Risiko", lambda e: RISK_DA.get(e.risk_level or "", e.risk_level or "")),
    ("Begrundelse for risikovurderingen", lambda e: e.risk_reasons),
    ("Foreslået risiko", lambda e: RISK_DA.get(e.proposed_level or "", e.proposed_level or "")),
    ("Begrundelse for at afvige fra forslaget", lambda e: e.deviation_reason),
    ("Nej besluttet af", lambda e: e.no_decided_by),
    ("Anmeldt til Datatilsynet", notified_da),
    ("Begrundelse for ikke at anmelde", lambda e: e.f8_1_reason_not_notified),
    ("Datatilsynets journalnummer", lambda e: e.authority_reference),
    ("Begrundelse for forsinket anmeldelse", lambda e: e.notification_delay_reasons),
    ("Den dataansvarlige underrettet", lambda e: date_da(e.controller_notified_at)),
    ("De registrerede underrettet", lambda e: date_da(e.f9_subjects_communicated_at) or NO),
    ("Begrundelse for ikke at underrette", lambda e: e.f9_1_reason_not_communicated),
    ("Undtagelse efter art. 34, stk. 3", lambda e: _first_upper(EXCEPTION_DA[Art34Exception(e.art34_exception)])
     if e.art34_exception in {x.value for x in Art34Exception} else (e.art34_exception or "")),
    ("Frist for anmeldelse", lambda e: date_da(e.deadline)),
    ("Frist overholdt", breach_deadline_da),
    ("Opfølgninger", lambda e: e.follow_ups),
    ("Erfaringer", lambda e: e.lessons_learned),
    ("Databeskyttelsesrådgiver", lambda e: e.dpo_contact),
    ("Lukket", lambda e: date_da(e.closed_at)),
    ("Senest opdateret", lambda e: date_da(e.updated_at)),
]


# --- requests --------------------------------------------------------------------------------


def request_closed(e: RequestRegisterEntry) -> bool:
    return e.closed_at is not None or e.state == RequestState.CLOSED.value


def request_state_da(e: RequestRegisterEntry) -> str:
    if request_closed(e):
        return "Lukket"
    try:
        return f"Åben: {REQUEST_STATE_INFO[RequestState(e.state)].task_da}"
    except (KeyError, ValueError):
        return "Åben"


def request_type_da(value: str) -> str:
    try:
        return _first_upper(TYPE_DA[RequestType(value)])
    except (KeyError, ValueError):
        return value


def in_time_da(e: RequestRegisterEntry) -> str:
    if e.in_time is not None:
        return yes_no(e.in_time)
    return NO if e.overdue else NOT_YET


def request_table_row(e: RequestRegisterEntry) -> dict[str, str]:
    return {"case_id": e.request_id, "href": f"/anmodning/{e.request_id}", "type": request_type_da(e.type),
            "received": date_da(e.received_at), "deadline": date_da(e.deadline) + (" (forlænget)" if e.extended else ""),
            "in_time": in_time_da(e), "state": request_state_da(e),
            "closed": date_da(e.closed_at) if e.closed_at else ("Ja" if request_closed(e) else NO)}


# Not in the file: `identifiers` (how the person is found in the systems: personal data the register
# keeps for the monthly control) and the per-system JSON; the case page has the details.
REQUEST_FIELDS: list[tuple[str, Callable[[RequestRegisterEntry], Any]]] = [
    ("Sagsnummer", lambda e: e.request_id),
    ("Type", lambda e: request_type_da(e.type)),
    ("Modtaget via", lambda e: CHANNEL_DA.get(e.channel, e.channel)),
    ("Status", request_state_da),
    ("Modtaget", lambda e: date_da(e.received_at)),
    ("Frist", lambda e: date_da(e.deadline)),
    ("Fristen forlænget", lambda e: yes_no(e.extended)),
    ("Begrundelse for forlængelse", lambda e: e.extension_reasons),
    ("På vegne af den registrerede", lambda e: ON_BEHALF_DA.get(e.on_behalf or "", e.on_behalf or "")),
    ("Identiteten fastslået ved", lambda e: _option(IdentityMethod, e.identity_method)),
    ("Identiteten fastslået", lambda e: date_da(e.verified_at)),
    ("Afvist, fordi", lambda e: _option(RefusalGround, e.refusal_ground)),
    ("Begrundelse for afvisning", lambda e: e.refusal_reasons),
    ("Gebyr", lambda e: yes_no(e.fee is not None)),
    ("Dele af anmodningen afvist", lambda e: yes_no(e.refused_parts is not None)),
    ("Besvaret", lambda e: date_da(e.answered_at)),
    ("Besvaret rettidigt", in_time_da),
    ("Fristen overskredet", lambda e: yes_no(e.overdue)),
    ("Lukket", lambda e: date_da(e.closed_at)),
    ("Senest opdateret", lambda e: date_da(e.updated_at)),
]


# --- CSV -------------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, datetime):
        return date_da(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def guarded_csv(headings: list[str], rows: Iterable[list[Any]]) -> str:
    """CSV as Danish Excel opens it: UTF-8 with a byte-order mark, ';' between cells, CRLF lines."""
    out = io.StringIO()
    out.write(UTF8_BOM)
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([_cell(h) for h in headings])
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def register_csv(fields: list[tuple[str, Callable]], entries: Iterable) -> str:
    return guarded_csv([heading for heading, _ in fields], ([get(e) for _, get in fields] for e in entries))


def report_fields(e: RegisterEntry) -> list[tuple[str, str]]:
    """The register entry for the printable report: every field that has a value."""
    out = []
    for heading, get in BREACH_FIELDS:
        value = get(e)
        if value not in (None, ""):
            out.append((heading, str(value) if not isinstance(value, datetime) else date_da(value)))
    return out


# --- the printable report ---------------------------------------------------------------------

# The steps that are decisions (who decided what is what Datatilsynet asks about); the rest is the timeline.
DECISIONS = {"assess_breach", "assess_notification", "co_decide", "review_draft", "record_submission",
             "decide_communication", "postpone_communication", "review_postponement", "close", "reopen"}


def role_da(role: str) -> str:
    from domain.kernel.model import Role
    from domain.breach.view import ROLE_DA

    try:
        return ROLE_DA[Role(role)]
    except (KeyError, ValueError):
        return role


def report_events(events) -> tuple[list[dict], list[dict]]:
    """(timeline, decisions) of a case's recorded steps, with names and roles in Danish."""
    timeline = [{"at": date_da(e.at), "who": e.actor_name, "role": role_da(e.actor_role), "what": e.summary}
                for e in events]
    decisions = [row for row, e in zip(timeline, events) if e.action in DECISIONS]
    return timeline, decisions
