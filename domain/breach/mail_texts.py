"""The mails a breach case sends, in Danish, as plain data for the mail activity.

`key` is unique per case and step; the mail activity derives the Message-ID from it,
so a retried activity never sends the same mail twice.
"""

from __future__ import annotations

from domain.breach.machine import STATE_INFO, BreachState
from domain.kernel.deadlines import format_da
from domain.kernel.mail import SIGNATURE, OutgoingMail, workspace_link
from domain.kernel.model import Strict
from domain.breach.model import AUDIENCE_DA, BreachCase, PlannedCommunication, Postponement, SupplierRequest


class DraftMail(Strict):
    """Render draft `draft_index` from its template, then mail it: to the DPO or, approved, to the controller."""

    draft_index: int
    purpose: str  # "review" | "controller"


def _mail(case: BreachCase, step: str, to: list[str], subject: str, body: str, *,
          internal: bool = False) -> OutgoingMail:
    """`internal`: every recipient is one of the organisation's own people; only then the workspace link."""
    sign = SIGNATURE.format(org=case.policy.organisation_name, case_id=case.case_id)
    link = workspace_link(case.policy.workspace_url, f"/brud/{case.case_id}") if internal else ""
    return OutgoingMail(
        key=f"{case.case_id}.{step}", case_id=case.case_id, to=sorted(set(to)),
        subject=f"[{case.case_id}] {subject}", body=(body.rstrip("\n") + link if link else body) + sign,
    )


def _owners(case: BreachCase) -> list[str]:
    return [case.policy.key_person.email, case.policy.dpo.email]


def case_opened(case: BreachCase) -> OutgoingMail:
    r = case.report
    body = (
        f"Der er anmeldt et muligt brud på persondatasikkerheden.\n\n"
        f"Bekendt med hændelsen: {format_da(r.aware_at)}\n"
        f"Frist for anmeldelse: {format_da(case.deadline)}\n"
        f"Rolle: {'databehandler (underret den dataansvarlige)' if r.org_role.value == 'processor' else 'dataansvarlig'}\n\n"
        f"Hvad er der sket:\n{r.what_happened}\n\nSådan blev det opdaget:\n{r.how_discovered}\n\n"
        f"Første skridt: vurdér om hændelsen er et brud på persondatasikkerheden."
    )
    return _mail(case, "opened", _owners(case), "Nyt muligt brud på persondatasikkerheden", body,
                 internal=True)


def report_receipt(case: BreachCase) -> OutgoingMail:
    """The person who reported gets a receipt: the case number and that it is being handled, nothing more."""
    body = (
        f"Kære {case.report.reporter.name}\n\n"
        f"Tak for din anmeldelse af et muligt brud på persondatasikkerheden. Sagen har nummer {case.case_id}.\n"
        "Nøglepersonen og databeskyttelsesrådgiveren er orienteret og vurderer sagen. Kontakt dem, hvis du "
        "får nye oplysninger om hændelsen."
    )
    return _mail(case, "receipt", [str(case.report.reporter.email)], "Kvittering for din anmeldelse", body)


def management_informed(case: BreachCase, message: str | None) -> OutgoingMail:
    body = (
        f"Ledelsen og DPO orienteres om et brud på persondatasikkerheden.\n\n"
        f"Frist for anmeldelse til Datatilsynet: {format_da(case.deadline)}\n"
        f"Kriseteam: {', '.join(case.crisis_team)}\n"
        f"Iværksatte foranstaltninger: {case.containment}\n"
        f"Stoppede systemer: {case.systems_stopped or 'ingen'}\n\n"
        f"Hvad er der sket:\n{case.report.what_happened}\n"
        + (f"\nBesked fra nøglepersonen:\n{message}\n" if message else "")
    )
    to = list(case.policy.management_emails) + [case.policy.dpo.email]
    return _mail(case, "management-informed", to, "Orientering: brud på persondatasikkerheden – kriseteam indkaldt",
                 body, internal=True)


def supplier_request(case: BreachCase, supplier: SupplierRequest, reminder: int = 0) -> OutgoingMail:
    body = (
        f"Kære {supplier.name}\n\n"
        f"{case.policy.organisation_name} håndterer et brud på persondatasikkerheden"
        + (f" i systemet {supplier.system}" if supplier.system else "")
        + ".\nVi beder om en skriftlig redegørelse med:\n"
        "- hændelsesforløbet (tidslinje)\n- baggrunden for fejlen\n- konsekvenserne heraf\n"
        "- hvordan fejlen er rettet\n- hvordan det sikres, at det ikke sker igen\n\n"
        f"Svar venligst til {case.policy.key_person.email} hurtigst muligt; fristen for anmeldelse "
        f"til Datatilsynet er {format_da(case.deadline)}."
    )
    step = f"supplier-request.{supplier.name}" + (f".reminder-{reminder}" if reminder else "")
    subject = ("Påmindelse: " if reminder else "") + "Anmodning om redegørelse for sikkerhedsbrud"
    return _mail(case, step, [supplier.email], subject, body)


def draft_for_review(case: BreachCase, kind_da: str, version: int, text: str) -> OutgoingMail:
    body = f"Et udkast til {kind_da} (version {version}) venter på din godkendelse.\n\n{text}"
    return _mail(case, f"draft-{kind_da}-v{version}-review", [case.policy.dpo.email],
                 f"Til godkendelse: udkast {version} til {kind_da}", body, internal=True)


def co_decision_requested(case: BreachCase, proposal_da: str, reasons: str, number: int) -> OutgoingMail:
    """A proposed "no" counts only once the DPO agrees (the breach procedure, activity 7)."""
    body = (f"{case.policy.key_person.name} foreslår, at {proposal_da}.\n\nBegrundelse:\n{reasons}\n\n"
            f"Beslutningen kræver din medbeslutning; indtil da løber fristen ({format_da(case.deadline)}).")
    return _mail(case, f"co-decision-{number}", [case.policy.dpo.email], "Din medbeslutning: " + proposal_da, body,
                 internal=True)


def co_decision_declined(case: BreachCase, comments: str) -> OutgoingMail:
    """The DPO did not agree to a proposed "no": the case is assessed again."""
    body = f"DPO er ikke enig i forslaget om ikke at anmelde / at det ikke er et brud.\n\nKommentarer:\n{comments}\n"
    number = sum(1 for e in case.timeline if e.action == "co_decide") + 1
    return _mail(case, f"co-decision-declined-{number}", [case.policy.key_person.email],
                 "DPO er ikke enig: vurdér igen", body, internal=True)


def draft_reviewed(case: BreachCase, kind_da: str, version: int, approved: bool, comments: str | None) -> OutgoingMail:
    verdict = "godkendt" if approved else "afvist"
    body = f"DPO har {verdict} udkast {version} til {kind_da}.\n" + (f"\nKommentarer:\n{comments}\n" if comments else "")
    return _mail(case, f"draft-{kind_da}-v{version}-{verdict}", [case.policy.key_person.email],
                 f"Udkast {version} til {kind_da} er {verdict}", body, internal=True)


def controller_notification(case: BreachCase, text: str) -> OutgoingMail:
    assert case.report.controller is not None
    body = (
        f"Kære {case.report.controller.name}\n\nSom databehandler underretter {case.policy.organisation_name} "
        f"jer hermed uden unødig forsinkelse om et brud på persondatasikkerheden (art. 33, stk. 2).\n\n{text}"
    )
    return _mail(case, "controller-notified", [case.report.controller.email, case.policy.dpo.email],
                 "Underretning om brud på persondatasikkerheden (databehandler)", body)


def _round(case: BreachCase) -> str:
    """Mail keys of a reopened case's new deadline differ from the first round's (a Message-ID is sent once)."""
    return f"-r{len(case.reopenings)}" if case.reopenings else ""


def _next_step(case: BreachCase) -> str:
    return STATE_INFO[BreachState(case.state)].task_da


def deadline_reminder(case: BreachCase, hours_before: int) -> OutgoingMail:
    body = (
        f"Påmindelse: fristen for anmeldelse udløber {format_da(case.deadline)} (om ca. {hours_before} timer).\n"
        f"Næste skridt i sagen: {_next_step(case)}.\n"
        "Anmeld, eller dokumentér at bruddet sandsynligvis ikke indebærer en risiko."
    )
    return _mail(case, f"reminder-{hours_before}h{_round(case)}", _owners(case), f"Frist om {hours_before} timer",
                 body, internal=True)


def deadline_escalation(case: BreachCase) -> OutgoingMail:
    body = (
        f"ESKALERING: fristen for anmeldelse udløb {format_da(case.deadline)}, uden at bruddet er anmeldt "
        "eller dokumenteret som uden risiko.\n"
        f"Næste skridt i sagen: {_next_step(case)}.\n"
        "En anmeldelse efter fristen skal ledsages af en begrundelse for forsinkelsen (art. 33, stk. 1)."
    )
    to = list(case.policy.management_emails) + _owners(case)
    return _mail(case, f"escalation-overdue{_round(case)}", to, "ESKALERING: frist for anmeldelse overskredet", body,
                 internal=True)


def follow_up(case: BreachCase, number: int, new_facts: str, recipient_da: str) -> OutgoingMail:
    """A phased notification (Art. 33(4)) that names the first notification it completes."""
    first = case.authority_notified_at
    reference = f" (kvittering {case.authority_reference})" if case.authority_reference else ""
    body = (
        f"Opfølgning {number} på {recipient_da} af {format_da(first) if first else '-'}{reference}, "
        f"sag {case.case_id}, jf. art. 33, stk. 4.\n\nNye oplysninger:\n{new_facts}\n\n"
        "Indsend opfølgningen til samme modtager som den første anmeldelse og henvis til den."
    )
    return _mail(case, f"follow-up-{number}", [case.policy.dpo.email, case.policy.key_person.email],
                 f"Opfølgning {number} på {recipient_da}", body, internal=True)


def reopened(case: BreachCase, reason: str) -> OutgoingMail:
    number = len(case.reopenings)
    if case.authority_notified_at is not None:
        next_step = ("Vurdér de nye oplysninger. Datatilsynet har fået den første anmeldelse"
                     + (f" ({case.authority_reference})" if case.authority_reference else "")
                     + "; en ny anmeldelse bliver en opfølgning, der henviser til den (art. 33, stk. 4).")
    else:
        next_step = f"Vurdér de nye oplysninger. Frist for anmeldelse, hvis bruddet skal anmeldes: {format_da(case.deadline)}."
    body = f"Sagen er genåbnet, fordi der er kommet nye oplysninger.\n\nBegrundelse:\n{reason}\n\n{next_step}"
    return _mail(case, f"reopened-{number}", _owners(case), "Sagen er genåbnet", body, internal=True)


def postponement_review_due(case: BreachCase, postponement: Postponement, seq: int) -> OutgoingMail:
    asked = f"\nAnmodet af: {postponement.requested_by}" if postponement.requested_by else ""
    body = (
        "Underretningen af de registrerede er udsat, og udsættelsen skal nu vurderes igen.\n\n"
        f"Retsgrundlag: {postponement.legal_basis}\nBegrundelse: {postponement.reason}{asked}\n"
        f"Besluttet af {postponement.decided_by.name} {format_da(postponement.decided_at)}\n\n"
        "Består grunden stadig, så fastsæt en ny dato for næste vurdering. Ellers skal de registrerede "
        "underrettes nu."
    )
    return _mail(case, f"postponement-review-{seq}", _owners(case), "Udsættelsen af underretningen skal vurderes",
                 body, internal=True)


def plan_release(case: BreachCase, item: PlannedCommunication, message: str, released_with_da: str,
                 number: int) -> OutgoingMail:
    """Seed 003 activity 9: sent at the same moment as the notification, with the same message for everyone."""
    body = (
        f"Kære {item.responsible.name}\n\n"
        f"{released_with_da.capitalize()} er sendt nu. Send derfor nu dette budskab til "
        f"{AUDIENCE_DA[item.audience]} via {item.channel}, så al kommunikation går ud samtidig og med samme "
        f"budskab:\n\n{message}"
    )
    return _mail(case, f"plan-release-{number}", [str(item.responsible.email)],
                 f"Udsend nu: kommunikation om bruddet til {AUDIENCE_DA[item.audience]}", body)
