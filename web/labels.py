"""Danish for what people read in the forms: field labels, help, buttons, option labels, rule messages.

Keys are internal (field names, triggers, enum members); values are what a person reads, in Danish,
with no internal codes. A field name means the same everywhere unless a `Model.field` entry says
otherwise (the lookup walks the model's classes, so `Review.comments` covers every review).
`tests/unit/test_web_forms.py` walks every breach and request command and fails on a field, trigger or
option without Danish here, so a new field cannot be forgotten.
"""

from __future__ import annotations

import enum

from domain.breach.machine import Trigger
from domain.requests.machine import RequestTrigger
from domain.requests.model import (
    CHANNEL_DA, IDENTITY_METHOD_DA, REFUSAL_GROUND_DA, TYPE_DA, Channel, FeeGround, IdentityMethod, PartRefusalBasis,
    RefusalGround, Representation, RequestType, RestrictionGround, ThirdPartyGround,
)
from domain.breach.facts import Art34Exception, BreachType, ControllerContext, DataCategory
from domain.breach.model import Affectedness, Audience, AUDIENCE_DA, DraftKind, PoliceReport, RiskLevel
from domain.breach.notifications import DATA_CATEGORY_DA
from domain.breach.risk import EXCEPTION_DA


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


LABELS_DA: dict[str, str] = {
    # --- breach: assessment, containment, informing -------------------------------------------
    "is_breach": "Er hændelsen et brud på persondatasikkerheden?",
    "reason": "Begrundelse",
    "measures": "Hvad er gjort for at stoppe bruddet og begrænse skaden?",
    "system_stopped": "Er et it-system blevet stoppet?",
    "stopped_systems": "Hvilke it-systemer er stoppet?",
    "crisis_team": "Kriseteamets medlemmer",
    "message": "Besked",
    "InformManagement.message": "Besked til ledelsen og databeskyttelsesrådgiveren",
    "PlanCommunication.message": "Budskabet (det samme til alle målgrupper)",
    # --- breach: facts -------------------------------------------------------------------------
    "facts": "Fakta om bruddet",
    "breach_types": "Type af brud",
    "data_categories": "Kategorier af personoplysninger",
    "subject_categories": "Kategorier af berørte personer (fx elever, forældre, ansatte)",
    "approx_subjects": "Omtrentligt antal berørte personer",
    "approx_records": "Omtrentligt antal berørte registreringer",
    "systems": "Berørte it-systemer",
    "suppliers": "Leverandører",
    "BreachFacts.suppliers": "Leverandører og databehandlere, der er involveret",
    "RequestSupplierAccounts.suppliers": "Leverandører, der skal give en skriftlig redegørelse",
    "measures_in_place": "Sikkerhedsforanstaltninger, der var på plads før bruddet",
    "cause": "Årsag",
    "started_at": "Bruddet startede",
    "ended_at": "Bruddet sluttede",
    "vulnerable_subjects": "Er de berørte sårbare (fx børn eller patienter)?",
    "encrypted": "Var oplysningerne krypteret?",
    "backup_available": "Findes der en sikkerhedskopi?",
    "exfiltrated": "Er oplysningerne kopieret ud af organisationen?",
    "malicious": "Var der ondsindet hensigt?",
    "recipient_known_and_trusted": "Er modtageren kendt og til at stole på?",
    "data_retrieved_or_deleted_confirmed": "Er det bekræftet, at oplysningerne er leveret tilbage eller slettet?",
    "publicly_exposed": "Har oplysningerne været offentligt tilgængelige?",
    "unavailability_hours": "Hvor mange timer var oplysningerne utilgængelige?",
    "controller_context": "Hvor blev oplysningerne behandlet?",
    "protected_address": "Er en person med navne- og adressebeskyttelse berørt?",
    "other_eea_countries": "Andre berørte EU-/EØS-lande",
    # --- breach: suppliers ---------------------------------------------------------------------
    "name": "Navn",
    "email": "E-mailadresse",
    "phone": "Telefon",
    "system": "It-system",
    "supplier": "Leverandør",
    "account": "Leverandørens redegørelse",
    "timeline": "Forløb",
    "consequences": "Konsekvenser",
    "fix": "Hvad er gjort for at rette fejlen?",
    "prevention": "Hvad gøres for at undgå, at det sker igen?",
    # --- breach: the notification decision -----------------------------------------------------
    "level": "Vurdering af risikoen for de berørte",
    "reasons": "Begrundelse",
    "no_risk_documentation": "Dokumentation for, at bruddet ikke medfører en risiko",
    "deviation_reason": "Hvorfor afviger vurderingen fra systemets forslag?",
    "scope": "Omfang",
    "reached_unauthorised": "Er oplysningerne kommet til uvedkommende?",
    "unauthorised_recipients": "Hvem har fået oplysningerne?",
    "recipients_cannot_or_will_not_use": "Hvorfor kan eller vil modtagerne ikke bruge oplysningerne?",
    "recipients_no_longer_hold": "Hvad viser, at modtagerne ikke længere har oplysningerne?",
    # --- breach: drafts --------------------------------------------------------------------------
    "nature": "Hvad er der sket (bruddets karakter)?",
    "likely_consequences": "Sandsynlige konsekvenser for de berørte",
    "measures_taken": "Foranstaltninger, der er truffet",
    "measures_proposed": "Foranstaltninger, der foreslås",
    "subjects_informed": "Underretning af de berørte",
    "still_unknown": "Hvad vides endnu ikke, og hvornår følger det?",
    "delay_reasons": "Begrundelse for, at anmeldelsen kommer efter 72 timer",
    "follow_up": "Er det en opfølgning på en tidligere anmeldelse?",
    "follow_up_of_reference": "Datatilsynets journalnummer for den første anmeldelse",
    "breach_ended_at": "Bruddet sluttede",
    "breach_ongoing": "Står bruddet stadig på?",
    "subjects_informed_how": "Hvordan og hvornår de berørte underrettes",
    "police_report": "Er bruddet anmeldt til politiet?",
    "affectedness": "Hvor sikkert er det, at modtageren er berørt?",
    "description": "Beskrivelse af hændelsen",
    "advice": "Råd til de berørte om, hvad de selv kan gøre",
    "channel": "Kanal",
    "SubmitCommunicationDraft.channel": "Kanal (fx brev, e-mail, Aula)",
    "to_parents": "Skrives brevet til forældrene?",
    # --- breach: review and decisions -----------------------------------------------------------
    "approve": "Godkender du?",
    "ReviewDraft.approve": "Godkender du udkastet?",
    "CoDecide.approve": "Er du enig i forslaget?",
    "ReviewAnswer.approve": "Godkender du svaret?",
    "comments": "Kommentarer",
    "Review.comments": "Kommentarer (ved afvisning: hvad skal ændres?)",
    "CoDecide.comments": "Begrundelse, hvis du er uenig",
    "submitted_at": "Indsendt",
    "reference": "Datatilsynets journalnummer",
    "communicate": "Skal de berørte underrettes?",
    "exception": "Undtagelse efter artikel 34, stk. 3",
    "exception_evidence": "Hvad viser, at undtagelsen gælder?",
    "public_notice": "Offentlig meddelelse i stedet: hvor og hvornår",
    "override_reason": "Begrundelse for at underrette uden en anmeldelse (kun databeskyttelsesrådgiveren)",
    "sent_at": "Sendt",
    "recipients": "Antal modtagere",
    "published_place": "Hvor blev meddelelsen offentliggjort?",
    "legal_basis": "Retsgrundlag",
    "requested_by": "Anmodet af",
    "review_at": "Udsættelsen vurderes igen senest",
    "resume": "Kan de berørte nu underrettes?",
    "next_review_at": "Næste vurdering senest",
    "items": "Målgrupper",
    "audience": "Målgruppe",
    "responsible": "Ansvarlig for at sende",
    "release_with": "Sendes ud sammen med",
    "recipient": "Modtager",
    "new_facts": "Nye oplysninger",
    "summary": "Dokumentation af beslutninger og hændelsesforløb",
    "lessons_learned": "Erfaringer fra sagen",
    "procedure_changes": "Ændringer i procedurerne",
    "ReopenCase.reason": "Hvorfor genåbnes sagen?",
    # --- requests ----------------------------------------------------------------------------------
    "method": "Hvordan er identiteten kontrolleret?",
    "details": "Hvad blev kontrolleret?",
    "maturity_assessment": "Kan barnet selv modtage oplysningerne?",
    "verified_email": "E-mailadresse, som kontrollen bekræftede",
    "verified_postal_address": "Postadresse, som kontrollen bekræftede",
    "verified_phone": "Telefonnummer, som kontrollen bekræftede",
    "reply_to": "Svar i stedet til denne e-mailadresse",
    "reply_to_reason": "Hvorfor er den anden svaradresse til at stole på?",
    "confirm_transfer_to": "Den nye dataansvarliges e-mailadresse (bekræftet)",
    "transfer_confirmation": "Hvordan blev adressen bekræftet?",
    "needed": "Hvilke oplysninger mangler?",
    "answer": "Oplysninger modtaget fra den registrerede",
    "ground": "Grundlag",
    "Refuse.ground": "Grund til at afvise anmodningen",
    "ChargeFee.ground": "Grundlag for gebyret",
    "ReleaseThirdPartyData.ground": "Grundlag for at udlevere oplysningen",
    "purpose_no_longer_present": "Er formålet med behandlingen ophørt?",
    "no_outstanding_obligations": "Er alle forpligtelser afviklet, så intet udestår?",
    "accept": "Tages indsigelsen til følge?",
    "system_id": "It-system",
    "result": "Hvad blev fundet eller gjort i systemet?",
    "kept_reason": "Hvad blev ikke slettet, og hvorfor?",
    "note": "Tekst, der tilføjes svarbrevet",
    "amount_dkk": "Beløb i kroner",
    "cost_basis": "Sådan er beløbet beregnet",
    "table": "Tabel",
    "column": "Kolonne",
    "basis": "Retsgrundlag for at afvise denne del",
    # --- requests: intake (the form 'Ny anmodning'; the identifiers are built by hand) -------------
    "RequestInput.type": "Hvad beder personen om?",
    "RequestInput.channel": "Hvordan kom anmodningen ind?",
    "received_at": "Modtaget",
    "requester": "Den, der anmoder",
    "subject_name": "Navn på den, oplysningerne handler om",
    "on_behalf": "Anmoder på en andens vegne",
    "subject_age": "Alder på den, oplysningerne handler om",
    "RequestInput.description": "Anmodningen med personens egne ord",
    "corrections": "Rettelser",
    "new_value": "Ny værdi",
    "statements": "Supplerende erklæringer",
    "statement": "Erklæringen",
    "objection_processing": "Hvilken behandling gøres der indsigelse mod?",
    "transfer_to": "Den nye dataansvarliges e-mailadresse",
    "restriction_ground": "Grundlag for begrænsningen",
    "objection_direct_marketing": "Gælder indsigelsen direkte markedsføring?",
    "further_copy_of": "Nummeret på den tidligere indsigtsanmodning",
}

# Help under a field. Every field the models describe in English has its Danish help here, so the English
# description is never what a person reads.
HELP_DA: dict[str, str] = {
    "data_categories": "Sæt ingen kryds, hvis det endnu ikke vides; så vurderes risikoen forsigtigt.",
    "subject_categories": "Lad felterne stå tomme, hvis det endnu ikke vides.",
    "measures_in_place": "Fx kryptering eller adgangskontrol.",
    "controller_context": "Hvor oplysningerne blev behandlet, kan afsløre mere, end oplysningerne selv gør.",
    "protected_address": "En person med navne- og adressebeskyttelse.",
    "other_eea_countries": "Lande i EU/EØS, hvor berørte personer bor. Lad felterne stå tomme, hvis det endnu "
                           "ikke vides; sæt kryds i »Ingen«, hvis der ingen er.",
    "deviation_reason": "Skal udfyldes, når vurderingen afviger fra systemets forslag.",
    "follow_up": "En opfølgning på en anmeldelse, der er indsendt tidligere.",
    "follow_up_of_reference": "Er journalnummeret udfyldt, er anmeldelsen en opfølgning.",
    "breach_ended_at": "Ellers bruges tidspunktet fra fakta om bruddet.",
    "breach_ongoing": "Ja betyder, at bruddet ikke er slut.",
    "subjects_informed_how": "Hvordan og hvornår de berørte er eller bliver underrettet.",
    "to_parents": "Ved ikke: brevet skrives til forældrene, når bruddet omfatter oplysninger om børn.",
    "exception_evidence": "Fx den kryptering, der blev brugt, og at nøglen er i sikkerhed, eller den "
                          "foranstaltning, der fjernede den høje risiko.",
    "public_notice": "Hvor og hvornår den offentlige meddelelse blev offentliggjort.",
    "published_place": "Ved en offentlig meddelelse: hvor den blev offentliggjort. Tidspunktet angives under Sendt.",
    "legal_basis": "Fx databeskyttelseslovens § 22, stk. 1 (politiets efterforskning).",
    "requested_by": "Fx politikredsen og dens journalnummer.",
    "review_at": "Højst 30 dage frem.",
    "resume": "Ja: grunden til udsættelsen er væk, og de berørte underrettes. Nej: udsættelsen fortsætter.",
    "next_review_at": "Skal udfyldes, når udsættelsen fortsætter.",
    "responsible": "Den, der sender beskeden og får besked, når det er tid.",
    "PlannedCommunication.channel": "Fx intranettet, pressemeddelelse, forsiden af hjemmesiden.",
    "release_with": "Beskederne sendes, når denne anmeldelse er registreret som sendt.",
    "details": "Fx »kørekort set« eller »kontrolopringning til 12345678«.",
    "maturity_assessment": "Ved et barn: kan barnet selv modtage oplysningerne, eller kun forældremyndighedens "
                           "indehaver?",
    "verified_email": "Ved registreret adresse: den adresse, der står i vores egne oplysninger. Svaret sendes "
                      "kun hertil.",
    "verified_postal_address": "Når svaret sendes med brev.",
    "verified_phone": "Adgangskoden til udleveringen gives på dette nummer.",
    "reply_to": "Kræver en begrundelse.",
    "reply_to_reason": "Hvorfor den anden svaradresse er til at stole på.",
    "confirm_transfer_to": "Ved dataportabilitet: skal være den adresse, der står i anmodningen.",
    "transfer_confirmation": "Hvordan den nye dataansvarliges adresse blev bekræftet.",
    "amount_dkk": "Et rimeligt gebyr efter de administrative omkostninger.",
    "ChargeFee.reasons": "Fx »samme anmodning for fjerde gang på to måneder«.",
    "cost_basis": "Fx »30 minutters arbejde à 400 kr. i timen«.",
    "table": "Kun denne tabel i systemet; lad feltet stå tomt for hele systemet.",
    "result": "Hvad der blev fundet eller gjort i systemet.",
    "kept_reason": "Ved sletning: hvad der blev beholdt, og hvorfor.",
    "note": "Teksten tilføjes svarbrevet.",
    "subject_name": "Lad feltet stå tomt, hvis det er den samme som den, der anmoder.",
    "subject_age": "Skal udfyldes, når en forælder anmoder på vegne af et barn under 18.",
    "RequestInput.description": "Fx hvad personen skrev eller sagde.",
    "objection_processing": "Skal udfyldes ved en indsigelse.",
    "transfer_to": "Kun ved dataportabilitet: oplysningerne sendes direkte til en ny dataansvarlig.",
    "statements": "Kun ved berigtigelse: en erklæring, der fuldstændiggør oplysningerne i et system.",
    "restriction_ground": "Skal vælges ved begrænsning af behandling.",
    "objection_direct_marketing": "Ja gør indsigelsen ubetinget: behandlingen skal stoppe (art. 21, stk. 3).",
    "further_copy_of": "Kun ved indsigt, når personen allerede har fået en kopi i svaret på en tidligere "
                       "anmodning (fx dsr-2026-0001). Så kan der opkræves et gebyr (art. 15, stk. 3).",
    "corrections": "Kun ved berigtigelse: hvilket felt i hvilket system, og den nye værdi.",
}

# The button that performs the action: a verb phrase.
ACTION_DA: dict[enum.Enum, str] = {
    Trigger.ASSESS_BREACH: "Vurdér om det er et brud",
    Trigger.CONTAIN: "Registrér hvordan bruddet er stoppet",
    Trigger.INFORM_MANAGEMENT: "Orientér ledelsen og indkald kriseteamet",
    Trigger.RECORD_FACTS: "Registrér fakta om bruddet",
    Trigger.REQUEST_SUPPLIER_ACCOUNTS: "Bed leverandører om en redegørelse",
    Trigger.RECORD_SUPPLIER_ACCOUNT: "Registrér en leverandørs redegørelse",
    Trigger.ASSESS_NOTIFICATION: "Vurdér om bruddet skal anmeldes",
    Trigger.SUBMIT_NOTIFICATION_DRAFT: "Send udkast til anmeldelse til godkendelse",
    Trigger.REVIEW_DRAFT: "Godkend eller afvis udkastet",
    Trigger.RECORD_SUBMISSION: "Registrér at anmeldelsen er indsendt",
    Trigger.DECIDE_COMMUNICATION: "Beslut om de berørte skal underrettes",
    Trigger.SUBMIT_COMMUNICATION_DRAFT: "Send udkast til underretning til godkendelse",
    Trigger.RECORD_COMMUNICATION_SENT: "Registrér at underretningen er sendt",
    Trigger.ADD_FOLLOW_UP: "Tilføj en opfølgning med nye oplysninger",
    Trigger.DOCUMENT: "Dokumentér beslutninger og forløb",
    Trigger.CLOSE: "Registrér erfaringer og luk sagen",
    Trigger.CO_DECIDE: "Tag stilling til forslaget",
    Trigger.POSTPONE_COMMUNICATION: "Udsæt underretningen af de berørte",
    Trigger.REVIEW_POSTPONEMENT: "Vurdér udsættelsen igen",
    Trigger.PLAN_COMMUNICATION: "Planlæg den øvrige kommunikation",
    Trigger.REOPEN: "Genåbn sagen",
    RequestTrigger.VERIFY_IDENTITY: "Bekræft identiteten",
    RequestTrigger.REQUEST_INFORMATION: "Bed den registrerede om flere oplysninger",
    RequestTrigger.RECORD_INFORMATION: "Registrér de modtagne oplysninger",
    RequestTrigger.REFUSE: "Afvis anmodningen",
    RequestTrigger.ASSESS_ERASURE: "Vurdér sletningen",
    RequestTrigger.DECIDE_OBJECTION: "Afgør indsigelsen",
    RequestTrigger.COMPLETE_MANUAL_TASK: "Registrér hvad der er gjort i systemet",
    RequestTrigger.SYSTEMS_DONE: "Markér at alle systemer er færdige",
    RequestTrigger.REVIEW_ANSWER: "Godkend eller afvis svaret",
    RequestTrigger.REVISE_ANSWER: "Ret svaret",
    RequestTrigger.EXTEND: "Forlæng fristen",
    RequestTrigger.LIFT_RESTRICTION: "Ophæv begrænsningen",
    RequestTrigger.CHARGE_FEE: "Opkræv et gebyr",
    RequestTrigger.REFUSE_PART: "Afvis en del af anmodningen",
    RequestTrigger.RELEASE_THIRD_PARTY_DATA: "Udlevér oplysninger om en anden person",
}

# The options of every choice a form offers.
OPTION_DA: dict[type[enum.Enum], dict[enum.Enum, str]] = {
    BreachType: {
        BreachType.CONFIDENTIALITY: "Fortrolighed (uvedkommende har set eller fået oplysningerne)",
        BreachType.INTEGRITY: "Integritet (oplysningerne er ændret uden lov eller ved et uheld)",
        BreachType.AVAILABILITY: "Tilgængelighed (oplysningerne er gået tabt eller kan ikke tilgås)",
    },
    DataCategory: {category: _first_upper(text) for category, text in DATA_CATEGORY_DA.items()},
    ControllerContext: {
        ControllerContext.HEALTH: "Sundhed (hospital, klinik, lægepraksis)",
        ControllerContext.PSYCHOTHERAPY: "Psykoterapi",
        ControllerContext.SOCIAL_SERVICES: "Socialforvaltning",
        ControllerContext.CHILDRENS_INSTITUTION: "Børneinstitution (skole, dagtilbud, klub)",
        ControllerContext.VULNERABLE_ADULTS: "Sårbare voksne (plejehjem, krisecentre, misbrugsbehandling)",
        ControllerContext.OTHER: "Andet",
    },
    RiskLevel: {
        RiskLevel.NO_RISK: "Ingen risiko: anmeldes ikke, men dokumenteres",
        RiskLevel.RISK: "Risiko: anmeldes til Datatilsynet",
        RiskLevel.HIGH_RISK: "Høj risiko: anmeldes, og de berørte underrettes",
    },
    PoliceReport: {
        PoliceReport.FILED: "Ja, anmeldt til politiet",
        PoliceReport.NOT_FILED: "Nej, ikke anmeldt",
        PoliceReport.NOT_DECIDED: "Ikke besluttet endnu",
    },
    Art34Exception: {exception: _first_upper(text) for exception, text in EXCEPTION_DA.items()},
    Affectedness: {
        Affectedness.CERTAINLY: "Med sikkerhed berørt",
        Affectedness.PRESUMABLY: "Formodentlig berørt",
        Affectedness.NOT_EXCLUDED: "Kan ikke udelukkes",
    },
    DraftKind: {
        DraftKind.AUTHORITY: "Anmeldelsen til Datatilsynet",
        DraftKind.CONTROLLER: "Underretningen af den dataansvarlige",
        DraftKind.SUBJECTS: "Underretningen af de berørte",
    },
    Audience: {audience: _first_upper(text) for audience, text in AUDIENCE_DA.items()},
    IdentityMethod: {method: _first_upper(text) for method, text in IDENTITY_METHOD_DA.items()},
    RefusalGround: {ground: _first_upper(text) for ground, text in REFUSAL_GROUND_DA.items()},
    FeeGround: {
        FeeGround.MANIFESTLY_UNFOUNDED: "Åbenbart grundløs anmodning (art. 12, stk. 5, litra a)",
        FeeGround.EXCESSIVE: "Overdreven anmodning (art. 12, stk. 5, litra a)",
        FeeGround.FURTHER_COPY: "Yderligere kopi (art. 15, stk. 3)",
    },
    PartRefusalBasis: {
        PartRefusalBasis.LEGAL_OBLIGATION: "Retlig forpligtelse til at opbevare oplysningerne (art. 17, stk. 3, litra b)",
        PartRefusalBasis.PUBLIC_TASK: "Opgave i samfundets interesse eller myndighedsudøvelse (art. 17, stk. 3, litra b)",
        PartRefusalBasis.ARCHIVING: "Arkivformål i samfundets interesse (art. 17, stk. 3, litra d)",
        PartRefusalBasis.LEGAL_CLAIMS: "Retskrav skal kunne fastlægges, gøres gældende eller forsvares "
                                       "(art. 17, stk. 3, litra e)",
        PartRefusalBasis.DBL_22: "Afgørende private eller offentlige interesser (databeskyttelseslovens § 22)",
        PartRefusalBasis.OTHERS_RIGHTS: "Andres rettigheder og frihedsrettigheder (art. 15, stk. 4, og art. 20, stk. 4)",
    },
    RequestType: {kind: _first_upper(text) for kind, text in TYPE_DA.items()},
    Channel: {channel: _first_upper(text) for channel, text in CHANNEL_DA.items()},
    Representation: {Representation.POWER_OF_ATTORNEY: "Med fuldmagt",
                     Representation.PARENTAL_AUTHORITY: "Som forælder med forældremyndighed (barn under 18)"},
    RestrictionGround: {
        RestrictionGround.ACCURACY_CONTESTED: "Personen bestrider oplysningernes rigtighed (art. 18, stk. 1, litra a)",
        RestrictionGround.UNLAWFUL_OPPOSES_ERASURE: "Behandlingen er ulovlig, men personen vil have begrænsning i "
                                                    "stedet for sletning (litra b)",
        RestrictionGround.LEGAL_CLAIMS: "Vi har ikke brug for oplysningerne, men personen har brug for dem til et "
                                        "retskrav (litra c)",
        RestrictionGround.OBJECTION_PENDING: "Personen har gjort indsigelse, som vi vurderer (litra d)",
    },
    ThirdPartyGround: {
        ThirdPartyGround.CONSENT: "Den anden person har givet samtykke",
        ThirdPartyGround.REQUESTERS_OWN: "Oplysningen er også en oplysning om den registrerede selv",
        ThirdPartyGround.NO_HARM: "Vurderet: udleveringen krænker ikke den anden persons rettigheder",
    },
}

YES, NO, UNKNOWN = "Ja", "Nej", "Ved ikke"
CHOOSE = "Vælg"  # the empty first option of a required choice: nothing is chosen for the person
NOT_GIVEN = "Ikke angivet"  # the empty option of an optional choice
NONE_KNOWN = "Ingen"  # the box that says an optional list is known to be empty

# Messages for the models' own rules (model validators), which speak English to developers. Matched by the
# model (or a base class), the field the message names, and a piece of the English message.
RULES_DA: list[tuple[str, str, str, str]] = [
    ("Contain", "stopped_systems", "", "Skriv hvilke it-systemer der er stoppet, når et system er stoppet."),
    ("RequestSupplierAccounts", "suppliers", "unique", "Hver leverandør må kun stå én gang."),
    ("AssessNotification", "no_risk_documentation", "requires",
     "Udfyld dokumentationen, når bruddet vurderes til ingen risiko."),
    ("AssessNotification", "no_risk_documentation", "only given",
     "Dokumentationen udfyldes kun, når bruddet vurderes til ingen risiko."),
    ("BreachFacts", "ended_at", "", "Kan ikke ligge før tidspunktet, hvor bruddet startede."),
    ("NoRiskDocumentation", "ended_at", "", "Kan ikke ligge før tidspunktet, hvor bruddet startede."),
    ("CoDecide", "comments", "", "Skriv hvorfor du er uenig."),
    ("Review", "comments", "", "En afvisning skal sige, hvad der skal ændres."),
    ("DecideCommunication", "exception", "",
     "En undtagelse efter artikel 34, stk. 3, gælder kun, når de berørte ikke underrettes."),
    ("ReviewPostponement", "next_review_at", "", "Angiv næste vurdering, når udsættelsen fortsætter."),
    ("PlanCommunication", "release_with", "",
     "Planen sendes ud med anmeldelsen til Datatilsynet eller med underretningen af de berørte."),
    ("VerifyIdentity", "reply_to_reason", "", "En anden svaradresse end den bekræftede skal begrundes."),
    ("VerifyIdentity", "transfer_confirmation", "",
     "Udfyld både den nye dataansvarliges adresse og hvordan den blev bekræftet, eller ingen af dem."),
    # The intake rules of a request (RequestInput); a more specific piece of message before the general one.
    ("RequestInput", "identifiers", "parent acting for a child",
     "En forælder, der anmoder for et barn, angiver barnets oplysninger (fx elevnummer), ikke sin egen "
     "e-mailadresse."),
    ("RequestInput", "identifiers", "", "Personen kan kun findes ved de slags oplysninger, systemerne kender."),
    ("RequestInput", "corrections", "at least one",
     "En anmodning om berigtigelse skal angive mindst én rettelse eller supplerende erklæring."),
    ("RequestInput", "corrections", "",
     "En rettelse skal angive et system, en tabel og en kolonne med oplysninger, som fortegnelsen kender."),
    ("RequestInput", "statements", "unknown system", "Erklæringen skal høre til et system i fortegnelsen."),
    ("RequestInput", "statements", "", "En supplerende erklæring hører til en anmodning om berigtigelse."),
    ("RequestInput", "restriction_ground", "only", "Kun en anmodning om begrænsning har et grundlag for begrænsning."),
    ("RequestInput", "restriction_ground", "", "Vælg hvilket grundlag i art. 18, stk. 1, der gælder."),
    ("RequestInput", "objection_direct_marketing", "", "Kun en indsigelse kan gælde direkte markedsføring."),
    ("RequestInput", "objection_processing", "", "Skriv hvilken behandling personen gør indsigelse mod."),
    ("RequestInput", "further_copy_of", "",
     "En yderligere kopi hører til en anmodning om indsigt og henviser til en tidligere anmodning."),
    ("RequestInput", "subject_age", "", "Forældremyndighed gælder et barn under 18: angiv barnets alder."),
    ("RequestInput", "transfer_to", "", "Kun ved dataportabilitet sendes oplysningerne til en ny dataansvarlig."),
]
# NoRiskDocumentation names the missing fields without a prefix: each gets this message.
UNAUTHORISED_NEEDS_DA = "Skal udfyldes, når oplysningerne er kommet til uvedkommende."
RULE_FALLBACK_DA = "Passer ikke med de øvrige svar; tjek felterne."
