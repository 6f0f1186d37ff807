"""Operators find cases in the Temporal UI by kind, state, who acts next, deadline and organisation."""

from __future__ import annotations

import asyncio

from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from domain.breach import commands as c
from tests.support import KEY_PERSON, CaseDriver
from workflows.search_attributes import CASE_KIND, CASE_STATE, DEADLINE, NEXT_ROLE, ORGANISATION

ASSESS = c.AssessBreach(actor=KEY_PERSON, is_breach=True, reason="Elevliste til forkert modtager")


async def _attributes(handle: WorkflowHandle, state: str) -> dict:
    for _ in range(100):
        found = (await handle.describe()).typed_search_attributes
        if found.get(CASE_STATE) == state:
            return {key.name: found.get(key) for key in (CASE_KIND, CASE_STATE, NEXT_ROLE, DEADLINE, ORGANISATION)}
        await asyncio.sleep(0.1)
    raise AssertionError(f"the search attributes never showed {state}")


async def test_a_case_keeps_its_search_attributes_current_step_by_step(env: WorkflowEnvironment, driver: CaseDriver):
    handle = await driver.open()
    view = await driver.settle(handle)
    first = await _attributes(handle, "reported")
    assert first == {"GdprCaseKind": "breach", "GdprCaseState": "reported", "GdprNextRole": "key_person",
                     "GdprDeadline": view.deadline, "GdprOrganisation": driver.settings.organisation_name}
    await driver.act(handle, "assess_breach", ASSESS)
    assert (await _attributes(handle, "containment"))["GdprNextRole"] == "key_person"
    query = f'GdprOrganisation = "{driver.settings.organisation_name}" AND GdprCaseState = "containment"'
    for _ in range(100):  # visibility follows the upsert within moments
        if handle.id in [wf.id async for wf in env.client.list_workflows(query)]:
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("the Temporal UI's query does not find the case")
    await handle.terminate("test over")
