"""Drafts that are complete by construction: Art. 33(3) notifications and Art. 34 communications.

The nøgleperson writes what only a person can judge (consequences, proposed measures);
everything the case already knows is filled in from the facts, so a draft never has
empty fields. The notification to Datatilsynet follows the authority's own form, section
by section; every value that is not yet known is written as "endnu ikke kendt –
eftersendes" and named again in the form's last section (Art. 33(4)), so the draft never
claims that all is given while something is missing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.breach import commands as c
from domain.kernel.deadlines import COPENHAGEN, format_da
from domain.breach.facts import BreachType, DataCategory
from domain.breach.model import Affectedness, BreachCase, DraftKind, NotificationDraft, PoliceReport, RiskLevel, SubjectCommunicationDraft
from domain.kernel.model import Contact


NOT_YET_KNOWN_DA = "endnu ikke kendt – eftersendes"
NOT_YET_KNOWN_EN = "not yet known – will follow"
NOT_YET_KNOWN = NOT_YET_KNOWN_DA

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

# The three types on Datatilsynet's form (EDPB 9/2022: confidentiality, integrity, availability).
BREACH_TYPE_DA: dict[BreachType, str] = {
    BreachType.CONFIDENTIALITY: "brud på fortroligheden (uautoriseret videregivelse af eller adgang til oplysninger)",
    BreachType.INTEGRITY: "brud på integriteten (uautoriseret eller hændelig ændring af oplysninger)",
    BreachType.AVAILABILITY: "brud på tilgængeligheden (tab af eller manglende adgang til oplysninger)",
}
BREACH_TYPE_EN: dict[BreachType, str] = {
    BreachType.CONFIDENTIALITY: "confidentiality breach (unauthorised disclosure of or access to data)",
    BreachType.INTEGRITY: "integrity breach (unauthorised or accidental alteration of data)",
    BreachType.AVAILABILITY: "availability breach (loss of or loss of access to data)",
}
POLICE_REPORT_DA: dict[PoliceReport, str] = {
    PoliceReport.FILED: "Ja",
    PoliceReport.NOT_FILED: "Nej",
    PoliceReport.NOT_DECIDED: "Ikke besluttet endnu",
}
POLICE_REPORT_EN: dict[PoliceReport, str] = {
    PoliceReport.FILED: "Yes",
    PoliceReport.NOT_FILED: "No",
    PoliceReport.NOT_DECIDED: "Not yet decided",
}

# The form's fields that may be printed as not yet known, with the label the templates print before the
# value: the last section lists exactly these labels, so what is unknown is said twice and never denied.
UNKNOWN_LABELS: dict[str, tuple[str, str]] = {
    "organisation_cvr": ("CVR-nummer", "CVR number"),
    "organisation_address": ("Adresse", "Address"),
    "key_person_phone": ("Kontaktpersonens telefon", "Contact person's telephone"),
    "dpo_phone": ("Databeskyttelsesrådgiverens telefon", "DPO's telephone"),
    "follow_up_of_reference": ("Datatilsynets journalnummer for den første anmeldelse",
                               "Datatilsynet's reference of the first notification"),
    "breach_started_at": ("Bruddet startede", "Breach started"),
    "breach_ended_at": ("Bruddet sluttede", "Breach ended"),
    "breach_types": ("Type af brud", "Type of breach"),
    "cause": ("Årsag", "Cause"),
    "processors": ("Databehandler involveret", "Processor involved"),
    "subject_categories": ("Kategorier af berørte personer", "Categories of persons"),
    "approx_subjects": ("Antal berørte personer", "Approximate number of persons"),
    "data_categories": ("Kategorier af personoplysninger", "Categories of personal data"),
    "approx_records": ("Antal berørte registreringer", "Approximate number of records"),
    "measures_in_place_before": ("Sikkerhedsforanstaltninger før bruddet",
                                 "Security measures in place before the breach"),
    "subjects_informed_how": ("Hvordan og hvornår de registrerede underrettes",
                              "How and when the data subjects are told"),
    "other_eea_countries": ("Andre berørte EU-/EØS-lande", "Other EU/EEA countries affected"),
    "police_report": ("Anmeldt til politiet", "Reported to the police"),
}
# The notification to the controller (we are processor) asks less: the controller notifies the authority.
_CONTROLLER_FIELDS = ("organisation_cvr", "organisation_address", "key_person_phone", "dpo_phone",
                      "breach_started_at", "breach_ended_at", "breach_types", "cause", "subject_categories",
                      "approx_subjects", "data_categories", "approx_records", "measures_in_place_before")

AFFECTEDNESS_DA: dict[Affectedness, str] = {
    Affectedness.CERTAINLY: "Du er med sikkerhed berørt af hændelsen.",
    Affectedness.PRESUMABLY: "Vi formoder, at du er berørt af hændelsen.",
    Affectedness.NOT_EXCLUDED: "Vi kan ikke med sikkerhed udelukke, at du er berørt af hændelsen.",
}
AFFECTEDNESS_PARENT_DA: dict[Affectedness, str] = {
    Affectedness.CERTAINLY: "Dit barn er med sikkerhed berørt af hændelsen.",
    Affectedness.PRESUMABLY: "Vi formoder, at dit barn er berørt af hændelsen.",
    Affectedness.NOT_EXCLUDED: "Vi kan ikke med sikkerhed udelukke, at dit barn er berørt af hændelsen.",
}

# Seed 003 §6 standard advice; MitID replaces the seed's NemID text. CPR advice only where CPR numbers
# are involved: the categories recorded in the facts choose the texts.
STANDARD_ADVICE_DA: dict[DataCategory, str] = {
    DataCategory.NATIONAL_ID: (
        "Oplysninger om dit CPR-nummer er kommet til uvedkommendes kendskab. Kontakt straks den sælger, "
        "virksomhed eller offentlige myndighed, som du har mistanke til kan misbruge dit CPR-nummer, og "
        "oplys, at din identitet er blevet misbrugt. Du kan i særlige tilfælde få et nyt personnummer, "
        "hvis det er blevet misbrugt."
    ),
    DataCategory.CREDENTIALS: (
        "Skift straks din adgangskode til tjenesten og til andre tjenester, hvor du bruger samme "
        "adgangskode. Hvis oplysninger om dit MitID er berørt, skal du spærre det via MitID-appen eller på "
        "mitid.dk og bestille et nyt."
    ),
    DataCategory.FINANCIAL: (
        "Hold øje med dine kontoudtog. Hvis betalingskortoplysninger er berørt, skal du spærre kortet hos "
        "din bank og bestille et nyt."
    ),
}
# The same advice to the parent of a child whose data are concerned: the letter speaks to the parent.
STANDARD_ADVICE_PARENT_DA: dict[DataCategory, str] = {
    DataCategory.NATIONAL_ID: (
        "Oplysninger om dit barns CPR-nummer er kommet til uvedkommendes kendskab. Kontakt straks den "
        "sælger, virksomhed eller offentlige myndighed, som du har mistanke til kan misbruge dit barns "
        "CPR-nummer, og oplys, at dit barns identitet er blevet misbrugt. Dit barn kan i særlige tilfælde "
        "få et nyt personnummer, hvis det er blevet misbrugt."
    ),
    DataCategory.CREDENTIALS: (
        "Sørg for, at dit barn straks skifter sin adgangskode til tjenesten og til andre tjenester, hvor "
        "barnet bruger samme adgangskode. Hvis oplysninger om dit barns MitID er berørt, skal du spærre det "
        "via MitID-appen eller på mitid.dk og bestille et nyt."
    ),
    DataCategory.FINANCIAL: (
        "Hold øje med kontoudtog for dit barns konti. Hvis betalingskortoplysninger er berørt, skal du "
        "spærre kortet hos banken og bestille et nyt."
    ),
}
GENERAL_ADVICE_DA = ("Vær opmærksom på henvendelser, der henviser til hændelsen, og kontakt os, hvis du er "
                     "i tvivl.")


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
    if case.subjects_communicated_at is not None:
        return "Ja, de registrerede er underrettet (art. 34)."
    if case.risk_level is RiskLevel.HIGH_RISK:
        return "Ja, de registrerede underrettes uden unødig forsinkelse (art. 34)."
    return "Nej, de registrerede underrettes ikke, da bruddet ikke vurderes at indebære en høj risiko (art. 34, stk. 1)."


def _subjects_informed_how(case: BreachCase, cmd: c.SubmitNotificationDraft) -> str | None:
    if cmd.subjects_informed_how:
        return cmd.subjects_informed_how
    if case.subjects_communicated_at is not None:
        channel = f" via {case.subjects_communication_channel}" if case.subjects_communication_channel else ""
        return f"Underrettet{channel} {format_da(case.subjects_communicated_at)}."
    return None


def _processors(case: BreachCase) -> list[str] | None:
    """Suppliers named in the facts or asked for their account; None: not yet known (an empty list in the
    facts says nothing, as for the other lists there)."""
    names: list[str] = list(case.facts.suppliers) if case.facts else []
    for supplier in case.suppliers:
        name = f"{supplier.name} ({supplier.system})" if supplier.system else supplier.name
        if supplier.name not in names and name not in names:
            names.append(name)
    return names or None


def _contact(contact: Contact) -> str:
    return f"{contact.name}, {contact.email}" + (f", tlf. {contact.phone}" if contact.phone else "")


def compose_notification(case: BreachCase, cmd: c.SubmitNotificationDraft) -> NotificationDraft:
    """Build the full draft (Art. 33(3) and Datatilsynet's form) from the command and what the case knows."""
    facts = case.facts
    policy = case.policy
    measures_taken = cmd.measures_taken or case.containment or ""
    # A follow-up names the first notification: the reference given, else the one recorded at submission.
    follow_up = cmd.follow_up or cmd.follow_up_of_reference is not None or case.authority_notified_at is not None
    reference = cmd.follow_up_of_reference or (case.authority_reference if follow_up else None)
    ended_at = cmd.breach_ended_at or (facts.ended_at if facts else None)
    high_risk = case.risk_level is RiskLevel.HIGH_RISK or case.subjects_communicated_at is not None
    draft = NotificationDraft(
        measures_in_place_before=facts.measures_in_place if facts else None,
        nature=cmd.nature or case.report.what_happened,
        subject_categories=_subject_categories(case),
        approx_subjects=facts.approx_subjects if facts else None,
        data_categories=_categories(case),
        approx_records=facts.approx_records if facts else None,
        contact_point=_contact(policy.dpo),
        likely_consequences=cmd.likely_consequences,
        measures_taken=measures_taken or "-",
        measures_proposed=cmd.measures_proposed,
        subjects_informed=cmd.subjects_informed or _subjects_informed_default(case),
        still_unknown=cmd.still_unknown,
        delay_reasons=cmd.delay_reasons or case.notification_delay_reasons,
        follow_up=follow_up,
        follow_up_of_reference=reference,
        breach_types=list(facts.breach_types) if facts else [],
        cause=facts.cause if facts else None,
        breach_started_at=(facts.started_at if facts else None) or case.report.occurred_at,
        breach_ended_at=ended_at,
        breach_ongoing=cmd.breach_ongoing,
        processors=_processors(case),
        subjects_informed_how=_subjects_informed_how(case, cmd),
        other_eea_countries=facts.other_eea_countries if facts else None,
        police_report=cmd.police_report,
    )
    known: dict[str, object] = {
        "organisation_cvr": policy.organisation_cvr,
        "organisation_address": policy.organisation_address,
        "key_person_phone": policy.key_person.phone,
        "dpo_phone": policy.dpo.phone,
        "follow_up_of_reference": reference if follow_up else "-",
        "breach_started_at": draft.breach_started_at,
        "breach_ended_at": ended_at or (True if cmd.breach_ongoing else None),
        "breach_types": draft.breach_types or None,
        "cause": draft.cause,
        "processors": draft.processors,
        "subject_categories": None if NOT_YET_KNOWN in draft.subject_categories[0] else True,
        "approx_subjects": draft.approx_subjects,
        "data_categories": None if NOT_YET_KNOWN in draft.data_categories[0] else True,
        "approx_records": draft.approx_records,
        "measures_in_place_before": draft.measures_in_place_before,
        # Asked only when the subjects are told: otherwise section 10 says why not.
        "subjects_informed_how": draft.subjects_informed_how if high_risk and not cmd.subjects_informed else "-",
        "other_eea_countries": draft.other_eea_countries,
        "police_report": draft.police_report,
    }
    fields = _CONTROLLER_FIELDS if case.notification_kind() is DraftKind.CONTROLLER else tuple(UNKNOWN_LABELS)
    draft.unknown_fields = [name for name in fields if known[name] is None]
    return draft


def missing_notification_elements(draft: NotificationDraft) -> list[str]:
    """Art. 33(3) elements that are empty. Numbers may be unknown only if the draft says so (Art. 33(4))."""
    missing = [
        name
        for name in ("nature", "contact_point", "likely_consequences", "measures_taken", "measures_proposed")
        if not getattr(draft, name) or getattr(draft, name) == "-"
    ]
    said = draft.still_unknown or ({"approx_subjects", "approx_records"} & set(draft.unknown_fields))
    if (draft.approx_subjects is None or draft.approx_records is None) and not said:
        missing.append("still_unknown (numbers of persons/records are not known)")
    return missing


def _to_parents(case: BreachCase, cmd: c.SubmitCommunicationDraft) -> bool:
    if cmd.to_parents is not None:
        return cmd.to_parents
    return bool(case.facts and DataCategory.CHILDREN in case.facts.data_categories)


def compose_communication(case: BreachCase, cmd: c.SubmitCommunicationDraft) -> SubjectCommunicationDraft:
    """Art. 34(2) draft; standard advice for the data categories is added (seed 003 §6), addressed to the
    parent when the data concern children."""
    to_parents = _to_parents(case, cmd)
    standard = STANDARD_ADVICE_PARENT_DA if to_parents else STANDARD_ADVICE_DA
    advice = list(cmd.advice)
    if case.facts is not None:
        for category in case.facts.data_categories:
            text = standard.get(category)
            if text and text not in advice:
                advice.append(text)
    if not advice:
        advice.append(GENERAL_ADVICE_DA)
    return SubjectCommunicationDraft(
        affectedness=cmd.affectedness,
        description=cmd.description,
        contact_point=_contact(case.policy.dpo),
        likely_consequences=cmd.likely_consequences,
        measures_taken=cmd.measures_taken,
        measures_proposed=cmd.measures_proposed,
        advice=advice,
        channel=cmd.channel,
        to_parents=to_parents,
    )


AFFECTEDNESS_EN: dict[Affectedness, str] = {
    Affectedness.CERTAINLY: "You are certainly affected by the incident.",
    Affectedness.PRESUMABLY: "We presume that you are affected by the incident.",
    Affectedness.NOT_EXCLUDED: "We cannot rule out with certainty that you are affected by the incident.",
}
AFFECTEDNESS_PARENT_EN: dict[Affectedness, str] = {
    Affectedness.CERTAINLY: "Your child is certainly affected by the incident.",
    Affectedness.PRESUMABLY: "We presume that your child is affected by the incident.",
    Affectedness.NOT_EXCLUDED: "We cannot rule out with certainty that your child is affected by the incident.",
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
    STANDARD_ADVICE_PARENT_DA[DataCategory.NATIONAL_ID]: (
        "Your child's CPR number has become known to unauthorised persons. Contact at once any seller, company "
        "or authority you suspect could misuse your child's CPR number, and say that your child's identity has "
        "been misused. In special cases your child can get a new CPR number if it has been misused."),
    STANDARD_ADVICE_PARENT_DA[DataCategory.CREDENTIALS]: (
        "Make sure your child changes the password for the service at once, and for other services where the "
        "child uses the same password. If your child's MitID is affected, block it in the MitID app or at "
        "mitid.dk and order a new one."),
    STANDARD_ADVICE_PARENT_DA[DataCategory.FINANCIAL]: (
        "Watch the statements of your child's accounts. If payment card details are affected, block the card "
        "with the bank and order a new one."),
    GENERAL_ADVICE_DA: "Be alert to enquiries that refer to the incident, and contact us if you are in doubt.",
}


def template_name(kind: DraftKind) -> str:
    return {DraftKind.AUTHORITY: "authority_notification", DraftKind.CONTROLLER: "controller_notification",
            DraftKind.SUBJECTS: "subject_communication"}[kind]


def _form_values(case: BreachCase, draft: NotificationDraft, lang: str) -> dict[str, str | list[str] | None]:
    """The form's values as text in `lang` ("unknown": the labels of fields not yet known); None where the template
    prints 'not yet known'."""
    da = lang == "da"
    fmt = format_da if da else _format_en
    unknown = set(draft.unknown_fields)
    if draft.breach_ended_at is not None:
        ended: str | None = fmt(draft.breach_ended_at)
    elif draft.breach_ongoing:
        ended = "bruddet er ikke afsluttet" if da else "the breach has not ended"
    else:
        ended = None
    processors = draft.processors
    countries = draft.other_eea_countries
    police = draft.police_report
    return {
        "breach_started_at": fmt(draft.breach_started_at) if draft.breach_started_at else None,
        "breach_ended_at": ended,
        "breach_types": ", ".join((BREACH_TYPE_DA if da else BREACH_TYPE_EN)[t] for t in draft.breach_types) or None,
        "processors": None if processors is None else (
            (("Ja – " if da else "Yes – ") + ", ".join(processors)) if processors else ("Nej" if da else "No")),
        "other_eea_countries": None if countries is None else (
            ", ".join(countries) if countries else ("Ingen kendte" if da else "None known")),
        "police_report": None if police is None else (POLICE_REPORT_DA if da else POLICE_REPORT_EN)[police],
        "unknown": [UNKNOWN_LABELS[name][0 if da else 1] for name in UNKNOWN_LABELS if name in unknown],
    }


def _format_en(moment: datetime) -> str:
    return moment.astimezone(COPENHAGEN).strftime("%d %B %Y %H:%M %Z")


def draft_context(case: BreachCase, draft_index: int, lang: str) -> dict[str, Any]:
    """Everything a draft template may use; organisation and DPO come from the case's policy (settings)."""
    version = case.drafts[draft_index]
    unknown = NOT_YET_KNOWN_DA if lang == "da" else NOT_YET_KNOWN_EN
    fmt = format_da if lang == "da" else _format_en
    policy = case.policy
    context: dict[str, Any] = {
        "organisation": policy.organisation_name,
        "organisation_cvr": policy.organisation_cvr,
        "organisation_address": policy.organisation_address,
        "key_person": policy.key_person,
        "dpo": policy.dpo,
        "case_id": case.case_id,
        "version": version.version,
        "aware_at": fmt(case.report.aware_at),
        "deadline": fmt(case.deadline),
        "occurred_at": fmt(case.report.occurred_at) if case.report.occurred_at else None,
        "controller": case.report.controller.name if case.report.controller else None,
        "not_yet_known": unknown,
        "children": bool(case.facts and DataCategory.CHILDREN in case.facts.data_categories),
    }
    if version.notification is not None:
        context["d"] = version.notification
        context["f"] = _form_values(case, version.notification, lang)
    elif version.communication is not None:
        communication = version.communication
        if lang == "en":
            communication = communication.model_copy(update={
                "advice": [STANDARD_ADVICE_EN.get(a, a) for a in communication.advice]})
        context["d"] = communication
        context["children"] = communication.to_parents
        texts = {("da", False): AFFECTEDNESS_DA, ("da", True): AFFECTEDNESS_PARENT_DA,
                 ("en", False): AFFECTEDNESS_EN, ("en", True): AFFECTEDNESS_PARENT_EN}
        context["affectedness"] = texts[("da" if lang == "da" else "en", communication.to_parents)][
            communication.affectedness]
    return context
