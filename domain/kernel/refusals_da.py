"""Why an action was refused, in Danish, for the people in the workspace (the English text stays for logs).

Keyed by the guard's name in the procedure tables; a test checks every guard that can refuse has its text.
"""

from __future__ import annotations

GUARD_DA: dict[str, str] = {
    # breaches
    "high_risk_has_art34_ground": "Risikoen er høj, så de registrerede skal underrettes, medmindre der er et grundlag "
                                  "i artikel 34, stk. 3, og det dokumenteres, hvad der viser det.",
    "art34_evidence_given": "En uforholdsmæssig stor indsats (artikel 34, stk. 3, litra c) skal dokumenteres. Derefter "
                            "udarbejdes en offentlig meddelelse, som databeskyttelsesrådgiveren godkender.",
    "public_notice_publication_recorded": "Angiv, hvor og hvornår den offentlige meddelelse blev offentliggjort.",
    "review_date_ahead": "En udsættelse efter databeskyttelseslovens § 22 skal vurderes igen: vælg en dato efter i dag "
                         "og højst 30 dage frem.",
    "next_review_ahead": "En fortsat udsættelse skal have en ny dato for vurdering efter i dag og højst 30 dage frem.",
    "plan_not_yet_released": "Kommunikationsplanen er allerede sendt ud sammen med underretningen. Registrér nye "
                             "meddelelser som opfølgning.",
    "plan_goes_with_a_notification_still_to_come": "Planen sendes ud samtidig med den underretning, den hører til, "
                                                   "men den er allerede sendt eller bliver ikke sendt.",
    "reviewer_is_not_author": "Fire øjne: den, der har skrevet udkastet, kan ikke selv godkende det, uanset roller.",
    "co_decider_is_not_proposer": "Et nej besluttes af to personer: den, der har foreslået det, kan ikke også "
                                  "medbeslutte det.",
    "facts_recorded": "Registrér fakta om bruddet (type, kategorier, antal, systemer) før dette trin.",
    "suppliers_not_yet_asked": "En leverandør med det navn er allerede bedt om en redegørelse.",
    "supplier_account_outstanding": "Der er ingen udestående anmodning til en leverandør med det navn.",
    "is_controller": "Organisationen er databehandler i denne sag: den dataansvarlige skal underrettes om ethvert "
                     "brud uden unødig forsinkelse, og risikovurderingen og underretningen af de registrerede er den "
                     "dataansvarliges.",
    "notification_complete": "Anmeldelsen mangler oplysninger, som artikel 33, stk. 3, kræver: sandsynlige "
                             "konsekvenser, trufne og foreslåede foranstaltninger, og hvad der endnu ikke er kendt.",
    "follows_proposal_or_says_why": "Beslutningen afviger fra forslaget i risikovurderingen. Skriv hvorfor; "
                                    "begrundelsen gemmes sammen med forslaget.",
    "late_notification_has_reasons": "Fristen på 72 timer er overskredet: anmeldelsen skal begrunde forsinkelsen "
                                     "(artikel 33, stk. 1).",
    "authority_notified_or_dpo_override": "Datatilsynet er ikke underrettet, så de registrerede underrettes ikke, "
                                          "medmindre databeskyttelsesrådgiveren beslutter det med en begrundelse.",
    "authority_notified": "Der er ingen første anmeldelse at følge op på (artikel 33, stk. 4).",
    "follow_up_recipient_notified": "Den modtager har ikke fået en første underretning i denne sag.",
    # requests
    "method_fits": "Den valgte måde at fastslå identiteten på passer ikke til anmodningen.",
    "child_maturity_assessed": "For et barn under 18 år: vurdér, om barnet selv kan modtage oplysningerne.",
    "address_verified": "Angiv den adresse, kontrollen har bekræftet. Svaret sendes kun dertil.",
    "transfer_confirmation_fits": "Den bekræftede adresse skal være den nye dataansvarliges adresse fra anmodningen.",
    "not_direct_marketing": "En indsigelse mod direkte markedsføring er ubetinget (artikel 21, stk. 3) og kan ikke "
                            "afvises.",
    "refusal_ground_fits": "Identiteten er allerede bekræftet, så det kan ikke være grunden til afvisningen.",
    "no_fee_instead": "Der er allerede opkrævet et gebyr, fordi anmodningen er åbenbart grundløs eller overdreven; "
                      "artikel 12, stk. 5, tillader enten et gebyr eller en afvisning, ikke begge.",
    "fee_ground_fits": "Et gebyr kræver et grundlag: en åbenbart grundløs eller overdreven anmodning, eller yderligere "
                       "kopier ved indsigt (artikel 12, stk. 5, og artikel 15, stk. 3).",
    "no_fee_yet": "Der er allerede besluttet et gebyr for denne anmodning.",
    "not_refused": "Anmodningen er afvist; artikel 12, stk. 5, tillader enten et gebyr eller en afvisning, ikke begge.",
    "part_basis_fits": "Det retsgrundlag begrænser ikke denne type anmodning.",
    "part_known": "Den del findes ikke i anmodningen.",
    "part_not_yet_refused": "Den del er allerede afvist.",
    "part_not_yet_acted": "Det er for sent at afvise en del: systemerne er allerede i gang, eller udtrækket er skrevet.",
    "part_leaves_something": "Det ville afvise hele anmodningen. En delvis afvisning skal efterlade en del, der "
                             "gennemføres; brug ellers afvisning af hele anmodningen.",
    "gives_a_copy": "Oplysninger om andre personer besluttes for et udtræk ved indsigt eller dataportabilitet, før "
                    "det skrives.",
    "third_party_column": "Feltet indeholder ikke oplysninger om andre personer.",
    "not_yet_released": "Feltet er allerede frigivet.",
    "manual_task_open": "Der er ingen åben manuel opgave for det system.",
    "all_systems_done": "Ikke alle systemer har meldt tilbage endnu.",
    "not_yet_extended": "Fristen er allerede forlænget én gang.",
    "within_first_month": "En forlængelse skal besluttes og meddeles inden for den første måned (artikel 12, stk. 3).",
}
