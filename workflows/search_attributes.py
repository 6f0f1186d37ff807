"""Search attributes operators query in the Temporal UI: each case's kind, state, who acts next, deadline and
organisation, kept current at every step (the workspace's lists come from the case index instead).

Set from the same register entry the step writes (domain/case_index.py `index_row`), so the UI, the register
and the workspace agree. Cases started before this (no patch marker) keep their histories as they were.
"""

from __future__ import annotations

from temporalio import workflow
from temporalio.common import SearchAttributeKey, SearchAttributeUpdate

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
    registers any that are missing itself (temporal_client.ensure_search_attributes)."""
    kinds = {"KEYWORD": "Keyword", "DATETIME": "Datetime"}
    return [arg for key in ALL for arg in ("--search-attribute", f"{key.name}={kinds[key.indexed_value_type.name]}")]


def keep_current(entry: object, organisation: str) -> None:
    """Upsert the case's search attributes from the step's register entry (only what changed is recorded)."""
    if not workflow.patched(SEARCH_ATTRIBUTES):
        return
    row = index_row(entry, organisation=organisation, seq=0)  # type: ignore[arg-type]
    updates: list[SearchAttributeUpdate] = [
        CASE_KIND.value_set(row.kind.value), CASE_STATE.value_set(row.state), DEADLINE.value_set(row.deadline),
        ORGANISATION.value_set(organisation),
        NEXT_ROLE.value_set(row.next_role) if row.next_role else NEXT_ROLE.value_unset(),
    ]
    workflow.upsert_search_attributes(updates)
