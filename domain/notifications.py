"""Drafts that are complete by construction: Art. 33(3) notifications and Art. 34 communications.

The nøgleperson writes what only a person can judge (consequences, proposed measures);
everything the case already knows is filled in from the facts, so a draft never has
empty fields. Unknown numbers are written out as 'not yet known — will follow'.
"""

from __future__ import annotations

from domain import commands as c
from domain.deadlines import format_da
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


def _categories(case: BreachCase) -> list[str]:
    if case.facts is None:
        return [case.report.affected_data]
    return [DATA_CATEGORY_DA[cat] for cat in case.facts.data_categories]


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
        nature=cmd.nature or case.report.what_happened,
        subject_categories=list(facts.subject_categories) if facts else [case.report.affected_people],
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


def _number(value: int | None) -> str:
    return NOT_YET_KNOWN_DA if value is None else f"ca. {value}"


def render_notification_da(case: BreachCase, draft: NotificationDraft, version: int) -> str:
    """Danish text of a notification draft, as the DPO reads it."""
    recipient = "den dataansvarlige" if case.notification_kind() is DraftKind.CONTROLLER else "Datatilsynet"
    lines = [
        f"Udkast {version} til anmeldelse til {recipient} – sag {case.case_id}",
        f"Dataansvarlig/afsender: {case.policy.organisation_name}",
        f"Bekendt med bruddet: {format_da(case.report.aware_at)}",
        "",
        f"1. Bruddets karakter: {draft.nature}",
        f"   Kategorier af registrerede: {', '.join(draft.subject_categories)}",
        f"   Antal berørte registrerede: {_number(draft.approx_subjects)}",
        f"   Kategorier af personoplysninger: {', '.join(draft.data_categories)}",
        f"   Antal berørte registreringer: {_number(draft.approx_records)}",
        f"2. Kontaktpunkt: {draft.contact_point}",
        f"3. Sandsynlige konsekvenser: {draft.likely_consequences}",
        f"4. Trufne foranstaltninger: {draft.measures_taken}",
        f"   Foreslåede foranstaltninger: {draft.measures_proposed}",
        f"5. Underretning af de registrerede: {draft.subjects_informed}",
    ]
    if draft.still_unknown:
        lines.append(f"6. Endnu ikke kendt (eftersendes): {draft.still_unknown}")
    if draft.delay_reasons:
        lines.append(f"7. Begrundelse for forsinkelse (art. 33, stk. 1): {draft.delay_reasons}")
    return "\n".join(lines) + "\n"


def render_communication_da(case: BreachCase, draft: SubjectCommunicationDraft, version: int) -> str:
    lines = [
        f"Udkast {version} til underretning af de registrerede – sag {case.case_id}",
        f"Kanal: {draft.channel}",
        "",
        f"Kære modtager. {AFFECTEDNESS_DA[draft.affectedness]}",
        "",
        f"Hvad er der sket: {draft.description}",
        f"Mulige konsekvenser for dig: {draft.likely_consequences}",
        f"Hvad vi har gjort: {draft.measures_taken}",
        "Hvad du selv kan gøre:",
        *[f"- {a}" for a in draft.advice],
        "",
        f"Kontakt: {draft.contact_point}",
        f"Med venlig hilsen {case.policy.organisation_name}",
    ]
    return "\n".join(lines) + "\n"
