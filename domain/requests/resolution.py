"""Applying the person resolution to a request: which systems act, which wait for a person.

Pure: the request workflow runs the read-only `resolve_person` activity once, when
processing starts and before any system is touched, and hands the outcome here.
"""

from __future__ import annotations

from datetime import datetime

from domain.kernel.deadlines import format_da
from domain.requests.model import TYPE_DA, RequestCase
from domain.requests.texts import task_link
from domain.requests.inventory import System
from domain.requests.texts import request_link
from domain.kernel.mail import SIGNATURE, OutgoingMail
from domain.kernel.model import SYSTEM, add_event
from domain.requests.person import PersonResolution, kind_da, resolution_summary_da


def _mail(case: RequestCase, step: str, to: list[str], subject: str, body: str) -> OutgoingMail:
    """Every mail here goes to the organisation's own people (system owners, key person, DPO): with the link."""
    sign = SIGNATURE.format(org=case.inp.policy.organisation_name, case_id=case.request_id)
    link = request_link(case)
    return OutgoingMail(key=f"{case.request_id}.{step}", case_id=case.request_id, to=sorted(set(to)),
                        subject=f"[{case.request_id}] {subject}", body=(body.rstrip("\n") + link if link else body)
                        + sign)


def _supplied(case: RequestCase) -> str:
    """The requester's own identifiers (what the owner searches for); never anyone else's data."""
    return ", ".join(f"{kind_da(k)}: {v}" for k, v in sorted(case.inp.identifiers.items()))


def review_task(case: RequestCase, system: System, reasons: list[str], conflict: bool,
                reminder: int = 0) -> OutgoingMail:
    why = "\n".join(f"- {r}" for r in reasons) or (
        "- Oplysningerne i anmodningen peger på forskellige personer i et andet af skolens systemer.")
    stop = ("Hele anmodningen er stoppet, fordi oplysningerne i den peger på forskellige personer. "
            if conflict else "")
    link = task_link(case, system.id)
    record = (f"Registrér derefter hvad du fandt og gjorde på opgavens side:\n{link}" if link
              else "Registrér derefter i sagen, hvad du fandt og gjorde.")
    body = (f"Kære {system.owner.name}\n\nEn anmodning om {TYPE_DA[case.type]} kan ikke udføres automatisk i "
            f"{system.name}, fordi det ikke entydigt kan fastslås, hvilke oplysninger der tilhører personen.\n"
            f"{stop}Intet er læst, ændret eller slettet.\n\nHvad der ikke passede:\n{why}\n\n"
            f"Personen har oplyst: {_supplied(case)}\n\nKontrollér hvem anmodningen gælder, og gør kun noget ved "
            f"oplysninger, der med sikkerhed tilhører personen. {record}\n"
            f"Frist for svaret til den registrerede: {format_da(case.deadline)}.")
    step = f"review-{system.id}" + (f".reminder-{reminder}" if reminder else "")
    subject = ("Påmindelse: " if reminder else "") + f"Manuel gennemgang i {system.name}"
    return _mail(case, step, [system.owner.email], subject, body)


def review_reminder(case: RequestCase, system_id: str, reminder: int) -> OutgoingMail:
    """The owner's reminder repeats the review task, not the plain task it replaced."""
    assert case.resolution is not None
    found = case.resolution.system(system_id)
    return review_task(case, case.inp.inventory.system(system_id), found.reasons_da() if found else [],
                       case.resolution.conflict, reminder)


def conflict_notice(case: RequestCase, names: list[str]) -> OutgoingMail:
    body = ("Oplysningerne i anmodningen peger på forskellige personer, så anmodningen er stoppet, før noget system "
            "blev rørt. Intet er læst, ændret eller slettet.\n\n"
            f"Hvor det ikke passede: {', '.join(names)}.\n\n"
            "Alle systemejere har fået en opgave om manuel gennemgang. Overvej at bede den registrerede om at "
            "bekræfte sine oplysninger.")
    to = [case.inp.policy.responsible.email, case.inp.policy.dpo.email]
    return _mail(case, "person-conflict", to, "Anmodningen er stoppet: personen kunne ikke fastslås", body)


def apply_resolution(case: RequestCase, resolution: PersonResolution, now: datetime) -> list[OutgoingMail]:
    """Record whose rows the request acts on; systems that need a person become manual review tasks."""
    case.resolution = resolution
    inventory = case.inp.inventory
    names = {s.id: s.name for s in inventory.systems}
    add_event(case, now, SYSTEM, "person_resolved", resolution_summary_da(resolution, names))
    mails: list[OutgoingMail] = []
    for slot in case.systems:
        if not resolution.needs_review(slot.system_id):
            continue
        slot.manual = True
        found = resolution.system(slot.system_id)
        reasons = found.reasons_da() if found else []
        if resolution.unresolved:
            reasons = ["Systemerne kunne ikke læses automatisk, så det kan ikke afgøres, hvilke oplysninger der "
                       "tilhører personen."]
        mails.append(review_task(case, inventory.system(slot.system_id), reasons, resolution.conflict))
    if resolution.conflict:
        conflicting = [names[s.system_id] for s in resolution.systems if s.reasons_da() and s.verdict.rank >= 2]
        mails.append(conflict_notice(case, conflicting))
    return mails


def held_back(case: RequestCase, system_id: str) -> bool:
    """True when the system waits for manual review: no automatic action, no plain task mail."""
    return case.resolution is not None and case.resolution.needs_review(system_id)
