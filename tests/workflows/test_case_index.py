"""The workflows keep the case index current through their register activity (real dev server)."""

from __future__ import annotations

import asyncio

from activities.case_index import list_cases
from activities.db import make_engine
from domain.breach import commands as c
from domain.case_index import CaseIndexRow
from tests.support import KEY_PERSON, CaseDriver, RequestDriver


async def _row(database_url: str, case_id: str, state: str, timeout: float = 20.0) -> CaseIndexRow:
    """Poll the index until the case's row shows `state` (the register activity runs after the update)."""
    engine = make_engine(database_url)
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while True:
        rows = [r for r in list_cases(engine, limit=500).rows if r.case_id == case_id]
        if rows and rows[0].state == state:
            return rows[0]
        if loop.time() > end:
            raise AssertionError(f"case_index for {case_id}: {rows} (wanted state {state})")
        await asyncio.sleep(0.1)


async def test_a_breach_case_appears_in_the_key_persons_list_and_moves_on_when_acted_on(driver: CaseDriver):
    handle = await driver.open()
    url, organisation = driver.settings.database_url, driver.settings.organisation_id  # the index keys by id
    row = await _row(url, handle.id, "reported")
    assert (row.kind.value, row.next_role, row.organisation, row.closed, row.deadline_met) == (
        "breach", "key_person", organisation, False, False)
    await driver.act(handle, "assess_breach", c.AssessBreach(actor=KEY_PERSON, is_breach=True, reason="Brud"))
    row = await _row(url, handle.id, "containment")
    assert row.next_role == "key_person" and row.last_seq >= 2
    page = list_cases(make_engine(url), next_roles={"key_person"}, kind="breach")
    assert [r.case_id for r in page.rows] == [handle.id] and page.total == 1


async def test_a_request_appears_with_its_type_and_moves_on_when_verified(requests: RequestDriver):
    handle = await requests.open("access")
    url = requests.settings.database_url
    row = await _row(url, handle.id, "received")
    assert (row.kind.value, row.request_type, row.next_role) == ("request", "access", "key_person")
    await requests.verify(handle)
    row = await _row(url, handle.id, "processing")
    assert row.next_role == "system_owner"
