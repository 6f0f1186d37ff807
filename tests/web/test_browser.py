"""The workspace in a real browser (Playwright driving Debian's Chromium): people, not terminals."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator, Sequence

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.async_api import Browser, Page, async_playwright, expect

from tests.web.support import PASSWORD

CHROMIUM = "/usr/bin/chromium"
# Chromium on a machine without internet: no background connections, no sandbox as root (see the env notes).
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
async def site(web: FastAPI) -> AsyncIterator[str]:
    """The app served by uvicorn on a free port, in the test's event loop (it shares the Temporal client)."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(web, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


@pytest.fixture
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        await browser.close()


async def _log_in(page: Page, site: str, email: str) -> None:
    await page.goto(f"{site}/login")
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Adgangskode").fill(PASSWORD)
    await page.get_by_role("button", name="Log ind").click()
    await expect(page.get_by_role("heading", name="Mine opgaver")).to_be_visible()


async def _do(page: Page, action: str, summary: str, fill: dict[str, str], check: Sequence[str] = ()) -> None:
    """Open an action on the case page, fill its form by the inputs' names, and submit it."""
    await page.get_by_text(summary, exact=True).first.click()
    form = page.locator(f'form[action$="/handling/{action}"]')
    for name, value in fill.items():
        await form.locator(f'[name="{name}"]').first.fill(value)
    for selector in check:
        await form.locator(selector).check()
    await form.get_by_role("button").click()
    await page.wait_for_load_state()
    errors = await page.locator(".error").all_inner_texts()
    assert not errors, (action, errors)


async def test_a_breach_from_report_to_approved_notification_in_the_browser(site: str, chromium: Browser):
    mille = await chromium.new_page(viewport={"width": 375, "height": 800})  # a phone's width
    await _log_in(mille, site, "mille@skole.dk")
    await mille.get_by_role("link", name="Anmeld et brud").click()
    await mille.get_by_label("Hvad er der sket?").fill("Elevliste sendt til forkert forældregruppe")
    await mille.get_by_label("Hvem er berørt?").fill("Elever i 7.A")
    await mille.get_by_label("Hvilke oplysninger er berørt?").fill("Navne og CPR-numre")
    await mille.get_by_label("Hvordan blev det opdaget?").fill("En forælder ringede")
    await mille.get_by_role("button", name="Send anmeldelsen").click()
    case_id = re.search(r"breach-\d{4}-\d+", await mille.locator("main").inner_text()).group(0)
    await mille.screenshot(path="/tmp/web-receipt.png", full_page=True)

    await mille.goto(f"{site}/brud/{case_id}")
    await _do(mille, "assess_breach", "Vurdér om det er et brud", {"reason": "CPR-numre til uvedkommende"},
              ['[name="is_breach"][value="true"]'])
    await _do(mille, "contain", "Registrér hvordan bruddet er stoppet",
              {"measures": "Beskeden slettet i Aula"}, ['[name="system_stopped"][value="false"]'])
    await _do(mille, "inform_management", "Orientér ledelsen og indkald kriseteamet", {"crisis_team": "Skoleleder"})
    await _do(mille, "record_facts", "Registrér fakta om bruddet", {},
              ['[name="facts.breach_types"][value="confidentiality"]', '[name="facts.data_categories"][value="national_id"]'])
    await _do(mille, "assess_notification", "Vurdér om bruddet skal anmeldes",
              {"reasons": "CPR-numre på børn"}, ['[name="level"][value="high_risk"]'])
    await _do(mille, "submit_notification_draft", "Send udkast til anmeldelse til godkendelse",
              {"likely_consequences": "CPR-numre kan misbruges", "measures_proposed": "Undervisning"})
    await expect(mille.get_by_text("Godkend eller afvis udkastet", exact=True)).to_have_count(0)  # not hers to approve
    await mille.screenshot(path="/tmp/web-case-key-person.png", full_page=True)

    dpo = await chromium.new_page()
    await _log_in(dpo, site, "dorthe@skole.dk")
    await expect(dpo.get_by_role("link", name=case_id)).to_be_visible(timeout=15_000)
    await dpo.get_by_role("link", name=case_id).click()
    await _do(dpo, "review_draft", "Godkend eller afvis udkastet", {}, ['[name="approve"][value="true"]'])
    await expect(dpo.get_by_text("godkendt", exact=False).first).to_be_visible()
    await dpo.screenshot(path="/tmp/web-case-dpo.png", full_page=True)
    # The register, and its CSV file that Danish Excel opens (UTF-8 with BOM, semicolons).
    await dpo.get_by_role("link", name="Register").click()
    await expect(dpo.get_by_role("link", name=case_id)).to_be_visible()
    async with dpo.expect_download() as download_info:
        await dpo.get_by_role("link", name="Hent som CSV-fil (til Excel)").click()
    download = await download_info.value
    content = (await download.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf") and b";" in content.splitlines()[0]
    await dpo.screenshot(path="/tmp/web-register.png", full_page=True)


async def _set(form, name: str, value: str, nth: int = 0) -> None:
    """Give an input its value whatever it is rendered as: a select, radio buttons or a text field."""
    element = form.locator(f'[name="{name}"]').nth(nth)
    tag = await element.evaluate("e => e.tagName.toLowerCase() + ':' + (e.type || '')")
    if tag.startswith("select"):
        await element.select_option(value)
    elif tag.endswith(":radio") or tag.endswith(":checkbox"):
        await form.locator(f'[name="{name}"][value="{value}"]').check()
    else:
        await element.fill(value)


async def test_an_access_request_from_receipt_to_answer_in_the_browser(web: FastAPI, site: str, chromium: Browser,
                                                                      school_db):
    karen = "karen.jensen@example.dk"  # in the example school database (elevnummer E1001)
    mille = await chromium.new_page()
    await _log_in(mille, site, "mille@skole.dk")
    await mille.get_by_role("link", name="Ny anmodning").click()
    form = mille.locator('form[action="/anmodning/ny"]')
    for name, value in [("type", "access"), ("channel", "email"), ("requester.name", "Karen Jensen"),
                        ("requester.email", karen),
                        ("description", "Jeg vil gerne se, hvad skolen har registreret om mig og mit barn.")]:
        await _set(form, name, value)
    await _set(form, "id_kind", "email", 0)
    await _set(form, "id_value", karen, 0)
    await _set(form, "id_kind", "elevnummer", 1)
    await _set(form, "id_value", "E1001", 1)
    await form.get_by_role("button").click()
    request_id = re.search(r"dsr-\d{4}-\d+", await mille.locator("main").inner_text()).group(0)

    await mille.goto(f"{site}/anmodning/{request_id}")
    await mille.get_by_text("Bekræft identiteten", exact=True).first.click()
    verify = mille.locator('form[action$="/handling/verify_identity"]')
    await _set(verify, "method", "registered_address")
    await _set(verify, "details", "Navn og e-mail svarer til elevadministrationen")
    await _set(verify, "verified_email", karen)
    await verify.get_by_role("button").click()
    assert not await mille.locator(".error").all_inner_texts()

    web.state.accounts.add("sekretaer@eksempel-skole.dk", "Hanne Holm", ["system_owner"], PASSWORD)
    owner = await chromium.new_page()
    await _log_in(owner, site, "sekretaer@eksempel-skole.dk")
    task = f"{site}/anmodning/{request_id}/opgave/papirarkiv"
    for _ in range(100):  # the task opens when the request reaches its systems
        await owner.goto(task)
        if await owner.locator('[name="result"]').count():
            break
        await asyncio.sleep(0.2)
    await owner.locator('[name="result"]').fill("Én mappe: indskrivningsblanket fra 2020")
    await owner.locator("main form").get_by_role("button").click()
    await expect(owner.get_by_text("Opgaven er udført")).to_be_visible()

    dpo = await chromium.new_page()
    await _log_in(dpo, site, "dorthe@skole.dk")
    for _ in range(100):  # the answer is drafted once every system has reported
        await dpo.goto(f"{site}/anmodning/{request_id}")
        if await dpo.locator('form[action$="/handling/review_answer"]').count():
            break
        await asyncio.sleep(0.2)
    review = dpo.locator('form[action$="/handling/review_answer"]')
    await dpo.locator("details", has=review).locator("summary").click()
    await _set(review, "approve", "true")
    await review.get_by_role("button").click()
    for _ in range(100):
        await dpo.goto(f"{site}/anmodning/{request_id}")
        if await dpo.get_by_text("Anmodningen er afsluttet").count():
            break
        await asyncio.sleep(0.2)
    await expect(dpo.get_by_text("Anmodningen er afsluttet")).to_be_visible()
    await dpo.screenshot(path="/tmp/web-request-answered.png", full_page=True)
