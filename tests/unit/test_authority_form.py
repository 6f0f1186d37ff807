"""The drafts a person signs: Datatilsynet's notification form section by section, and a letter to the data
subjects that speaks to whoever receives it. The README's breach walkthrough is the example case."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from activities.drafts import DraftActivities
from domain.breach import commands as c
from domain.breach.machine import Trigger as T
from domain.breach.case import act, open_case
from domain.kernel.model import Actor, Contact, Role
from domain.breach.model import BreachCase, BreachCaseInput, BreachReport
from domain.breach.notifications import NOT_YET_KNOWN_DA
from app.settings import Settings

AWARE = datetime(2026, 11, 22, 18, 34, tzinfo=timezone.utc)  # 19:34 Danish time, as in the reported run-on
NOW = AWARE + timedelta(hours=3)
KP = Actor(name="Mille Nordstrand", role=Role.KEY_PERSON)
DPO = Actor(name="Dorthe DPO", role=Role.DPO)

HEADINGS_DA = [
    "1. Dataansvarlig",
    "2. Kontaktperson og databeskyttelsesrådgiver",
    "3. Første anmeldelse eller opfølgning",
    "4. Tidspunkter",
    "5. Bruddets karakter",
    "6. Databehandler",
    "7. Berørte personer og oplysninger",
    "8. Sandsynlige konsekvenser",
    "9. Foranstaltninger",
    "10. Underretning af de registrerede",
    "11. Andre EU-/EØS-lande",
    "12. Politianmeldelse",
    "13. Oplysninger, der eftersendes",
]
HEADINGS_EN = [
    "1. Controller", "2. Contact person and data protection officer", "3. First notification or follow-up",
    "4. Times", "5. Nature of the breach", "6. Processor", "7. Persons and data concerned",
    "8. Likely consequences", "9. Measures", "10. Communication to the data subjects",
    "11. Other EU/EEA countries", "12. Police report", "13. Information to follow",
]


def readme_case(*, data_categories: tuple[str, ...] = ("identity", "national_id", "children"),
                settings: Settings | None = None, **draft: object) -> BreachCase:
    """The README's 'five minutes with one breach case', up to the second notification draft."""
    report = BreachReport(
        reporter=Contact(name="Rasmus Pedersen", email="rasmus@eksempel-skole.dk"), aware_at=AWARE,
        what_happened="Elevliste med CPR-numre sendt til forkert forældregruppe i Aula",
        how_discovered="En forælder ringede", affected_people="Elever i 7.A", affected_data="Navn, CPR-nummer")
    policy = (settings or Settings(_env_file=None)).case_policy()  # type: ignore[call-arg]
    case = open_case(BreachCaseInput(case_id="breach-2026-0001", report=report, policy=policy), NOW)[0]
    steps: list[tuple[T, c.Command]] = [
        (T.ASSESS_BREACH, c.AssessBreach(actor=KP, is_breach=True, reason="CPR-numre til uvedkommende")),
        (T.CONTAIN, c.Contain(actor=KP, measures="Beskeden slettet i Aula", system_stopped=False)),
        (T.INFORM_MANAGEMENT, c.InformManagement(actor=KP, crisis_team=["Skoleleder", "DPO"])),
        (T.RECORD_FACTS, c.RecordFacts(actor=KP, facts={
            "breach_types": ["confidentiality"], "data_categories": list(data_categories),
            "subject_categories": ["elever"], "approx_subjects": 24, "approx_records": 24, "systems": ["Aula"],
            "encrypted": False})),
        (T.REQUEST_SUPPLIER_ACCOUNTS, c.RequestSupplierAccounts(
            actor=KP, suppliers=[c.SupplierContact(name="Aula-support", email="support@aula.example")])),
        (T.ASSESS_NOTIFICATION, c.AssessNotification(
            actor=KP, level="high_risk", reasons="CPR-numre på børn", deviation_reason="Som i README")),
        (T.SUBMIT_NOTIFICATION_DRAFT, c.SubmitNotificationDraft(
            actor=KP, likely_consequences="CPR-numre på 24 børn kan misbruges",
            measures_proposed="Undervisning; bekræftelsesdialog", **draft)),
    ]
    for trigger, command in steps:
        act(case, trigger, command, NOW)
    return case


def render(case: BreachCase, lang: str = "da") -> str:
    return DraftActivities().render(case, len(case.drafts) - 1, lang)


def letter(case: BreachCase, lang: str = "da", **fields: object) -> str:
    for trigger, command in [
        (T.REVIEW_DRAFT, c.ReviewDraft(actor=DPO, approve=True)),
        (T.RECORD_SUBMISSION, c.RecordSubmission(actor=DPO, reference="DT-2026-4711")),
        (T.DECIDE_COMMUNICATION, c.DecideCommunication(actor=KP, communicate=True, reason="Høj risiko")),
        (T.SUBMIT_COMMUNICATION_DRAFT, c.SubmitCommunicationDraft(**{
            "actor": KP, "affectedness": "certainly", "channel": "Aula",
            "description": "En elevliste blev sendt til forkerte modtagere.", "likely_consequences": "Risiko for misbrug",
            "measures_taken": "Beskeden er slettet.", **fields})),
    ]:
        act(case, trigger, command, NOW)
    return render(case, lang)


def section(text: str, heading: str) -> str:
    """The block under a heading, up to the next blank line."""
    return text.split(heading + "\n", 1)[1].split("\n\n", 1)[0]


def test_the_authority_draft_follows_datatilsynets_form_section_by_section():
    for lang, headings in (("da", HEADINGS_DA), ("en", HEADINGS_EN)):
        lines = render(readme_case(), lang).splitlines()
        positions = [lines.index(heading) for heading in headings]  # each heading on a line of its own
        assert positions == sorted(positions), lang
        for heading in headings[1:]:  # one section per block: a blank line before every heading
            assert lines[lines.index(heading) - 1] == "", heading


def test_no_line_runs_two_items_together():
    for lang in ("da", "en"):
        text = render(readme_case(delay_reasons="Weekend"), lang)
        for line in text.splitlines():
            assert len(re.findall(r"(?:^|\s)\d{1,2}\. [A-ZÆØÅ]", line)) <= 1, line
            assert not re.search(r"\d{2}:\d{2}\d", line), line  # "kl. 19:344." was a time and a number
        assert "Vi blev bekendt med bruddet: 22. november 2026 kl. 19:34\n" in render(readme_case())


def test_the_form_names_the_controller_and_both_contacts():
    settings = Settings(_env_file=None, organisation_cvr="12345678", organisation_address="Skolevej 1, 1234 By",  # type: ignore[call-arg]
                        dpo={"name": "Dorthe DPO", "email": "dpo@eksempel-skole.dk", "phone": "+45 33 12 34 56"})
    text = render(readme_case(settings=settings))
    block = section(text, "1. Dataansvarlig")
    assert "CVR-nummer: 12345678" in block and "Adresse: Skolevej 1, 1234 By" in block
    contacts = section(text, "2. Kontaktperson og databeskyttelsesrådgiver")
    assert "Kontaktperson: Mille Nordstrand, noegleperson@eksempel-skole.dk" in contacts
    assert "Databeskyttelsesrådgiver (DPO): Dorthe DPO, dpo@eksempel-skole.dk" in contacts
    assert "Databeskyttelsesrådgiverens telefon: +45 33 12 34 56" in contacts
    assert "CVR-nummer" not in section(text, "13. Oplysninger, der eftersendes")


def test_every_unknown_value_is_written_out_and_listed_in_the_last_section():
    text = render(readme_case())  # the README's settings: no CVR number, no address, no phones
    unknown_section = section(text, "13. Oplysninger, der eftersendes")
    unknown_lines = [line for line in text.split("13. Oplysninger")[0].splitlines() if NOT_YET_KNOWN_DA in line]
    assert "CVR-nummer: endnu ikke kendt – eftersendes" in text
    assert len(unknown_lines) >= 8
    for line in unknown_lines:
        label = line.strip().split(":")[0]
        assert f"- {label}\n" in unknown_section + "\n", label
    assert "alle oplysninger er givet" not in text
    assert "Endnu ikke kendt" not in text  # one spelling throughout


def test_when_everything_is_known_the_last_section_says_so():
    settings = Settings(_env_file=None, organisation_cvr="12345678", organisation_address="Skolevej 1",  # type: ignore[call-arg]
                        key_person={"name": "Mille", "email": "kp@eksempel-skole.dk", "phone": "+45 11 11 11 11"},
                        dpo={"name": "Dorthe", "email": "dpo@eksempel-skole.dk", "phone": "+45 22 22 22 22"})
    case = readme_case(settings=settings, breach_ongoing=True, police_report="not_filed",
                       subjects_informed_how="Brev i Aula til forældrene inden for to dage")
    assert case.facts is not None
    case.facts = case.facts.model_copy(update={
        "started_at": AWARE - timedelta(hours=1), "cause": "Forkert modtagergruppe",
        "measures_in_place": "Adgangsstyring", "other_eea_countries": []})
    act(case, T.REVIEW_DRAFT, c.ReviewDraft(actor=DPO, approve=False, comments="Opdatér"), NOW)
    act(case, T.SUBMIT_NOTIFICATION_DRAFT, c.SubmitNotificationDraft(
        actor=KP, likely_consequences="k", measures_proposed="p", breach_ongoing=True, police_report="not_filed",
        subjects_informed_how="Brev i Aula til forældrene inden for to dage"), NOW)
    text = render(case)
    assert NOT_YET_KNOWN_DA not in text
    assert section(text, "13. Oplysninger, der eftersendes").strip() == "Ingen – alle oplysninger er givet."
    assert "Bruddet sluttede: bruddet er ikke afsluttet" in text and "Anmeldt til politiet: Nej" in text
    assert "Andre berørte EU-/EØS-lande: Ingen kendte" in text


def test_a_follow_up_names_the_reference_of_the_first_notification():
    text = render(readme_case(follow_up_of_reference="2026-431-0815"))
    block = section(text, "3. Første anmeldelse eller opfølgning")
    assert "opfølgning på en tidligere anmeldelse" in block
    assert "Datatilsynets journalnummer for den første anmeldelse: 2026-431-0815" in block
    assert "den første anmeldelse af bruddet" in section(render(readme_case()), "3. Første anmeldelse eller opfølgning")
    english = render(readme_case(follow_up_of_reference="2026-431-0815"), "en")
    assert "Datatilsynet's reference of the first notification: 2026-431-0815" in english


def test_a_follow_up_without_a_reference_uses_the_one_recorded_at_submission():
    case = readme_case()
    case.authority_reference = "DT-2026-4711"  # as record_submission stores it
    act(case, T.REVIEW_DRAFT, c.ReviewDraft(actor=DPO, approve=False, comments="Opfølgning"), NOW)
    act(case, T.SUBMIT_NOTIFICATION_DRAFT, c.SubmitNotificationDraft(
        actor=KP, likely_consequences="k", measures_proposed="p", follow_up=True), NOW)
    assert "den første anmeldelse: DT-2026-4711" in render(case)


def test_the_type_of_breach_and_the_processor_are_in_danish_words():
    text = render(readme_case())
    assert "Type af brud: brud på fortroligheden" in section(text, "5. Bruddets karakter")
    assert "Databehandler involveret: Ja – Aula-support" in section(text, "6. Databehandler")
    assert "confidentiality" not in text and "high_risk" not in text


def test_a_letter_about_children_speaks_to_the_parent_and_a_letter_to_an_adult_to_the_adult():
    da = letter(readme_case())
    assert "dit barns CPR-nummer" in da and "dit CPR-nummer" not in da
    assert "Kære forælder/værge" in da and "Dit barn er med sikkerhed berørt" in da
    assert "Your child's CPR number" in letter(readme_case(), "en")
    adult = letter(readme_case(data_categories=("identity", "national_id")))
    assert "dit CPR-nummer" in adult and "dit barn" not in adult and "Kære modtager" in adult


def test_cpr_advice_only_when_cpr_numbers_are_involved():
    assert "dit barns CPR-nummer" in letter(readme_case(data_categories=("identity", "national_id", "children")))
    without = letter(readme_case(data_categories=("identity", "contact", "children")))
    assert "CPR" not in without and "personnummer" not in without


def test_the_letter_has_a_heading_the_facts_and_the_dpos_contact_details():
    settings = Settings(_env_file=None,  # type: ignore[call-arg]
                        dpo={"name": "Dorthe DPO", "email": "dpo@eksempel-skole.dk", "phone": "+45 33 12 34 56"})
    da = letter(readme_case(settings=settings), measures_proposed="Vi indfører en bekræftelsesdialog.")
    assert da.startswith("Underretning om brud på persondatasikkerheden hos Eksempel Skole\n")
    for heading in ("Hvad er der sket?", "Hvad kan det betyde for dig og dit barn?", "Hvad har vi gjort?",
                    "Hvad vil vi gøre?", "Hvad kan du selv gøre?", "Har du spørgsmål?"):
        assert f"\n{heading}\n" in da, heading
    assert "Dorthe DPO, dpo@eksempel-skole.dk, tlf. +45 33 12 34 56" in da
    assert "Vi indfører en bekræftelsesdialog." in da
    assert not re.search(r"\b(certainly|national_id|children|high_risk)\b", da)
