"""What a data-subject request sends, in Danish: receipts, questions, tasks, the answer letter."""

from __future__ import annotations

from domain.deadlines import format_da
from domain.dsr_model import (
    RefusalGround,
    RequestCase,
    RequestType,
    SystemResult,
    TYPE_DA,
)
from domain.inventory import LEGAL_BASIS_DA, System
from domain.mail_texts import SIGNATURE, OutgoingMail

DATATILSYNET = "Datatilsynet, Carl Jacobsens Vej 35, 2500 Valby, dt@datatilsynet.dk, www.datatilsynet.dk"
REFUSAL_DA = {
    RefusalGround.IDENTITY_NOT_ESTABLISHED: "vi har ikke kunnet fastslå din identitet (art. 12, stk. 2 og 6)",
    RefusalGround.MANIFESTLY_UNFOUNDED: "anmodningen er åbenbart grundløs (art. 12, stk. 5)",
    RefusalGround.EXCESSIVE: "anmodningen er urimelig, navnlig fordi den gentages (art. 12, stk. 5)",
}
RIGHTS_DA = (
    "Du har ret til indsigt, berigtigelse, sletning, begrænsning af behandlingen, dataportabilitet og til at "
    "gøre indsigelse (art. 15-21). Du kan klage til " + DATATILSYNET + "."
)


def _mail(case: RequestCase, step: str, to: list[str], subject: str, body: str,
          attachments: list[str] | None = None) -> OutgoingMail:
    sign = SIGNATURE.format(org=case.inp.policy.organisation_name, case_id=case.request_id)
    return OutgoingMail(key=f"{case.request_id}.{step}", case_id=case.request_id, to=sorted(set(to)),
                        subject=f"[{case.request_id}] {subject}", body=body + sign, attachments=attachments or [])


def _responsible(case: RequestCase) -> list[str]:
    return [case.inp.policy.responsible.email, case.inp.policy.dpo.email]


def receipt(case: RequestCase) -> OutgoingMail:
    body = (f"Kære {case.inp.requester.name}\n\nVi har modtaget din anmodning om {TYPE_DA[case.type]} "
            f"den {format_da(case.inp.received_at)}.\nVi svarer senest {format_da(case.deadline)} "
            "(art. 12, stk. 3). Før vi udleverer, retter eller sletter oplysninger, sikrer vi os din identitet.")
    return _mail(case, "receipt", [case.inp.requester.email], "Vi har modtaget din anmodning", body)


def new_request(case: RequestCase) -> OutgoingMail:
    body = (f"Ny anmodning om {TYPE_DA[case.type]} via {case.inp.channel.value}.\nFrist: {format_da(case.deadline)}\n"
            f"Første skridt: verificér identiteten (seed 001 §3.5).")
    return _mail(case, "new", _responsible(case), f"Ny anmodning: {TYPE_DA[case.type]}", body)


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
            f"Frist for svaret til den registrerede: {format_da(case.deadline)}.\nRegistrér resultatet: "
            f"gdpr request act {case.request_id} complete_manual_task --as system_owner --set system_id={system.id} "
            "--set result=...")
    step = f"task-{system.id}" + (f".reminder-{reminder}" if reminder else "")
    return _mail(case, step, [system.owner.email], ("Påmindelse: " if reminder else "") + f"Opgave i {system.name}", body)


def answer_for_review(case: RequestCase, version: int, text: str) -> OutgoingMail:
    body = f"Svar {version} på anmodningen venter på din godkendelse.\n\n{text}"
    return _mail(case, f"answer-v{version}-review", [case.inp.policy.dpo.email],
                 f"Til godkendelse: svar {version} på anmodning om {TYPE_DA[case.type]}", body)


def answer_rejected(case: RequestCase, version: int, comments: str) -> OutgoingMail:
    return _mail(case, f"answer-v{version}-rejected", [case.inp.policy.responsible.email],
                 f"Svar {version} er afvist af DPO", f"Kommentarer:\n{comments}\n")


def final_answer(case: RequestCase, text: str, attachments: list[str]) -> OutgoingMail:
    return _mail(case, "answer", [case.inp.requester.email], f"Svar på din anmodning om {TYPE_DA[case.type]}",
                 text, attachments)


def transfer(case: RequestCase, attachments: list[str]) -> OutgoingMail:
    assert case.inp.transfer_to is not None
    body = (f"Efter anmodning fra den registrerede ({case.inp.subject_name}) overfører "
            f"{case.inp.policy.organisation_name} hermed personoplysninger i et struktureret, almindeligt anvendt "
            "og maskinlæsbart format (art. 20, stk. 2). Se vedhæftede arkiv og dets manifest.")
    return _mail(case, "transfer", [case.inp.transfer_to], "Overførsel af personoplysninger (art. 20)", body,
                 attachments)


def extension(case: RequestCase) -> OutgoingMail:
    body = (f"Kære {case.inp.requester.name}\n\nVi forlænger fristen for at besvare din anmodning med to måneder "
            f"til {format_da(case.deadline)} (art. 12, stk. 3).\nBegrundelse: {case.extension_reasons}")
    return _mail(case, "extension", [case.inp.requester.email, *_responsible(case)], "Fristen forlænges", body)


def deadline_reminder(case: RequestCase, days: int) -> OutgoingMail:
    body = f"Påmindelse: svaret skal være sendt senest {format_da(case.deadline)} (om {days} dage). Trin: {case.state}."
    return _mail(case, f"reminder-{days}d{'-ext' if case.extended else ''}", _responsible(case),
                 f"Frist om {days} dage", body)


def escalation(case: RequestCase) -> OutgoingMail:
    body = (f"ESKALERING: fristen for at besvare anmodningen om {TYPE_DA[case.type]} udløb "
            f"{format_da(case.deadline)}. Trin: {case.state}.")
    return _mail(case, f"escalation{'-ext' if case.extended else ''}",
                 [*case.inp.policy.management_emails, *_responsible(case)], "ESKALERING: frist overskredet", body)


def restriction_lifted(case: RequestCase, reasons: str) -> OutgoingMail:
    body = (f"Kære {case.inp.requester.name}\n\nBegrænsningen af behandlingen af dine oplysninger ophæves "
            f"(art. 18, stk. 3).\nBegrundelse: {reasons}\n\n{RIGHTS_DA}")
    return _mail(case, "restriction-lifted", [case.inp.requester.email], "Begrænsningen ophæves", body)


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


def _rows(result: SystemResult) -> list[str]:
    lines = []
    for table in result.tables:
        for row in table.rows:
            values = ", ".join(f"{k}: {v}" for k, v in row.items())
            lines.append(f"  - {table.table}: {values}")
    if result.manual_result:
        lines.append(f"  - {result.manual_result}")
    return lines or ["  - ingen oplysninger fundet"]


def _art19(case: RequestCase) -> list[str]:
    names = sorted({r.name for s in case.inp.inventory.systems for r in s.recipients
                    if any(res.system_id == s.id and _changed(res) for res in case.systems)})
    if not names:
        return []
    return ["", "Modtagere, som vi underretter om ændringen (art. 19): " + ", ".join(names) + "."]


def _changed(result: SystemResult) -> bool:
    return any(t.deleted or t.changes or t.flagged for t in result.tables) or bool(result.manual_result)


def _body_for_type(case: RequestCase) -> list[str]:
    inventory = case.inp.inventory
    lines: list[str] = []
    if case.type is RequestType.ACCESS:
        lines.append("Vi behandler følgende oplysninger om dig (art. 15):")
        for result in case.systems:
            system = inventory.system(result.system_id)
            lines += ["", f"{system.name}:", *_system_information(system), "  Oplysninger:", *_rows(result)]
        lines += ["", "Oplysningerne er også vedhæftet i et maskinlæsbart format (JSON)."]
    elif case.type is RequestType.PORTABILITY:
        lines.append("Vedhæftet er dine oplysninger i et struktureret, almindeligt anvendt og maskinlæsbart format "
                     "(JSON og CSV pr. system, med et manifest), jf. art. 20.")
        if case.inp.transfer_to:
            lines.append(f"Efter dit ønske er oplysningerne også overført til {case.inp.transfer_to}.")
    elif case.type is RequestType.RECTIFICATION:
        lines.append("Vi har berigtiget følgende oplysninger (art. 16):")
        for result in case.systems:
            for table in result.tables:
                for change in table.changes:
                    lines.append(f"  - {inventory.system(result.system_id).name}, {table.table}.{change['column']}: "
                                 f"'{change['before']}' → '{change['after']}'")
        lines += _art19(case)
    elif case.type is RequestType.ERASURE:
        erased = [f"  - {inventory.system(r.system_id).name}, {t.table}: {t.deleted} registrering(er)"
                  for r in case.systems for t in r.tables if t.deleted]
        kept = [f"  - {inventory.system(r.system_id).name}, {t.table}: {t.kept} registrering(er) – {t.kept_reason}"
                for r in case.systems for t in r.tables if t.kept]
        manual = [f"  - {inventory.system(r.system_id).name}: {r.manual_result}"
                  + (f" (ikke slettet: {r.kept_reason})" if r.kept_reason else "") for r in case.systems if r.manual]
        lines += ["Vi har slettet (art. 17):", *(erased or ["  - intet"]), *manual]
        if kept:
            lines += ["", "Vi har ikke slettet følgende, og hvorfor:", *kept,
                      "Oplysninger, der er indsamlet på grundlag af dit samtykke, er slettet, medmindre en pligt til at "
                      "opbevare dem er nævnt ovenfor."]
        lines += _art19(case)
    elif case.type is RequestType.RESTRICTION:
        flagged = [f"  - {inventory.system(r.system_id).name}, {t.table}: {t.flagged} registrering(er)"
                   for r in case.systems for t in r.tables if t.flagged]
        lines += ["Behandlingen af dine oplysninger er nu begrænset til opbevaring (art. 18) i:", *(flagged or ["  - -"]),
                  "Vi orienterer dig, før begrænsningen ophæves (art. 18, stk. 3)."]
        lines += _art19(case)
    elif case.type is RequestType.OBJECTION:
        if case.objection_decision:
            lines.append(f"Vi har taget din indsigelse til følge og er ophørt med behandlingen: "
                         f"{case.inp.objection_processing} (art. 21).")
        else:
            lines += [f"Vi kan ikke imødekomme din indsigelse mod: {case.inp.objection_processing}.",
                      f"Begrundelse (vægtige legitime grunde, art. 21, stk. 1): {case.objection_reasons}"]
    return lines


def answer_letter(case: RequestCase) -> str:
    policy = case.inp.policy
    lines = [f"Kære {case.inp.requester.name}", "",
             f"Svar på din anmodning om {TYPE_DA[case.type]}, modtaget {format_da(case.inp.received_at)}.", ""]
    if case.refusal_ground is not None:
        lines += [f"Vi kan ikke imødekomme din anmodning, fordi {REFUSAL_DA[case.refusal_ground]}.",
                  f"Begrundelse: {case.refusal_reasons}", ""]
    else:
        lines += _body_for_type(case)
    if case.inp.on_behalf is not None:
        lines += ["", f"Svaret gives til dig som repræsentant ({case.inp.on_behalf.value}) for {case.inp.subject_name}."]
    if case.maturity_assessment:
        lines += [f"Vurdering af barnets modenhed: {case.maturity_assessment}"]
    if case.extended:
        lines += ["", f"Fristen blev forlænget, fordi: {case.extension_reasons}"]
    if case.answer_note:
        lines += ["", case.answer_note]
    lines += ["", RIGHTS_DA + " Du kan også indbringe sagen for domstolene (art. 12, stk. 4).", "",
              f"Med venlig hilsen\n{policy.organisation_name}\n{policy.responsible.name}, {policy.responsible.email}"]
    return "\n".join(lines) + "\n"

