"""What a person reads in the workspace is Danish, without internal codes: no enum values (`key_person`,
`registered_address`, state names), no source references (`seed 003`, `issue #3`), no CLI hints (`gdpr case ...`).

A breach case and an access request are driven through the workspace; every page a person opens along the way
(case, request, task, Mine opgaver, registers, report, a refused action) and every mail the case sends is read
as its visible text and checked. Form field names, attributes and addresses are not text a person reads.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from fastapi import FastAPI
from temporalio.client import Client

from domain.requests.model import RequestView
from tests.support import ADDRESSES, CaseDriver, MailBox, internal_codes, visible_text
from tests.web.support import csrf_of, log_in

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
KAREN = "karen.jensen@example.dk"  # in the example school database (elevnummer E1001)

# --- reading pages and mails (the check itself: tests/support.py, tested in tests/unit/test_words_not_codes.py)


def _context(text: str, code: str) -> str:
    at = text.find(code)
    return " ".join(text[max(0, at - 60):at + len(code) + 60].split())


class Reader:
    """Collects what every page and mail shows, and what in it is an internal code."""

    def __init__(self) -> None:
        self.leaks: dict[str, list[str]] = {}
        self.pages = 0

    def read(self, where: str, text: str) -> None:
        self.pages += 1
        for code in internal_codes(text):
            self.leaks.setdefault(f"{where}: {code!r}", []).append(_context(ADDRESSES.sub(" ", text), code))

    def page(self, where: str, response: httpx.Response) -> httpx.Response:
        assert response.headers.get("content-type", "").startswith("text/html"), (where, response.status_code)
        self.read(where, visible_text(response.text))
        return response

    def mail(self, message: EmailMessage) -> None:
        body = message.get_body(("plain",))
        self.read(f"mail {message['Subject']!r}", f"{message['Subject']}\n{body.get_content() if body else ''}")

    def report(self) -> str:
        return "\n".join(f"{where}\n    … {contexts[0]} …" for where, contexts in sorted(self.leaks.items()))


# --- driving a breach case and an access request through the workspace -------------------------------------


def _client(web: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://test")


def _local(hours_ago: float) -> str:
    return (datetime.now(COPENHAGEN) - timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M")


async def _breach_act(reader: Reader, client: httpx.AsyncClient, case_id: str, action: str, data: dict,
                      expect: int = 303) -> httpx.Response:
    page = reader.page(f"case page before {action}", await client.get(f"/brud/{case_id}"))
    done = await client.post(f"/brud/{case_id}/handling/{action}", data={**data, "csrf_token": csrf_of(page.text)})
    assert done.status_code == expect, (action, done.status_code, re.findall(r'class="error"[^>]*>([^<]+)', done.text))
    if expect != 303:
        reader.page(f"case page, {action} refused ({expect})", done)
    return done


async def _settle_breach(web: FastAPI, case_id: str) -> None:
    client: Client = web.state.client
    await CaseDriver.settle(client.get_workflow_handle(case_id))


async def _settle_request(web: FastAPI, request_id: str, state: str | None = None) -> RequestView:
    handle = web.state.client.get_workflow_handle(request_id)
    loop = asyncio.get_running_loop()
    end = loop.time() + 30
    while True:
        view = await handle.query("view", result_type=RequestView)
        if view.pending_effects == 0 and (state is None or view.state == state):
            return view
        assert loop.time() < end, f"request stayed in {view.state} (wanted {state})"
        await asyncio.sleep(0.1)


async def _my_tasks(reader: Reader, client: httpx.AsyncClient, who: str, case_id: str) -> None:
    """'Mine opgaver' once the case is listed there (the register activity keeps the list)."""
    for _ in range(100):
        page = await client.get("/")
        if case_id in page.text:
            break
        await asyncio.sleep(0.1)
    assert case_id in page.text, f"{case_id} never reached {who}'s Mine opgaver"
    reader.page(f"Mine opgaver ({who})", page)


async def test_no_page_or_mail_of_a_breach_case_shows_an_internal_code(
        web: FastAPI, browser: httpx.AsyncClient, mailbox: MailBox):
    reader = Reader()
    await log_in(browser, "mille@skole.dk")  # nøgleperson (and employee)
    form = reader.page("report form", await browser.get("/brud/ny"))
    done = reader.page("receipt", await browser.post("/brud/ny", data={
        "what_happened": "Karakterark med elevnumre sendt til forkert klasse i Aula", "aware_at": _local(2),
        "affected_people": "Elever i 9.B", "affected_data": "Navne, elevnumre og karakterer",
        "how_discovered": "En elev sagde det til klasselæreren", "csrf_token": csrf_of(form.text)}))
    case_id = re.search(r"nummer <strong>([^<]+)</strong>", done.text).group(1)
    await _my_tasks(reader, browser, "nøgleperson", case_id)

    act = lambda action, data, expect=303: _breach_act(reader, browser, case_id, action, data, expect)  # noqa: E731
    await act("assess_breach", {"reason": "Karakterer til uvedkommende"}, expect=422)  # a form error
    await act("assess_breach", {"is_breach": "true", "reason": "Karakterer til uvedkommende"})
    await act("record_facts", {"facts.breach_types": "confidentiality"}, expect=409)  # not now: refused
    await act("contain", {"measures": "Beskeden trukket tilbage i Aula", "system_stopped": "true",
                          "stopped_systems": "Aula-beskeder"})
    await act("inform_management", {"crisis_team": ["Skoleleder", "DPO"], "message": "Vi mødes kl. 13"})
    await act("record_facts", {"facts.breach_types": "confidentiality",
                               "facts.data_categories": ["identity", "children"],
                               "facts.subject_categories": ["elever"], "facts.approx_subjects": "25",
                               "facts.systems": ["Aula"], "facts.suppliers": ["Aula-support"],
                               "facts.encrypted": "false", "facts.controller_context": "childrens_institution"})
    await act("assess_notification", {"level": "no_risk", "reasons": "r"}, expect=422)  # a rule's message
    await act("request_supplier_accounts", {"suppliers.0.name": "Aula-support",
                                            "suppliers.0.email": "support@aula.example", "suppliers.0.system": "Aula"})
    await act("record_supplier_account", {"supplier": "Aula-support", "account.timeline": "Sendt kl. 9",
                                          "account.cause": "Forkert modtagerliste", "account.consequences": "Set af 25",
                                          "account.fix": "Listen rettet", "account.prevention": "Tjekliste"})
    await act("assess_notification", {"level": "high_risk", "reasons": "Karakterer og elevnumre til 25 elever",
                                      "deviation_reason": "Vi vurderer risikoen højere end forslaget"})
    await act("submit_notification_draft", {"likely_consequences": "Krænkelse af elevernes privatliv",
                                            "measures_proposed": "Tjek af modtagerlister",
                                            "police_report": "not_filed", "breach_ongoing": "false"})
    await _settle_breach(web, case_id)
    reader.page("register while open", await browser.get("/register/brud"))
    reader.page("report while open", await browser.get(f"/brud/{case_id}/rapport"))

    async with _client(web) as dpo:
        await log_in(dpo, "dorthe@skole.dk")
        await _my_tasks(reader, dpo, "DPO", case_id)
        await _breach_act(reader, dpo, case_id, "review_draft", {"approve": "false",
                                                                 "comments": "Skriv hvornår bruddet sluttede"})
        await act("submit_notification_draft", {"likely_consequences": "Krænkelse af elevernes privatliv",
                                                "measures_proposed": "Tjek af modtagerlister",
                                                "breach_ended_at": _local(1.5), "police_report": "not_filed"})
        await _breach_act(reader, dpo, case_id, "review_draft", {"approve": "true"})
        await _breach_act(reader, dpo, case_id, "record_submission", {"reference": "2026-431-0001"})
    await act("decide_communication", {"communicate": "false", "reason": "Modtagerne har slettet beskeden"},
              expect=409)  # high risk: the subjects are told unless an Art. 34(3) ground is recorded
    await act("decide_communication", {"communicate": "false", "reason": "Modtagerne har slettet beskeden",
                                       "exception": "risk_no_longer_likely",
                                       "exception_evidence": "Alle 25 modtagere har bekræftet sletningen"})
    await act("document", {"summary": "Forløbet er beskrevet i tidslinjen"})
    await act("close", {"lessons_learned": "Tjek modtagerlisten før afsendelse"})
    reader.page("case page, closed", await browser.get(f"/brud/{case_id}"))

    async with _client(web) as management:
        await log_in(management, "leder@skole.dk")
        reader.page("case page (ledelse)", await management.get(f"/brud/{case_id}"))
    await _settle_breach(web, case_id)
    reader.page("register", await browser.get("/register/brud"))
    reader.page("register, closed cases", await browser.get("/register/brud?status=lukkede"))
    reader.page("report", await browser.get(f"/brud/{case_id}/rapport"))
    for message in mailbox.for_case(case_id):
        reader.mail(message)

    assert reader.pages > 30
    assert not reader.leaks, "internal codes where people read:\n" + reader.report()


async def test_no_page_or_mail_of_an_access_request_shows_an_internal_code(
        web: FastAPI, browser: httpx.AsyncClient, school_db: Path, mailbox: MailBox):
    reader = Reader()
    await log_in(browser, "mille@skole.dk")  # nøgleperson
    form = reader.page("intake form", await browser.get("/anmodning/ny"))
    refused = await browser.post("/anmodning/ny", data={
        "type": "restriction", "channel": "in_person", "received_at": _local(1), "requester.name": "Karen Jensen",
        "requester.email": KAREN, "id_kind": "elevnummer", "id_value": "E1001", "csrf_token": csrf_of(form.text)})
    assert refused.status_code == 422
    reader.page("intake form, refused", refused)
    done = reader.page("intake receipt", await browser.post("/anmodning/ny", data={
        "type": "access", "channel": "in_person", "received_at": _local(1),
        "requester.name": "Karen Jensen", "requester.email": KAREN,
        "id_kind": ["email", "elevnummer", ""], "id_value": [KAREN, "E1001", ""],
        "description": "Jeg vil gerne se, hvad skolen har registreret om mig.", "csrf_token": csrf_of(form.text)}))
    request_id = re.search(r"nummer <strong>(dsr-\d{4}-\d+)</strong>", done.text).group(1)
    await _my_tasks(reader, browser, "nøgleperson", request_id)

    async def act(client: httpx.AsyncClient, action: str, data: dict, expect: int = 303) -> None:
        page = reader.page(f"request page before {action}", await client.get(f"/anmodning/{request_id}"))
        response = await client.post(f"/anmodning/{request_id}/handling/{action}",
                                     data={**data, "csrf_token": csrf_of(page.text)})
        assert response.status_code == expect, (action, response.status_code,
                                                re.findall(r'class="error"[^>]*>([^<]+)', response.text))
        if expect != 303:
            reader.page(f"request page, {action} refused ({expect})", response)

    # In person, identity is shown by ID; an address already registered does not fit: refused in Danish.
    await act(browser, "verify_identity", {"method": "registered_address", "details": "Navn og e-mail passer",
                                           "verified_email": KAREN}, expect=409)
    await act(browser, "verify_identity", {"method": "id_document", "details": "Kørekort set",
                                           "verified_email": KAREN})
    await _settle_request(web, request_id, "processing")
    reader.page("request page, processing", await browser.get(f"/anmodning/{request_id}"))
    link = f"/anmodning/{request_id}/opgave/papirarkiv"
    reader.page("task page (nøgleperson)", await browser.get(link))

    web.state.accounts.add("sekretaer@eksempel-skole.dk", "Simon Systemejer", ["system_owner"],
                           "korrekt hest batteri 42")  # the paper archive's owner in the inventory
    async with _client(web) as owner:
        await log_in(owner, "sekretaer@eksempel-skole.dk")
        await _my_tasks(reader, owner, "systemejer", request_id)
        task = reader.page("task page (systemejer)", await owner.get(link))
        reader.page("request page (systemejer)", await owner.get(f"/anmodning/{request_id}"))
        recorded = await owner.post(link, data={"result": "", "csrf_token": csrf_of(task.text)})
        assert recorded.status_code == 422
        reader.page("task page, refused", recorded)
        recorded = await owner.post(link, data={"result": "Én mappe: indskrivningsblanket fra 2020",
                                                "csrf_token": csrf_of(task.text)})
        assert recorded.status_code == 303
        reader.page("task page, done", await owner.get(link))

    await _settle_request(web, request_id, "answer_review")
    reader.page("request register while open", await browser.get("/register/anmodninger"))
    async with _client(web) as dpo:
        await log_in(dpo, "dorthe@skole.dk")
        await _my_tasks(reader, dpo, "DPO", request_id)
        await act(dpo, "review_answer", {"approve": "false", "comments": "Nævn mappen fra arkivet"})
        await _settle_request(web, request_id, "answer_revision")
        await act(browser, "revise_answer", {"note": "Mappen fra arkivet kan ses på kontoret"})
        await _settle_request(web, request_id, "answer_review")
        await act(dpo, "review_answer", {"approve": "true"})
        await _settle_request(web, request_id, "closed")
        reader.page("request page, closed", await dpo.get(f"/anmodning/{request_id}"))
    reader.page("request register", await browser.get("/register/anmodninger"))
    reader.page("request register, access", await browser.get("/register/anmodninger?type=access"))
    for message in mailbox.for_case(request_id):
        reader.mail(message)

    assert reader.pages > 20
    assert not reader.leaks, "internal codes where people read:\n" + reader.report()
