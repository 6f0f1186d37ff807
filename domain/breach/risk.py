"""A risk assessment that proposes the Art. 33 / Art. 34 decision, with reasons a DPO can defend.

Two layers, documented in docs/risk-assessment.md:
1. Severity, ENISA (2013) "Recommendations for a methodology of the assessment of
   severity of personal data breaches": SE = DPC x EI + CB; Low < 2 <= Medium < 3 <=
   High < 4 <= Very high.
2. Likelihood and the legal thresholds, EDPB Guidelines 9/2022 (breach notification)
   and 01/2021 (examples): Art. 33 applies unless the breach is *unlikely* to result in
   a risk; Art. 34 when a *high* risk is likely, unless an Art. 34(3) exception applies.
   What ENISA's formula leaves out (numbers of persons, vulnerable persons,
   unintelligible data, recovered data) is applied here.

Unknown facts (None) always count against the organisation, and the reasons say which
facts, once known, could change the proposal.
"""

from __future__ import annotations

import enum

from pydantic import BaseModel

from domain.breach.facts import Art34Exception, BreachFacts, BreachType, ControllerContext, DataCategory

LARGE_SCALE_SUBJECTS = 10_000  # EDPB 9/2022: the number of persons raises the risk (threshold: our choice)
QUICK_RESTORE_HOURS = 24.0  # EDPB 01/2021 case 1: restored from backup within the day


class Level(str, enum.Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"


LEVEL_DA = {Level.LOW: "lav", Level.MEDIUM: "middel", Level.HIGH: "høj", Level.VERY_HIGH: "meget høj"}


class Reason(BaseModel):
    code: str
    da: str
    en: str
    source: str


class Assessment(BaseModel):
    severity: float
    level: Level
    dpc: float
    ei: float
    cb: float
    notify_authority: bool
    notify_subjects: bool
    exception: Art34Exception | None
    reasons: list[Reason]
    unknown_facts: list[str]


# ENISA: Simple (1), Behavioural (2), Financial (3), Sensitive (4); the other categories are placed
# where ENISA's own adjustment rules put them, and the choice is a reason in the output.
DPC_BASE: dict[DataCategory, tuple[float, str, str]] = {
    DataCategory.IDENTITY: (1, "simple data", "almindelige oplysninger"),
    DataCategory.CONTACT: (1, "simple data", "almindelige oplysninger"),
    DataCategory.LOCATION: (2, "behavioural data", "adfærdsoplysninger"),
    DataCategory.BEHAVIOURAL: (2, "behavioural data", "adfærdsoplysninger"),
    DataCategory.COMMUNICATIONS: (3, "behavioural data raised: message content can reveal a detailed profile",
                                  "adfærdsoplysninger, forhøjet: indholdet af beskeder kan afsløre en detaljeret profil"),
    DataCategory.FINANCIAL: (3, "financial data", "økonomiske oplysninger"),
    DataCategory.NATIONAL_ID: (3, "simple data raised: the CPR number enables identity fraud (DBL § 11)",
                               "almindelige oplysninger, forhøjet: CPR-nummeret muliggør identitetsmisbrug (DBL § 11)"),
    DataCategory.CREDENTIALS: (3, "simple data raised: credentials give access to further data and accounts",
                               "almindelige oplysninger, forhøjet: adgangsoplysninger giver adgang til mere"),
    DataCategory.CHILDREN: (1, "simple data, raised below for minors", "almindelige oplysninger om børn"),
    DataCategory.SPECIAL_CATEGORIES: (4, "sensitive data (Art. 9)", "følsomme oplysninger (art. 9)"),
    DataCategory.CRIMINAL: (4, "sensitive data (Art. 10)", "oplysninger om strafbare forhold (art. 10)"),
}
# Categories not yet known: scored between simple (1) and behavioural (2) data. With unknown recipients
# that is enough to notify the authority provisionally (Art. 33(4)), not enough on its own to tell the
# subjects before anyone knows what to tell them; known sensitive facts still raise it (documented choice).
UNKNOWN_CATEGORIES_DPC = (1.5, "categories of data not yet known: scored above simple data until they are",
                          "kategorierne af oplysninger er endnu ikke kendt: vurderet over almindelige oplysninger, "
                          "indtil de kendes")
RAISING_CONTEXTS = {ControllerContext.HEALTH, ControllerContext.SOCIAL_SERVICES, ControllerContext.VULNERABLE_ADULTS,
                    ControllerContext.CHILDRENS_INSTITUTION}
CONTEXT_DA = {ControllerContext.HEALTH: "sundhed", ControllerContext.SOCIAL_SERVICES: "socialforvaltning",
              ControllerContext.VULNERABLE_ADULTS: "sårbare voksne",
              ControllerContext.CHILDRENS_INSTITUTION: "børneinstitution"}
ART_9_10 = {DataCategory.SPECIAL_CATEGORIES, DataCategory.CRIMINAL}
HEALTH_CONTEXTS = {ControllerContext.HEALTH, ControllerContext.PSYCHOTHERAPY}
LEVELS = [Level.LOW, Level.MEDIUM, Level.HIGH, Level.VERY_HIGH]
# What a person reads: the facts still unknown and the Art. 34(3) grounds, in words, not keys.
FACT_DA = {
    "data_categories": "kategorierne af oplysninger", "subject_categories": "kategorierne af berørte personer",
    "approx_subjects": "antallet af berørte personer", "vulnerable_subjects": "om de berørte er sårbare",
    "encrypted": "om data var krypteret", "backup_available": "om der er backup",
    "exfiltrated": "om data er kopieret ud", "malicious": "om der var ondsindet hensigt",
    "publicly_exposed": "om data er offentligt tilgængelige", "unavailability_hours": "hvor længe data var utilgængelige",
}
EXCEPTION_DA = {
    Art34Exception.UNINTELLIGIBLE: "oplysningerne er uforståelige for uvedkommende (litra a)",
    Art34Exception.RISK_NO_LONGER_LIKELY: "efterfølgende foranstaltninger sikrer, at den høje risiko ikke længere "
                                          "sandsynligvis vil opstå (litra b)",
    Art34Exception.DISPROPORTIONATE_EFFORT: "underretning vil kræve en uforholdsmæssig stor indsats; der gives i "
                                            "stedet en offentlig meddelelse (litra c)",
}
CATEGORY_DA = {DataCategory.SPECIAL_CATEGORIES: "følsomme oplysninger (art. 9)",
               DataCategory.CRIMINAL: "oplysninger om strafbare forhold (art. 10)", DataCategory.NATIONAL_ID: "CPR-numre",
               DataCategory.CREDENTIALS: "adgangsoplysninger", DataCategory.FINANCIAL: "økonomiske oplysninger"}
HIGH_RISK_CATEGORIES = {DataCategory.SPECIAL_CATEGORIES, DataCategory.CRIMINAL, DataCategory.NATIONAL_ID,
                        DataCategory.CREDENTIALS, DataCategory.FINANCIAL}


def level_of(severity: float) -> Level:
    if severity < 2:
        return Level.LOW
    if severity < 3:
        return Level.MEDIUM
    if severity < 4:
        return Level.HIGH
    return Level.VERY_HIGH


# Danish for the CB explanation (same facts, same numbers).
CB_DA = {
    "confidentiality": "fortrolighed", "integrity": "integritet", "availability": "tilgængelighed",
    "malicious intent": "ondsindet hensigt", "(not excluded)": "(ikke udelukket)",
    "known, trusted recipient; deletion or return confirmed": "kendt, betroet modtager; sletning bekræftet",
    "exposed to an unknown number of recipients": "eksponeret for et ukendt antal modtagere",
    "recipients unknown (treated as an unknown number until established)":
        "modtagere ukendte (regnes som et ukendt antal, indtil det er afklaret)",
    "exposed to a known number of recipients": "eksponeret for et kendt antal modtagere",
    "not shown recoverable": "ikke vist genskabelige", "recoverable": "genskabelige",
    "restored from backup without difficulty": "genskabt fra backup uden problemer",
    "temporary unavailability": "midlertidigt utilgængelige", "data not shown recoverable": "ikke vist genskabelige",
}


def _danish(text: str) -> str:
    for en, da in sorted(CB_DA.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(en, da)
    return text


class _Assessor:
    def __init__(self, facts: BreachFacts) -> None:
        self.f = facts
        self.reasons: list[Reason] = []
        self.unknown: list[str] = []
        self.recovered: list[str] = []  # dimensions shown harmless by restoring or retrieving the data

    def say(self, code: str, da: str, en: str, source: str) -> None:
        self.reasons.append(Reason(code=code, da=da, en=en, source=source))

    def unknown_fact(self, name: str) -> None:
        if name not in self.unknown:
            self.unknown.append(name)

    @property
    def confidentiality(self) -> bool:
        return BreachType.CONFIDENTIALITY in self.f.breach_types

    @property
    def minors_or_vulnerable(self) -> bool:
        return DataCategory.CHILDREN in self.f.data_categories or self.f.vulnerable_subjects is True

    # --- ENISA ------------------------------------------------------------------------------

    @property
    def availability_only(self) -> bool:
        """Data lost or locked, but not seen by anyone: the content itself reaches no one."""
        return self.f.breach_types == [BreachType.AVAILABILITY] and self.f.exfiltrated is False

    def dpc(self) -> float:
        if self.f.data_categories:
            category = max(self.f.data_categories, key=lambda c: DPC_BASE[c][0])
            score, why, why_da = DPC_BASE[category]
        else:
            self.unknown_fact("data_categories")
            score, why, why_da = UNKNOWN_CATEGORIES_DPC
        if self.availability_only and score < 4 and not self.minors_or_vulnerable:
            # Our reading of ENISA's context adjustment (documented): without disclosure, financial or
            # identifying content does not harm persons; unavailability does, where care depends on it.
            score, why = 1, "availability only, no disclosure: the content of non-sensitive data reaches no one"
            why_da = "kun tilgængelighed, intet kommet til uvedkommendes kendskab"
        score, why, why_da = self._context(score, why, why_da)
        if self.minors_or_vulnerable and score < 4:
            score += 1
            why += "; +1 because the persons are minors or vulnerable"
            why_da += "; +1 fordi de berørte er børn eller sårbare"
        if self.f.vulnerable_subjects is None and DataCategory.CHILDREN not in self.f.data_categories:
            self.unknown_fact("vulnerable_subjects")
        self.say("enisa_dpc", f"Databehandlingskontekst (DPC) {score:g}: {why_da}.",
                 f"Data processing context (DPC) {score:g}: {why}.", "ENISA 2013, DPC")
        return score

    def _context(self, score: float, why: str, why_da: str) -> tuple[float, str, str]:
        """ENISA's context factor: the same list means more in a therapist's office than in a sports club."""
        f = self.f
        if f.protected_address is True:
            return 4, why + "; raised to 4: a protected address exposed can endanger the person's safety", \
                why_da + "; hævet til 4: en beskyttet adresse kan bringe personens sikkerhed i fare"
        if f.controller_context is ControllerContext.PSYCHOTHERAPY and self.confidentiality:
            return 4, why + "; raised to 4: being a client of a psychotherapy practice is health data (Art. 9)", \
                why_da + "; hævet til 4: at være klient hos en psykoterapeut er en helbredsoplysning (art. 9)"
        counted = f.controller_context is ControllerContext.CHILDRENS_INSTITUTION and self.minors_or_vulnerable
        if f.controller_context in RAISING_CONTEXTS and score < 4 and not counted:  # minors: raised once, below
            return score + 1, why + f"; +1 for the context ({f.controller_context.value})", \
                why_da + f"; +1 for konteksten ({CONTEXT_DA[f.controller_context]})"
        return score, why, why_da

    def ei(self) -> float:
        if self.f.encrypted is True:
            score, why, why_da = 0.25, "data unintelligible (state-of-the-art encryption, key not compromised)", \
                "uforståelige data (tidssvarende kryptering, nøglen ikke kompromitteret)"
        elif not self.f.data_categories or {DataCategory.IDENTITY, DataCategory.NATIONAL_ID,
                                            DataCategory.CONTACT} & set(self.f.data_categories):
            score, why, why_da = 1.0, "persons are identified directly from the data", "personerne kan identificeres direkte"
        else:
            score, why, why_da = 0.75, "persons can be identified with some effort", "personerne kan identificeres med en vis indsats"
        if self.f.encrypted is None:
            self.unknown_fact("encrypted")
        self.say("enisa_ei", f"Identificerbarhed (EI) {score:g}: {why_da}.",
                 f"Ease of identification (EI) {score:g}: {why}.", "ENISA 2013, EI")
        return score

    def cb(self) -> float:
        total, parts = self._cb_parts(credit_recovery=True, note_unknown=True)
        self.say("enisa_cb", f"Omstændigheder (CB) {total:g}: " + _danish("; ".join(parts)) + ".",
                 f"Circumstances of the breach (CB) {total:g}: " + "; ".join(parts) + ".", "ENISA 2013, CB")
        return total

    @property
    def contained(self) -> bool:
        """Data back with, or deleted by, a known and trusted recipient; a malicious actor is never trusted."""
        f = self.f
        return (f.recipient_known_and_trusted is True and f.data_retrieved_or_deleted_confirmed is True
                and f.malicious is not True)

    def _cb_parts(self, credit_recovery: bool, note_unknown: bool = False) -> tuple[float, list[str]]:
        """ENISA's circumstances; without `credit_recovery`, as if nothing had been restored or retrieved."""
        total = 0.0
        parts = []
        f = self.f

        def unknown(name: str) -> None:
            if note_unknown:
                self.unknown_fact(name)

        if self.confidentiality:
            if self.contained and credit_recovery:
                value, why = 0.0, "known, trusted recipient; deletion or return confirmed"
            elif f.publicly_exposed is True or f.exfiltrated is True:
                value, why = 0.5, "exposed to an unknown number of recipients"
            elif f.publicly_exposed is None and f.exfiltrated is None and f.recipient_known_and_trusted is not True:
                value, why = 0.5, "recipients unknown (treated as an unknown number until established)"
                unknown("publicly_exposed")
                unknown("exfiltrated")
            else:
                value, why = 0.25, "exposed to a known number of recipients"
            total += value
            parts.append(f"confidentiality {value:g} ({why})")
        if BreachType.INTEGRITY in f.breach_types:
            value = 0.25 if f.backup_available is True and credit_recovery else 0.5
            total += value
            parts.append(f"integrity {value:g} ({'recoverable' if value < 0.5 else 'not shown recoverable'})")
        if BreachType.AVAILABILITY in f.breach_types:
            quick = f.unavailability_hours is not None and f.unavailability_hours <= QUICK_RESTORE_HOURS
            if f.backup_available is True and quick and credit_recovery:
                value, why = 0.0, "restored from backup without difficulty"
            elif f.backup_available is True and credit_recovery:
                value, why = 0.25, "temporary unavailability"
            else:
                value, why = 0.5, "data not shown recoverable"
                if f.backup_available is None:
                    unknown("backup_available")
            if f.unavailability_hours is None:
                unknown("unavailability_hours")
            total += value
            parts.append(f"availability {value:g} ({why})")
        if f.malicious is True or f.malicious is None:
            total += 0.5
            parts.append("malicious intent 0.5" + (" (not excluded)" if f.malicious is None else ""))
            if f.malicious is None:
                unknown("malicious")
        return total, parts

    # --- EDPB: likelihood and the legal thresholds -------------------------------------------

    def neutralised(self) -> bool:
        """Every affected dimension shown harmless (EDPB 01/2021 cases 1, 6, 9, 10)."""
        f = self.f
        checks = []
        if self.confidentiality:
            unintelligible = f.encrypted is True
            contained = self.contained
            checks.append(unintelligible or contained)
            if contained and not unintelligible:
                self.recovered.append("retrieved")
            if unintelligible:
                self.say("edpb_unintelligible", "Oplysningerne er uforståelige for uvedkommende (kryptering).",
                         "The data are unintelligible to unauthorised persons (encryption).",
                         "EDPB 9/2022, Art. 34(3)(a) and encryption; EDPB 01/2021 cases 6 and 10")
            if contained:
                self.say("edpb_contained", "Kendt og betroet modtager; sletning/tilbagelevering bekræftet.",
                         "Known, trusted recipient; deletion or return confirmed.", "EDPB 01/2021 case 9")
        if BreachType.INTEGRITY in f.breach_types:
            checks.append(f.backup_available is True and f.malicious is False)
            if checks[-1]:
                self.recovered.append("restored")
        if BreachType.AVAILABILITY in f.breach_types:
            quick = f.unavailability_hours is not None and f.unavailability_hours <= QUICK_RESTORE_HOURS
            restored = f.backup_available is True and quick and f.exfiltrated is False
            checks.append(restored)
            if restored:
                self.recovered.append("restored")
                self.say("edpb_restored", "Data genskabt fra backup inden for et døgn; ingen dataudtræk.",
                         "Data restored from backup within a day; no exfiltration.", "EDPB 01/2021 case 1")
            elif f.exfiltrated is None:
                self.unknown_fact("exfiltrated")
        return all(checks) and bool(checks)

    def recovery_cap(self) -> list[tuple[str, str]]:
        """Why restoring or retrieving the data may lower the severity one step but never erase it (Danish, English).

        The harm to these persons does not depend only on whether the data are back: health data were in a
        criminal's hands for hours, a child cannot protect itself, an exfiltrating attacker keeps a copy.
        """
        f = self.f
        why = []
        if ART_9_10 & set(f.data_categories) or f.controller_context in HEALTH_CONTEXTS:
            why.append(("oplysningerne er følsomme (art. 9 eller 10)", "the data are sensitive (Art. 9 or 10)"))
        if self.minors_or_vulnerable or f.controller_context is ControllerContext.VULNERABLE_ADULTS:
            why.append(("de berørte er børn eller sårbare", "the persons are children or vulnerable"))
        if f.malicious is True and f.exfiltrated is True:
            why.append(("en ondsindet aktør har taget en kopi af data", "a malicious actor exfiltrated the data"))
        return why

    def benign_low(self, level: Level) -> bool:
        """A Low score where nothing points to harm: no intent, no spread, nothing sensitive."""
        f = self.f
        return (level is Level.LOW and f.malicious is False and f.publicly_exposed is not True
                and f.exfiltrated is not True and not self.minors_or_vulnerable
                and bool(f.data_categories) and not (HIGH_RISK_CATEGORIES & set(f.data_categories)))

    def high_risk_triggers(self) -> list[tuple[str, str]]:
        """What makes a high risk likely, as (Danish, English)."""
        f = self.f
        triggers = []
        exposed = self.confidentiality and not self.contained
        sensitive = HIGH_RISK_CATEGORIES & set(f.data_categories)
        if exposed and sensitive:
            ordered = sorted(sensitive, key=lambda c: c.value)
            triggers.append(("følsomme kategorier er kommet til uvedkommendes kendskab: "
                             + ", ".join(CATEGORY_DA[c] for c in ordered),
                             "sensitive categories exposed: " + ", ".join(c.value for c in ordered)))
        if exposed and f.protected_address is True:
            triggers.append(("en beskyttet adresse er kommet til uvedkommendes kendskab", "a protected address exposed"))
        if exposed and f.controller_context is ControllerContext.PSYCHOTHERAPY:
            triggers.append(("klienter hos en psykoterapeut er afsløret (helbredsoplysning, art. 9)",
                             "clients of a psychotherapy practice exposed (health data, Art. 9)"))
        spread = f.publicly_exposed is True or f.exfiltrated is True
        if exposed and self.minors_or_vulnerable and spread:
            triggers.append(("oplysninger om børn eller sårbare personer er spredt uden for kontrol",
                             "data about minors or vulnerable persons spread beyond control"))
        if exposed and spread and (f.approx_subjects or 0) >= LARGE_SCALE_SUBJECTS:
            triggers.append((f"oplysninger om ca. {f.approx_subjects} personer er spredt uden for kontrol (stort omfang)",
                             f"data of about {f.approx_subjects} persons spread beyond control (large scale)"))
        return triggers


def _lowered_one_step(a: _Assessor, dpc: float, ei: float, capped_by: list[tuple[str, str]]) -> Level:
    """Restored or retrieved data lower the level one step from what it would be without them, no further."""
    without_cb, _ = a._cb_parts(credit_recovery=False)
    without = level_of(round(dpc * ei + without_cb, 2))
    lowered = LEVELS[max(LEVELS.index(without) - 1, 0)]
    why_da = " og ".join(da for da, _ in capped_by)
    why_en = " and ".join(en for _, en in capped_by)
    a.say("recovery_lowers_one_step",
          f"Genopretningen sænker alvorligheden højst ét trin: fra {LEVEL_DA[without]} (uden genopretning, "
          f"CB {without_cb:g}) til {LEVEL_DA[lowered]}. Den fjerner den ikke, fordi {why_da}.",
          f"Recovery lowers the severity at most one step: from {without.value} (without recovery, CB "
          f"{without_cb:g}) to {lowered.value}. It does not erase it, because {why_en}.",
          "EDPB 01/2021 case 3 (hospital restored from backup: notify); EDPB 9/2022, factors: sensitivity, "
          "vulnerable individuals")
    return lowered


def assess(facts: BreachFacts) -> Assessment:
    a = _Assessor(facts)
    dpc, ei, cb = a.dpc(), a.ei(), a.cb()
    if not facts.subject_categories:
        a.unknown_fact("subject_categories")
    severity = round(dpc * ei + cb, 2)
    level = level_of(severity)
    a.say("enisa_level", f"Alvorlighed SE = {dpc:g} × {ei:g} + {cb:g} = {severity:g}: {LEVEL_DA[level]}.",
          f"Severity SE = {dpc:g} × {ei:g} + {cb:g} = {severity:g}: {level.value}.", "ENISA 2013, SE bands")

    neutralised = a.neutralised()
    capped_by = a.recovery_cap() if neutralised and a.recovered else []
    if capped_by:
        level = _lowered_one_step(a, dpc, ei, capped_by)
        neutralised = level is Level.LOW
    benign = a.benign_low(level)
    notify_authority = not (neutralised or benign)
    if notify_authority:
        a.say("art33_notify", "Anmeld til Datatilsynet: det er ikke godtgjort, at bruddet sandsynligvis ikke "
              "indebærer en risiko.", "Notify Datatilsynet: it is not shown that the breach is unlikely to "
              "result in a risk.", "GDPR Art. 33(1); forretningsgang for persondatabrud, afsnit 2 ('som udgangspunkt bør alle brud anmeldes')")
    else:
        a.say("art33_no_notify", "Anmeldelse kan undlades: bruddet indebærer sandsynligvis ikke en risiko. "
              "Dokumentér det (forretningsgangens afsnit 2).", "Notification may be omitted: the breach is unlikely "
              "to result in a risk. Document it (the breach procedure, section 2).", "GDPR Art. 33(1), 33(5); EDPB 9/2022")

    if facts.approx_subjects is None:
        a.unknown_fact("approx_subjects")
    elif facts.approx_subjects >= LARGE_SCALE_SUBJECTS // 10:
        a.say("edpb_scale", f"Mange berørte personer (ca. {facts.approx_subjects}) øger risikoen.",
              f"Many persons affected (about {facts.approx_subjects}) raise the risk.", "EDPB 9/2022, factors for assessing risk: number of affected individuals")

    triggers = a.high_risk_triggers()
    high = level in (Level.HIGH, Level.VERY_HIGH) or bool(triggers)
    for trigger_da, trigger_en in triggers:
        a.say("edpb_high_risk", f"Høj risiko: {trigger_da}.", f"High risk: {trigger_en}.",
              "EDPB 9/2022, factors for assessing risk: sensitivity, vulnerable individuals; EDPB 01/2021 cases 7, 12, 14")
    exception = None
    if high and notify_authority:
        if facts.encrypted is True:
            exception = Art34Exception.UNINTELLIGIBLE
        elif a.contained:
            exception = Art34Exception.RISK_NO_LONGER_LIKELY
    notify_subjects = high and notify_authority and exception is None
    if notify_subjects:
        a.say("art34_communicate", "Underret de registrerede uden unødig forsinkelse: høj risiko.",
              "Communicate to the data subjects without undue delay: high risk.", "GDPR Art. 34(1); forretningsgang for persondatabrud, afsnit 3")
    elif exception is not None:
        a.say("art34_exception", f"Høj risiko, men undtagelsen i art. 34, stk. 3, gælder: {EXCEPTION_DA[exception]}.",
              f"High risk, but the Art. 34(3) exception applies: {exception.value}.", "GDPR Art. 34(3)")
    else:
        a.say("art34_no", "De registrerede underrettes ikke: risikoen vurderes ikke at være høj.",
              "No communication to the data subjects: the risk is not assessed as high.", "GDPR Art. 34(1)")
    if a.unknown:
        facts_list = ", ".join(a.unknown)
        facts_da = ", ".join(FACT_DA.get(name, name) for name in a.unknown)
        a.say("unknown_facts", f"Ukendte fakta er vurderet forsigtigt; disse kan ændre forslaget: {facts_da}.",
              f"Unknown facts were assessed cautiously; these could change the proposal: {facts_list}.",
              "EDPB 9/2022, phased notification (Art. 33(4)): assess on what is known, update later")
    return Assessment(severity=severity, level=level, dpc=dpc, ei=ei, cb=cb, notify_authority=notify_authority,
                      notify_subjects=notify_subjects, exception=exception, reasons=a.reasons,
                      unknown_facts=a.unknown)
