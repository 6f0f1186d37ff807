"""An employee reports a breach in the browser; the reporter is the login, and gets a receipt."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from tests.support import MailBox
from tests.web.support import csrf_of, log_in


async def test_an_employee_reports_a_breach_and_gets_the_case_number_and_a_receipt(
        browser: httpx.AsyncClient, mailbox: MailBox):
    await log_in(browser, "ansat@skole.dk")
    form = await browser.get("/brud/ny")
    assert form.status_code == 200 and "Anmeld et brud" in form.text
    aware = (datetime.now(ZoneInfo("Europe/Copenhagen")) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = await browser.post("/brud/ny", data={
        "what_happened": "Elevliste sendt til forkert forældregruppe", "aware_at": aware,
        "affected_people": "Elever i 7.A", "affected_data": "Navne og CPR-numre",
        "how_discovered": "En forælder ringede", "csrf_token": csrf_of(form.text),
        "reporter_name": "Nogen Andens Navn"})  # a smuggled field changes nothing: the reporter is the login
    assert response.status_code == 200
    case_id = response.text.split("nummer <strong>")[1].split("</strong>")[0]
    assert case_id.startswith(f"breach-{datetime.now().year}-")
    mails = await mailbox.wait_for(case_id, 2)
    receipt = next(m for m in mails if "Kvittering" in m["Subject"])
    assert receipt["To"] == "ansat@skole.dk" and "Rasmus Ansat" in receipt.get_content()
    assert "Nogen Andens Navn" not in receipt.get_content()


async def test_a_report_with_missing_fields_comes_back_with_what_was_typed_and_danish_reasons(
        browser: httpx.AsyncClient):
    await log_in(browser, "ansat@skole.dk")
    form = await browser.get("/brud/ny")
    response = await browser.post("/brud/ny", data={
        "what_happened": "Noget er sket", "aware_at": "", "affected_people": "", "affected_data": "",
        "how_discovered": "", "csrf_token": csrf_of(form.text)})
    assert response.status_code == 422
    assert "Noget er sket" in response.text and "Skal udfyldes" in response.text
