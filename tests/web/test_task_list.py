"""'Mine opgaver' at size: the cases waiting for me, or every open case a reader may see, by kind, in pages of
50 with the count of the rest, straight from the case index."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI

from scripts.bench import fill_case_index
from tests.web.support import log_in


def _case_ids(html: str) -> list[str]:
    return re.findall(r'<a href="/(?:brud|anmodning)/((?:breach|dsr)-\d{4}-\d+)">', html)


async def test_a_dpo_pages_through_every_open_case_and_filters_by_kind(web: FastAPI, browser: httpx.AsyncClient):
    fill_case_index(web.state.engine, open_cases=120, closed_cases=10)
    await log_in(browser, "dorthe@skole.dk")

    mine = await browser.get("/")
    assert 0 < len(_case_ids(mine.text)) < 120 and "Hvem handler" not in mine.text  # only what waits for the DPO

    first = await browser.get("/", params={"alle": "1"})
    assert len(_case_ids(first.text)) == 50 and "1–50 af 120" in first.text
    assert "Næste side (70 sager mere)" in first.text and "Forrige side" not in first.text
    last = await browser.get("/", params={"alle": "1", "side": "3"})
    assert len(_case_ids(last.text)) == 20 and "101–120 af 120" in last.text and "Næste side" not in last.text
    everything = set()
    for side in (1, 2, 3):
        everything |= set(_case_ids((await browser.get("/", params={"alle": "1", "side": side})).text))
    assert len(everything) == 120, "the pages neither repeat nor skip a case"

    requests = await browser.get("/", params={"alle": "1", "vis": "anmodninger"})
    ids = _case_ids(requests.text)
    assert ids and all(i.startswith("dsr-") for i in ids)


async def test_management_sees_every_open_breach_but_no_request(web: FastAPI, browser: httpx.AsyncClient):
    fill_case_index(web.state.engine, open_cases=60, closed_cases=0)
    await log_in(browser, "leder@skole.dk")
    page = await browser.get("/", params={"alle": "1"})
    ids = _case_ids(page.text)
    assert ids and all(i.startswith("breach-") for i in ids)
    requests = await browser.get("/", params={"alle": "1", "vis": "anmodninger"})
    assert _case_ids(requests.text) == [] and 'name="alle"' in requests.text


async def test_an_employee_has_no_all_cases_view(web: FastAPI, browser: httpx.AsyncClient):
    fill_case_index(web.state.engine, open_cases=30, closed_cases=0)
    await log_in(browser, "ansat@skole.dk")
    page = await browser.get("/", params={"alle": "1"})
    assert 'name="alle"' not in page.text and _case_ids(page.text) == []
    assert "Du har ingen opgaver lige nu." in page.text
