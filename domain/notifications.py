"""Drafts that are complete by construction: Art. 33(3) notifications and Art. 34 communications.

The nøgleperson writes what only a person can judge (consequences, proposed measures);
everything the case already knows is filled in from the facts, so a draft never has
empty fields. Unknown numbers are written out as 'not yet known — will follow'.
"""

from __future__ import annotations

from domain import commands as c
from domain.deadlines import COPENHAGEN, format_da
from domain.model import (
    Affectedness,
    BreachCase,
    DataCategory,
    DraftKind,
    NotificationDraft,
    SubjectCommunicationDraft,
)

NOT_YET_KNOWN_DA = "Endnu ikke kendt – eftersendes (art. 33, stk. 4)"

DATA_CATEGORY_DA: dict[DataCategory, str] = {
    DataCategory.IDENTITY: "identitetsoplysninger (navn m.v.)",
    DataCategory.CONTACT: "kontaktoplysninger",
    DataCategory.NATIONAL_ID: "CPR-numre",
    DataCategory.FINANCIAL: "økonomiske oplysninger",
    DataCategory.CREDENTIALS: "brugernavne og adgangskoder",
    DataCategory.LOCATION: "lokationsdata",
    DataCategory.BEHAVIOURAL: "oplysninger om adfærd",
    DataCategory.COMMUNICATIONS: "indhold af beskeder",
    DataCategory.SPECIAL_CATEGORIES: "følsomme oplysninger (art. 9)",
    DataCategory.CRIMINAL: "oplysninger om strafbare forhold (art. 10)",
    DataCategory.CHILDREN: "oplysninger om børn",
}

AFFECTEDNESS_DA: dict[Affectedness, str] = {
    Affectedness.CERTAINLY: "Du er med sikkerhed berørt af hændelsen.",
    Affectedness.PRESUMABLY: "Vi formoder, at du er berørt af hændelsen.",
    Affectedness.NOT_EXCLUDED: "Vi kan ikke med sikkerhed udelukke, at du er berørt af hændelsen.",
}

# Seed 003 §6 standard advice; MitID replaces the seed's NemID text.
STANDARD_ADVICE_DA: dict[DataCategory, str] = {
    DataCategory.NATIONAL_ID: (
        "Oplysninger om dit CPR-nummer er kommet til uvedkommendes kendskab. Kontakt straks den sælger, "
        "virksomhed eller offentlige myndighed, som du har mistanke til kan misbruge dit CPR-nummer, og "
        "oplys at din identitet er blevet misbrugt. Du kan i særlige tilfælde få et nyt personnummer, "
        "hvis det er blevet misbrugt."
    ),
    DataCategory.CREDENTIALS: (
        "Skift straks din adgangskode til tjenesten og til andre tjenester, hvor du bruger samme "
        "adgangskode. Hvis oplysninger om dit MitID er berørt, så spær det via MitID-appen eller på "
        "mitid.dk og bestil et nyt."
    ),
    DataCategory.FINANCIAL: (
        "Hold øje med dine kontoudtog. Er betalingskortoplysninger berørt, så spær kortet hos din bank "
        "og bestil et nyt."
    ),
}


NOT_YET_KNOWN = "endnu ikke kendt – eftersendes"


def _categories(case: BreachCase) -> list[str]:
    if case.facts is None:
        return [case.report.affected_data]
    if not case.facts.data_categories:  # what the reporter said, marked as preliminary
        return [f"{case.report.affected_data} (foreløbigt; præcise kategorier {NOT_YET_KNOWN})"]
    return [DATA_CATEGORY_DA[cat] for cat in case.facts.data_categories]


def _subject_categories(case: BreachCase) -> list[str]:
    if case.facts is None or not case.facts.subject_categories:
        return [case.report.affected_people if case.facts is None
                else f"{case.report.affected_people} (foreløbigt; præcise kategorier {NOT_YET_KNOWN})"]
    return list(case.facts.subject_categories)


def _subjects_informed_default(case: BreachCase) -> str:
    if case.risk_level is not None and case.risk_level.value == "high_risk":
        return "De registrerede underrettes, jf. art. 34; tidspunkt og form følger."
    return "De registrerede underrettes ikke, da bruddet ikke vurderes at medføre en høj risiko (art. 34, stk. 1)."


def compose_notification(case: BreachCase, cmd: c.SubmitNotificationDraft) -> NotificationDraft:
    """Build the full Art. 33(3) draft from the command and what the case knows."""
    facts = case.facts
    policy = case.policy
    measures_taken = cmd.measures_taken or case.containment or ""
    contact = f"{policy.dpo.name}, {policy.dpo.email}" + (f", tlf. {policy.dpo.phone}" if policy.dpo.phone else "")
    unknown = cmd.still_unknown
    if facts is not None and (facts.approx_subjects is None or facts.approx_records is None) and not unknown:
        unknown = "Antal berørte personer og/eller registreringer er endnu ikke kendt og eftersendes."
    return NotificationDraft(
        measures_in_place_before=facts.measures_in_place if facts else None,
        nature=cmd.nature or case.report.what_happened,
        subject_categories=_subject_categories(case),
        approx_subjects=facts.approx_subjects if facts else None,
        data_categories=_categories(case),
        approx_records=facts.approx_records if facts else None,
        contact_point=contact,
        likely_consequences=cmd.likely_consequences,
        measures_taken=measures_taken or "-",
        measures_proposed=cmd.measures_proposed,
        subjects_informed=cmd.subjects_informed or _subjects_informed_default(case),
        still_unknown=unknown,
        delay_reasons=cmd.delay_reasons or case.notification_delay_reasons,
    )


def missing_notification_elements(draft: NotificationDraft) -> list[str]:
    """Art. 33(3) elements that are empty. Numbers may be unknown only if `still_unknown` says so."""
    missing = [
        name
        for name in ("nature", "contact_point", "likely_consequences", "measures_taken", "measures_proposed")
        if not getattr(draft, name) or getattr(draft, name) == "-"
    ]
    if (draft.approx_subjects is None or draft.approx_records is None) and not draft.still_unknown:
        missing.append("still_unknown (numbers of persons/records are not known)")
    return missing


def compose_communication(case: BreachCase, cmd: c.SubmitCommunicationDraft) -> SubjectCommunicationDraft:
    """Art. 34(2) draft; standard advice for the data categories is added (seed 003 §6)."""
    advice = list(cmd.advice)
    if case.facts is not None:
        for category in case.facts.data_categories:
            text = STANDARD_ADVICE_DA.get(category)
            if text and text not in advice:
                advice.append(text)
    if not advice:
        advice.append("Vær opmærksom på henvendelser, der henviser til hændelsen, og kontakt os ved tvivl.")
    policy = case.policy
    return SubjectCommunicationDraft(
        affectedness=cmd.affectedness,
        description=cmd.description,
        contact_point=f"{policy.dpo.name}, {policy.dpo.email}",
        likely_consequences=cmd.likely_consequences,
        measures_taken=cmd.measures_taken,
        advice=advice,
        channel=cmd.channel,
    )


NOT_YET_KNOWN_EN = "Not yet known – will follow (Art. 33(4))"

AFFECTEDNESS_EN: dict[Affectedness, str] = {
    Affectedness.CERTAINLY: "You are certainly affected by the incident.",
    Affectedness.PRESUMABLY: "We presume that you are affected by the incident.",
    Affectedness.NOT_EXCLUDED: "We cannot rule out with certainty that you are affected by the incident.",
}

STANDARD_ADVICE_EN: dict[str, str] = {
    STANDARD_ADVICE_DA[DataCategory.NATIONAL_ID]: (
        "Your CPR number has become known to unauthorised persons. Contact at once any seller, company or "
        "authority you suspect could misuse it, and say that your identity has been misused. In special cases "
        "you can get a new CPR number if it has been misused."),
    STANDARD_ADVICE_DA[DataCategory.CREDENTIALS]: (
        "Change your password for the service at once, and for other services where you use the same password. "
        "If your MitID is affected, block it in the MitID app or at mitid.dk and order a new one."),
    STANDARD_ADVICE_DA[DataCategory.FINANCIAL]: (
        "Watch your bank statements. If payment card details are affected, block the card with your bank and "
        "order a new one."),
}


def template_name(kind: DraftKind) -> str:
    return {DraftKind.AUTHORITY: "authority_notification", DraftKind.CONTROLLER: "controller_notification",
            DraftKind.SUBJECTS: "subject_communication"}[kind]


def draft_context(case: BreachCase, draft_index: int, lang: str) -> dict:
    """Everything a draft template may use; organisation and DPO come from the case's policy (settings)."""
    version = case.drafts[draft_index]
    unknown = NOT_YET_KNOWN_DA if lang == "da" else NOT_YET_KNOWN_EN
    fmt = format_da if lang == "da" else (lambda moment: moment.astimezone(COPENHAGEN).strftime("%d %B %Y %H:%M %Z"))
    context: dict = {
        "organisation": case.policy.organisation_name,
        "case_id": case.case_id,
        "version": version.version,
        "aware_at": fmt(case.report.aware_at),
        "occurred_at": fmt(case.report.occurred_at) if case.report.occurred_at else None,
        "controller": case.report.controller.name if case.report.controller else None,
        "not_yet_known": unknown,
        "children": bool(case.facts and DataCategory.CHILDREN in case.facts.data_categories),
    }
    if version.notification is not None:
        context["d"] = version.notification
    elif version.communication is not None:
        communication = version.communication
        if lang == "en":
            communication = communication.model_copy(update={
                "advice": [STANDARD_ADVICE_EN.get(a, a) for a in communication.advice]})
        context["d"] = communication
        context["affectedness"] = (AFFECTEDNESS_DA if lang == "da" else AFFECTEDNESS_EN)[communication.affectedness]
    return context
