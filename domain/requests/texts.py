"""What a data-subject request sends, in Danish: receipts, questions, tasks, the answer letter."""

from __future__ import annotations

from decimal import Decimal

from domain.kernel.deadlines import format_da
from domain.requests.machine import STATE_INFO, RequestState
from domain.requests.model import (
    CHANNEL_DA,
    FEE_GROUND_DA,
    ON_BEHALF_DA,
    PART_REFUSAL_BASIS_DA,
    RESTRICTION_GROUND_DA,
    THIRD_PARTY_GROUND_DA,
    THIRD_PARTY_REDACTED,
    FeeGround,
    RefusalGround,
    RequestCase,
    RequestType,
    SupplementaryStatement,
    SystemResult,
    TYPE_DA,
    answered_systems,
    third_party_columns,
)
from domain.requests.inventory import LEGAL_BASIS_DA, Recipient, System, words
from domain.kernel.mail import SIGNATURE, OutgoingMail, workspace_link

DATATILSYNET = "Datatilsynet, Carl Jacobsens Vej 35, 2500 Valby, dt@datatilsynet.dk, www.datatilsynet.dk"
REFUSAL_DA = {
    RefusalGround.IDENTITY_NOT_ESTABLISHED: "vi har ikke kunnet fastslå din identitet (art. 12, stk. 2 og 6)",
    RefusalGround.MANIFESTLY_UNFOUNDED: "anmodningen er åbenbart grundløs (art. 12, stk. 5)",
    RefusalGround.EXCESSIVE: "anmodningen er overdreven, navnlig fordi den gentages (art. 12, stk. 5)",
}
FEE_ARTICLE_DA = {
    FeeGround.MANIFESTLY_UNFOUNDED: "åbenbart grundløs anmodning, art. 12, stk. 5, litra a",
    FeeGround.EXCESSIVE: "overdreven anmodning, art. 12, stk. 5, litra a",
    FeeGround.FURTHER_COPY: "yderligere kopi, art. 15, stk. 3",
}
COMPLAINT_AND_COURTS_DA = ("Du kan klage over afslaget til Datatilsynet og indbringe det for domstolene "
                           "(art. 12, stk. 4).")


def format_dkk(amount: Decimal) -> str:
    """Danish notation: 1.250,00 kr."""
    whole, _, cents = f"{amount:,.2f}".partition(".")
    return f"{whole.replace(',', '.')},{cents} kr."


# Requesters and outside recipients read these mails: a case number to quote, no command hints.
RIGHTS_DA = (
    "Du har ret til indsigt, berigtigelse, sletning, begrænsning af behandlingen, dataportabilitet og til at "
    "gøre indsigelse (art. 15-21). Du kan klage til " + DATATILSYNET + "."
)


def _mail(case: RequestCase, step: str, to: list[str], subject: str, body: str,
          attachments: list[str] | None = None, *, internal: bool = False) -> OutgoingMail:
    """`internal`: every recipient is one of the organisation's own people; only then the workspace link.

    Mails the requester, a recipient (art. 19) or a new controller reads, and mails that go to the
    requester and the key person together, are never internal.
    """
    sign = SIGNATURE.format(org=case.inp.policy.organisation_name, case_id=case.request_id)
    link = request_link(case) if internal else ""
    return OutgoingMail(key=f"{case.request_id}.{step}", case_id=case.request_id, to=sorted(set(to)),
                        subject=f"[{case.request_id}] {subject}", body=(body.rstrip("\n") + link if link else body)
                        + sign, attachments=attachments or [])


def request_link(case: RequestCase) -> str:
    return workspace_link(case.inp.policy.workspace_url, f"/anmodning/{case.request_id}", "anmodningen")


def _responsible(case: RequestCase) -> list[str]:
    return [case.inp.policy.responsible.email, case.inp.policy.dpo.email]


def _step_da(case: RequestCase) -> str:
    return STATE_INFO[RequestState(case.state)].task_da  # the procedure's own task, in words


ART19_TYPES = (RequestType.RECTIFICATION, RequestType.ERASURE, RequestType.RESTRICTION)
DONE_DA = {RequestType.RECTIFICATION: "berigtiget", RequestType.ERASURE: "slettet",
           RequestType.RESTRICTION: "begrænset behandlingen af"}
PASSWORD_SEPARATELY_DA = (
    "Bilaget er krypteret (AES-256). Adgangskoden sender vi ikke pr. e-mail: du får den ad en anden vej, "
    "ved en opringning eller en SMS til det telefonnummer, vi har bekræftet, eller personligt.")


def answer_address(case: RequestCase) -> str | None:
    """Where the answer may go: the verified e-mail, or another address confirmed with a reason.

    None means the answer goes by letter to the verified postal address. A case opened by
    older code (legacy) has no verified address and keeps answering the address typed at intake.
    """
    if case.reply_to is not None:
        return case.reply_to
    if case.verified_email is not None:
        return case.verified_email
    if case.legacy or case.verified_at is None:
        return case.inp.requester.email  # legacy, or a refusal before identity was established: no data in it
    return None


def _to_requester(case: RequestCase) -> list[str]:
    address = answer_address(case)
    return [address] if address else [case.inp.policy.responsible.email]


def statements_for(case: RequestCase, system_id: str) -> list[SupplementaryStatement]:
    return [s for s in case.inp.statements if s.system_id == system_id]


def changed(result: SystemResult) -> bool:
    return any(t.deleted or t.changes or t.flagged for t in result.tables) or bool(result.manual_result)


def receipt(case: RequestCase) -> OutgoingMail:
    body = (f"Kære {case.inp.requester.name}\n\nVi har modtaget din anmodning om {TYPE_DA[case.type]} "
            f"den {format_da(case.inp.received_at)}.\nVi svarer senest {format_da(case.deadline)} "
            "(art. 12, stk. 3). Før vi udleverer, retter eller sletter oplysninger, sikrer vi os din identitet.\n"
            "Det koster ikke noget at få svar (art. 12, stk. 5).")
    if case.inp.further_copy_of is not None:
        body += ("\nDu har tidligere fået en kopi af dine oplysninger. For yderligere kopier kan vi opkræve et "
                 "rimeligt gebyr baseret på de administrative omkostninger (art. 15, stk. 3); gør vi det, får du "
                 "besked om beløbet og begrundelsen, før vi svarer.")
    return _mail(case, "receipt", [case.inp.requester.email], "Vi har modtaget din anmodning", body)


def new_request(case: RequestCase) -> OutgoingMail:
    body = (f"Ny anmodning om {TYPE_DA[case.type]} via {CHANNEL_DA[case.inp.channel]}.\n"
            f"Frist: {format_da(case.deadline)}\nFørste skridt: verificér identiteten, og notér den adresse, "
            "kontrollen bekræftede; svaret sendes kun dertil.")
    return _mail(case, "new", _responsible(case), f"Ny anmodning: {TYPE_DA[case.type]}", body, internal=True)


def information_request(case: RequestCase, needed: str, number: int, reminder: int = 0) -> OutgoingMail:
    prefix = "Påmindelse: " if reminder else ""
    body = (f"Kære {case.inp.requester.name}\n\nFor at kunne behandle din anmodning har vi brug for:\n{needed}\n\n"
            f"Svar venligst til {case.inp.policy.responsible.email}.")
    step = f"information-{number}" + (f".reminder-{reminder}" if reminder else "")
    return _mail(case, step, [case.inp.requester.email], prefix + "Vi mangler oplysninger", body)


def owner_task(case: RequestCase, system: System, reminder: int = 0) -> OutgoingMail:
    identifiers = ", ".join(f"{k}={v}" for k, v in sorted(case.inp.identifiers.items()))
    body = (f"Kære {system.owner.name}\n\nAnmodning om {TYPE_DA[case.type]} fra en registreret skal udføres i "
            f"{system.name}.\nPersonen findes ved: {identifiers}\n\nVejledning: "
            f"{system.connector.instructions if system.connector.kind == 'manual' else '-'}\n\n"
            f"Frist for svaret til den registrerede: {format_da(case.deadline)}.\n{record_task_da(case, system.id)}")
    statements = statements_for(case, system.id)
    if statements:
        body += ("\n\nDen registrerede har afgivet en supplerende erklæring, som skal tilføjes personens "
                 "oplysninger i systemet (art. 16):\n" + "\n".join(f"  \"{s.statement}\"" for s in statements))
    step = f"task-{system.id}" + (f".reminder-{reminder}" if reminder else "")
    return _mail(case, step, [system.owner.email], ("Påmindelse: " if reminder else "") + f"Opgave i {system.name}",
                 body, internal=True)


def task_link(case: RequestCase, system_id: str) -> str | None:
    """The task's page in the web workspace, when the request knows the workspace's address."""
    base = case.inp.policy.workspace_url
    return f"{base}/anmodning/{case.request_id}/opgave/{system_id}" if base else None


def record_task_da(case: RequestCase, system_id: str) -> str:
    link = task_link(case, system_id)
    if link is None:
        return "Registrér i sagen, hvad du har fundet og gjort, når opgaven er udført."
    return f"Registrér hvad du har fundet og gjort, når opgaven er udført, på opgavens side:\n{link}"


def statement_task(case: RequestCase, system: System) -> OutgoingMail:
    """Art. 16: the system's data are corrected automatically; the owner adds the person's statement."""
    lines = "\n".join(f"  \"{s.statement}\"" for s in statements_for(case, system.id))
    body = (f"Kære {system.owner.name}\n\nEn registreret ({case.inp.subject_name}) har afgivet en supplerende "
            f"erklæring, som skal tilføjes personens oplysninger i {system.name} (art. 16):\n{lines}\n\n"
            f"Frist: {format_da(case.deadline)}.")
    return _mail(case, f"statement-{system.id}", [system.owner.email], f"Supplerende erklæring til {system.name}",
                 body, internal=True)


def _what_changed(case: RequestCase, result: SystemResult) -> list[str]:
    table_da = case.inp.inventory.system(result.system_id).table_da
    if case.type is RequestType.RECTIFICATION:
        return [f"  - {table_da(t.table)}, {words(c['column'])}: ny værdi '{c['after']}'"
                for t in result.tables for c in t.changes]
    if case.type is RequestType.ERASURE:
        return [f"  - {table_da(t.table)}: {t.deleted} registrering(er) slettet" for t in result.tables if t.deleted]
    return [f"  - {table_da(t.table)}: {t.flagged} registrering(er) begrænset til opbevaring" for t in result.tables
            if t.flagged]


def recipient_notice(case: RequestCase, system: System, result: SystemResult, recipient: Recipient,
                     number: int) -> OutgoingMail:
    """Art. 19: a recipient of the data is told what changed, so it can do the same."""
    assert recipient.email is not None
    details = _what_changed(case, result) or [f"  - {result.manual_result or 'se vores sag'}"]
    body = (f"Til {recipient.name}\n\n{case.inp.policy.organisation_name} har {DONE_DA[case.type]} "
            f"personoplysninger om {case.inp.subject_name} i {system.name}, som I tidligere har modtaget fra os:\n"
            + "\n".join(details) + "\n\nVi beder jer gøre det samme i jeres systemer (databeskyttelsesforordningens "
            f"art. 19). Spørgsmål: {case.inp.policy.responsible.name}, {case.inp.policy.responsible.email}.")
    return _mail(case, f"art19-{system.id}-{number}", [recipient.email],
                 "Underretning om ændrede personoplysninger (art. 19)", body)


def recipient_task(case: RequestCase, system: System, result: SystemResult, recipient: Recipient,
                   number: int) -> OutgoingMail:
    """Art. 19 without an address for the recipient: the system owner tells them."""
    details = _what_changed(case, result) or [f"  - {result.manual_result or 'se sagen'}"]
    body = (f"Kære {system.owner.name}\n\nVi har {DONE_DA[case.type]} personoplysninger om {case.inp.subject_name} "
            f"i {system.name}:\n" + "\n".join(details) + f"\n\n{recipient.name} har modtaget oplysningerne, og vi "
            "har ingen e-mailadresse til dem. Giv dem besked om ændringen, så de kan gøre det samme (art. 19), "
            f"og fortæl {case.inp.policy.responsible.name} ({case.inp.policy.responsible.email}), når det er sket.")
    return _mail(case, f"art19-{system.id}-{number}", [system.owner.email],
                 f"Opgave: underret {recipient.name} (art. 19)", body, internal=True)


def export_password(case: RequestCase) -> OutgoingMail:
    """To the key person; the mail activity adds the password itself, so it never enters history."""
    phone = (f"telefonnummeret {case.verified_phone}, som blev bekræftet ved identitetskontrollen"
             if case.verified_phone else "et telefonnummer, I selv har bekræftet (ikke et nummer fra anmodningen)")
    body = (f"Svaret på anmodningen om {TYPE_DA[case.type]} er sendt med et krypteret bilag. Giv adgangskoden til "
            f"den registrerede ad en anden vej end e-mail: ring eller send en SMS til {phone}, eller giv den "
            "personligt. Send den aldrig pr. e-mail, og skriv den ikke i sagen.")
    if case.type is RequestType.PORTABILITY and case.inp.transfer_to and case.transfer_confirmed:
        body += (f"\n\nDen nye dataansvarlige ({case.inp.transfer_to}) har fået samme bilag og skal også have "
                 "adgangskoden: ring til den kontaktperson, hvis adresse blev bekræftet.")
    return _mail(case, "export-password", [case.inp.policy.responsible.email],
                 "Adgangskode til bilaget – gives videre ad en anden vej", body, internal=True)



def answer_for_review(case: RequestCase, version: int, text: str) -> OutgoingMail:
    address = answer_address(case)
    destination = (f"e-mail til {address}" + (" (anden svaradresse, bekræftet)" if case.reply_to else "")
                   if address else f"brev til {case.verified_postal_address}")
    body = (f"Svar {version} på anmodningen venter på din godkendelse.\nSendes som {destination}, den adresse "
            f"identitetskontrollen bekræftede.\n\n{text}")
    return _mail(case, f"answer-v{version}-review", [case.inp.policy.dpo.email],
                 f"Til godkendelse: svar {version} på anmodning om {TYPE_DA[case.type]}", body, internal=True)


def answer_rejected(case: RequestCase, version: int, comments: str) -> OutgoingMail:
    return _mail(case, f"answer-v{version}-rejected", [case.inp.policy.responsible.email],
                 f"Svar {version} er afvist af DPO", f"Kommentarer:\n{comments}\n", internal=True)


def final_answer(case: RequestCase, text: str, attachments: list[str]) -> OutgoingMail:
    """Only to the verified address; without a verified e-mail, the key person posts it to the verified address."""
    subject = f"Svar på din anmodning om {TYPE_DA[case.type]}"
    if answer_address(case) is None:
        text = (f"SEND MED POST til den verificerede adresse: {case.verified_postal_address}\n"
                "Bilag lægges på et krypteret medie; adgangskoden gives ad en anden vej.\n\n" + text)
        subject = "Til postforsendelse: " + subject
    return _mail(case, "answer", _to_requester(case), subject, text, attachments)


def transfer(case: RequestCase, attachments: list[str]) -> OutgoingMail:
    assert case.inp.transfer_to is not None
    body = (f"Efter anmodning fra den registrerede ({case.inp.subject_name}) overfører "
            f"{case.inp.policy.organisation_name} hermed personoplysninger i et struktureret, almindeligt anvendt "
            "og maskinlæsbart format (art. 20, stk. 2). Se vedhæftede arkiv og dets manifest.\n"
            "Arkivet er krypteret (AES-256). Adgangskoden får I ikke pr. e-mail, men ved en telefonopringning "
            f"fra {case.inp.policy.responsible.name}.")
    return _mail(case, "transfer", [case.inp.transfer_to], "Overførsel af personoplysninger (art. 20)", body,
                 attachments)


def extension(case: RequestCase) -> OutgoingMail:
    body = (f"Kære {case.inp.requester.name}\n\nVi forlænger fristen for at besvare din anmodning med to måneder "
            f"til {format_da(case.deadline)} (art. 12, stk. 3).\nBegrundelse: {case.extension_reasons}")
    return _mail(case, "extension", [*_to_requester(case), *_responsible(case)], "Fristen forlænges", body)


def fee_notice(case: RequestCase) -> OutgoingMail:
    """The person learns of a fee, its ground and amount when it is decided, not only with the answer."""
    assert case.fee is not None
    body = (f"Kære {case.inp.requester.name}\n\n" + "\n".join(_fee_lines(case)) + "\n\n"
            "Du kan klage over beslutningen til " + DATATILSYNET + " og indbringe den for domstolene "
            "(art. 12, stk. 4).")
    return _mail(case, "fee", _to_requester(case), "Gebyr for din anmodning", body)


def _fee_lines(case: RequestCase) -> list[str]:
    if case.fee is None:
        return ["Det koster ikke noget at få dette svar (art. 12, stk. 5)."]
    fee = case.fee
    return [f"Vi opkræver et gebyr på {format_dkk(fee.amount_dkk)} for at besvare din anmodning, fordi "
            f"{FEE_GROUND_DA[fee.ground]}",
            f"Begrundelse: {fee.reasons}",
            f"Beløbet er beregnet ud fra de administrative omkostninger: {fee.cost_basis}"]


def deadline_reminder(case: RequestCase, days: int) -> OutgoingMail:
    body = f"Påmindelse: svaret skal være sendt senest {format_da(case.deadline)} (om {days} dage). Trin: {_step_da(case)}."
    return _mail(case, f"reminder-{days}d{'-ext' if case.extended else ''}", _responsible(case),
                 f"Frist om {days} dage", body, internal=True)


def escalation(case: RequestCase) -> OutgoingMail:
    body = (f"ESKALERING: fristen for at besvare anmodningen om {TYPE_DA[case.type]} udløb "
            f"{format_da(case.deadline)}. Trin: {_step_da(case)}.")
    return _mail(case, f"escalation{'-ext' if case.extended else ''}",
                 [*case.inp.policy.management_emails, *_responsible(case)], "ESKALERING: frist overskredet", body,
                 internal=True)


def restriction_lifted(case: RequestCase, reasons: str) -> OutgoingMail:
    body = (f"Kære {case.inp.requester.name}\n\nBegrænsningen af behandlingen af dine oplysninger ophæves "
            f"(art. 18, stk. 3).\nBegrundelse: {reasons}\n\n{RIGHTS_DA}")
    return _mail(case, "restriction-lifted", _to_requester(case), "Begrænsningen ophæves", body)


# --- the answer letter --------------------------------------------------------------------------


def _system_information(system: System) -> list[str]:
    recipients = "; ".join(
        r.name + (f" (tredjeland: {r.third_country}, {r.safeguard or 'grundlag ikke angivet'})" if r.third_country else "")
        for r in system.recipients) or "ingen"
    return [
        f"  Formål: {', '.join(system.purposes)}",
        f"  Kategorier: {', '.join(system.data_categories)}",
        f"  Retsgrundlag: {LEGAL_BASIS_DA[system.legal_basis]}",
        f"  Modtagere: {recipients}",
        f"  Opbevaring: {system.retention}",
        f"  Kilde: {system.source}",
        f"  Automatiske afgørelser, herunder profilering: {system.automated_decisions or 'ingen'}",
    ]


def _rows(result: SystemResult, system: System) -> list[str]:
    lines = []
    for table in result.tables:
        for row in table.rows:
            values = ", ".join(f"{words(k)}: {v}" for k, v in row.items())
            lines.append(f"  - {system.table_da(table.table)}: {values}")
    if result.manual_result:
        lines.append(f"  - {result.manual_result}")
    return lines or ["  - ingen oplysninger fundet"]


def _counts(result: SystemResult, system: System) -> list[str]:
    """What was found, without the values: those travel only in the encrypted attachment."""
    lines = [f"  - {system.table_da(t.table)}: {len(t.rows)} registrering(er)" for t in result.tables if t.rows]
    if result.manual_result:
        lines.append(f"  - {result.manual_result}")
    return lines or ["  - ingen oplysninger fundet"]


def _art19(case: RequestCase) -> list[str]:
    if case.legacy:
        names = sorted({r.name for sys in case.inp.inventory.systems for r in sys.recipients
                        if any(res.system_id == sys.id and changed(res) for res in case.systems)})
        return ["", "Modtagere, som vi underretter om ændringen (art. 19): " + ", ".join(names) + "."] if names else []
    told = sorted(set(case.recipients_notified) | set(case.recipients_via_owner))
    if not told:
        return ["", "Ingen andre har modtaget de ændrede oplysninger fra os, så der er ingen at underrette (art. 19)."]
    return ["", "Vi har underrettet disse modtagere af dine oplysninger om ændringen, så de kan gøre det samme "
                "(art. 19): " + ", ".join(told) + "."]


def _where(case: RequestCase, system_id: str, table: str) -> str:
    """A table as the letter names it: the system's name and the table in words."""
    system = case.inp.inventory.system(system_id)
    return f"{system.name}, {system.table_da(table)}"


def _portability_exclusions(case: RequestCase) -> list[str]:
    excluded = []
    for system in case.inp.inventory.systems:
        if system.portable_tables():
            continue
        why = ("behandles ikke automatisk (papir eller manuel registrering)" if system.connector.kind != "sql"
               else f"behandles på grundlag af {LEGAL_BASIS_DA[system.legal_basis]}")
        excluded.append(f"  - {system.name}: {why}")
    if not excluded:
        return []
    return ["", "Retten til dataportabilitet gælder kun oplysninger, du selv har givet os, og som vi behandler "
                "automatisk på grundlag af dit samtykke eller en kontrakt (art. 20, stk. 1). Derfor er disse "
                "oplysninger ikke med i filen; en myndighedsopgave er udtrykkeligt undtaget (art. 20, stk. 3):",
            *excluded, "Du kan altid få indsigt i dem (art. 15)."]


def _body_for_type(case: RequestCase) -> list[str]:
    inventory = case.inp.inventory
    lines: list[str] = []
    if case.type is RequestType.ACCESS:
        lines.append("Vi behandler følgende oplysninger om dig (art. 15):")
        for result in (case.systems if case.legacy else answered_systems(case)):
            system = inventory.system(result.system_id)
            found = _rows(result, system) if case.legacy else _counts(result, system)
            lines += ["", f"{system.name}:", *_system_information(system), "  Oplysninger:", *found]
        if case.legacy:
            lines += ["", "Oplysningerne er også vedhæftet i et maskinlæsbart format (JSON)."]
        else:
            lines += ["", "Selve oplysningerne står i det vedhæftede bilag i et maskinlæsbart format (JSON), så de "
                          "ikke ligger åbent i e-mailen.", PASSWORD_SEPARATELY_DA]
            lines += _third_parties(case)
    elif case.type is RequestType.PORTABILITY:
        lines.append("Vedhæftet er dine oplysninger i et struktureret, almindeligt anvendt og maskinlæsbart format "
                     "(JSON og CSV pr. system, med et manifest), jf. art. 20.")
        if case.legacy:
            if case.inp.transfer_to:
                lines.append(f"Efter dit ønske er oplysningerne også overført til {case.inp.transfer_to}.")
            return lines
        lines.append(PASSWORD_SEPARATELY_DA)
        if case.inp.transfer_to and case.transfer_confirmed:
            lines.append(f"Efter dit ønske er oplysningerne også overført til {case.inp.transfer_to}.")
        elif case.inp.transfer_to:
            lines.append(f"Vi har ikke overført oplysningerne til {case.inp.transfer_to}, fordi vi ikke har kunnet "
                         "bekræfte, at adressen tilhører den nye dataansvarlige. Kontakt os, hvis de skal overføres.")
        lines += _portability_exclusions(case)
        lines += _third_parties(case)
    elif case.type is RequestType.RECTIFICATION:
        lines.append("Vi har berigtiget følgende oplysninger (art. 16):")
        for result in case.systems:
            for table in result.tables:
                for change in table.changes:
                    lines.append(f"  - {_where(case, result.system_id, table.table)}, {words(change['column'])}: "
                                 f"'{change['before']}' → '{change['after']}'")
        if case.inp.statements:
            lines += ["", "Din supplerende erklæring er givet til ejeren af systemet og tilføjes dine oplysninger "
                          "(art. 16):"]
            lines += [f"  - {inventory.system(st.system_id).name}: \"{st.statement}\"" for st in case.inp.statements]
        lines += _art19(case)
    elif case.type is RequestType.ERASURE:
        results = case.systems if case.legacy else answered_systems(case)
        erased = [f"  - {_where(case, r.system_id, t.table)}: {t.deleted} registrering(er)"
                  for r in results for t in r.tables if t.deleted]
        kept = [f"  - {_where(case, r.system_id, t.table)}: {t.kept} registrering(er) – {t.kept_reason}"
                for r in results for t in r.tables if t.kept]
        manual = [f"  - {inventory.system(r.system_id).name}: {r.manual_result}"
                  + (f" (ikke slettet: {r.kept_reason})" if r.kept_reason else "") for r in results if r.manual]
        lines += ["Vi har slettet (art. 17):", *(erased or ["  - intet"]), *manual]
        if kept:
            lines += ["", "Vi har ikke slettet følgende, og hvorfor:", *kept,
                      "Oplysninger, der er indsamlet på grundlag af dit samtykke, er slettet, medmindre en pligt til at "
                      "opbevare dem er nævnt ovenfor."]
        lines += _art19(case)
    elif case.type is RequestType.RESTRICTION:
        flagged = [f"  - {_where(case, r.system_id, t.table)}: {t.flagged} registrering(er)"
                   for r in case.systems for t in r.tables if t.flagged]
        if case.inp.restriction_ground is not None:
            lines += [f"Grundlaget for begrænsningen: {RESTRICTION_GROUND_DA[case.inp.restriction_ground]}.", ""]
        lines += ["Behandlingen af dine oplysninger er nu begrænset til opbevaring (art. 18) i:", *(flagged or ["  - -"]),
                  "Vi orienterer dig, før begrænsningen ophæves (art. 18, stk. 3)."]
        lines += _art19(case)
    elif case.type is RequestType.OBJECTION:
        if case.objection_decision:
            lines.append(f"Vi har taget din indsigelse til følge og er ophørt med behandlingen: "
                         f"{case.inp.objection_processing} (art. 21).")
            if case.inp.objection_direct_marketing:
                lines.append("Når du gør indsigelse mod direkte markedsføring, må oplysningerne ikke længere "
                             "behandles til det formål (art. 21, stk. 3).")
        else:
            lines += [f"Vi kan ikke imødekomme din indsigelse mod: {case.inp.objection_processing}.",
                      f"Begrundelse (vægtige legitime grunde, art. 21, stk. 1): {case.objection_reasons}"]
    return lines


def _third_parties(case: RequestCase) -> list[str]:
    """Art. 15(4): what about other persons was left out of the attachment, or why it is given."""
    columns = third_party_columns(case)
    left_out = [f"  - {case.inp.inventory.system(c.system_id).name}: {c.label}" for c in columns if c.release is None]
    given = [f"  - {case.inp.inventory.system(c.system_id).name}: {c.label}, fordi "
             f"{THIRD_PARTY_GROUND_DA[c.release.ground]}. {c.release.reasons}" for c in columns if c.release]
    lines: list[str] = []
    if left_out:
        lines += ["", "Oplysninger om andre personer er udeladt af bilaget og erstattet af teksten "
                      f"\"{THIRD_PARTY_REDACTED}\". Retten til at få en kopi må ikke krænke andres rettigheder og "
                      "frihedsrettigheder (databeskyttelsesforordningens art. 15, stk. 4). Det gælder:", *left_out]
    if given:
        lines += ["", "Bilaget indeholder også oplysninger om en anden person. Vi giver dem til dig, og hvorfor:",
                  *given]
    return lines


def _refused_parts(case: RequestCase) -> list[str]:
    """A partial refusal: each refused part with its reason and legal basis; the rest is above."""
    if not case.refused_parts:
        return []
    inventory = case.inp.inventory
    lines = ["", "Vi har imødekommet din anmodning delvist: ovenfor står, hvad vi har gjort. Disse dele af din "
                 "anmodning har vi afslået:"]
    for part in case.refused_parts:
        system = inventory.system(part.system_id)
        where = system.name + (f", {system.table_da(part.table)}" if part.table else "")
        lines += [f"  - {where}: {part.reasons}", f"    Retsgrundlag: {PART_REFUSAL_BASIS_DA[part.basis]}."]
    return [*lines, COMPLAINT_AND_COURTS_DA]


def answer_letter(case: RequestCase) -> str:
    policy = case.inp.policy
    lines = [f"Kære {case.inp.requester.name}", "",
             f"Svar på din anmodning om {TYPE_DA[case.type]}, modtaget {format_da(case.inp.received_at)}.", ""]
    if case.refusal_ground is not None:
        lines += [f"Vi kan ikke imødekomme din anmodning, fordi {REFUSAL_DA[case.refusal_ground]}.",
                  f"Begrundelse: {case.refusal_reasons}", ""]
    else:
        lines += _body_for_type(case)
        lines += _refused_parts(case)
    if not case.legacy:
        lines += ["", *_fee_lines(case)]
    if case.inp.on_behalf is not None:
        lines += ["", f"Svaret gives til dig som repræsentant ({ON_BEHALF_DA[case.inp.on_behalf]}) for {case.inp.subject_name}."]
    if case.maturity_assessment:
        lines += [f"Vurdering af barnets modenhed: {case.maturity_assessment}"]
    if case.extended:
        lines += ["", f"Fristen blev forlænget, fordi: {case.extension_reasons}"]
    if case.answer_note:
        lines += ["", case.answer_note]
    lines += ["", RIGHTS_DA + " Du kan også indbringe sagen for domstolene (art. 12, stk. 4).", "",
              f"Med venlig hilsen\n{policy.organisation_name}\n{policy.responsible.name}, {policy.responsible.email}"]
    return "\n".join(lines) + "\n"

