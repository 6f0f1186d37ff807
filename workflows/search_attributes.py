"""Search attributes operators query in the Temporal UI: each case's kind, state, who acts next, deadline and
organisation, kept current at every step (the workspace's lists come from the case index instead).

Set from the same register entry the step writes (domain/case_index.py `index_row`), so the UI, the register
and the workspace agree. Cases started before this (no patch marker) keep their histories as they were.
"""

from __future__ import annotations

from typing import Any

from temporalio import workflow
from temporalio.common import SearchAttributeKey

with workflow.unsafe.imports_passed_through():
    from domain.case_index import index_row

SEARCH_ATTRIBUTES = "search-attributes"  # workflow.patched() id

CASE_KIND = SearchAttributeKey.for_keyword("GdprCaseKind")
CASE_STATE = SearchAttributeKey.for_keyword("GdprCaseState")
NEXT_ROLE = SearchAttributeKey.for_keyword("GdprNextRole")
DEADLINE = SearchAttributeKey.for_datetime("GdprDeadline")
ORGANISATION = SearchAttributeKey.for_keyword("GdprOrganisation")
ALL = (CASE_KIND, CASE_STATE, NEXT_ROLE, DEADLINE, ORGANISATION)


def dev_server_args() -> list[str]:
    """`temporal server start-dev` flags that register them from the start (tests, benchmarks); a worker
    registers any that are missing itself (app.temporal_client.ensure_search_attributes)."""
    kinds = {"KEYWORD": "Keyword", "DATETIME": "Datetime"}
    return [arg for key in ALL for arg in ("--search-attribute", f"{key.name}={kinds[key.indexed_value_type.name]}")]


def keep_current(entry: object, organisation: str, baseline: bool = False) -> None:
    """Upsert the case's search attributes from the step's register entry.

    A case started with the BASELINE marker (`baseline`) upserts only the attributes that changed, and
    nothing when none did (a step that keeps the state, the deadline and who acts next); a case started
    before it upserts all five at every step, as its history holds."""
    if not (baseline or workflow.patched(SEARCH_ATTRIBUTES)):
        return
    row = index_row(entry, organisation=organisation, seq=0)  # type: ignore[arg-type]
    wanted: list[tuple[SearchAttributeKey[Any], Any]] = [
        (CASE_KIND, row.kind.value), (CASE_STATE, row.state), (DEADLINE, row.deadline),
        (ORGANISATION, organisation), (NEXT_ROLE, row.next_role or None)]
    if baseline:
        current = workflow.info().typed_search_attributes
        wanted = [(key, value) for key, value in wanted if current.get(key) != value]
        if not wanted:
            return
    workflow.upsert_search_attributes([key.value_set(value) if value is not None else key.value_unset()
                                       for key, value in wanted])
