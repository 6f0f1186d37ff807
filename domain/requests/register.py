"""The request register: one row per request, rebuilt at every step (seed 001 monthly controls read it)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel

from domain.requests.model import RequestCase
from domain.kernel.model import Strict


class RequestRegisterEntry(Strict):
    request_id: str
    type: str
    channel: str
    state: str
    received_at: datetime
    deadline: datetime
    extended: bool
    extension_reasons: str | None
    on_behalf: str | None
    identity_method: str | None
    verified_at: datetime | None
    refusal_ground: str | None
    refusal_reasons: str | None
    systems: str
    identifiers: str
    answered_at: datetime | None
    in_time: bool | None
    overdue: bool
    closed_at: datetime | None
    updated_at: datetime
    # JSON, each decision with who made it and when: a fee (Art. 12(5), 15(3)), refused parts, Art. 15(4) releases
    fee: str | None = None
    refused_parts: str | None = None
    third_party_released: str | None = None


def build_request_entry(case: RequestCase, now: datetime) -> RequestRegisterEntry:
    systems = {r.system_id: {"status": r.status.value, "manual": r.manual,
                             "deleted": sum(t.deleted for t in r.tables), "kept": sum(t.kept for t in r.tables),
                             "changed": sum(len(t.changes) for t in r.tables),
                             "flagged": sum(t.flagged for t in r.tables),
                             # tables where rows were erased or flagged: what the monthly control re-checks
                             "acted_tables": [t.table for t in r.tables if t.deleted or t.flagged]}
               for r in case.systems}
    return RequestRegisterEntry(
        request_id=case.request_id, type=case.type.value, channel=case.inp.channel.value, state=case.state,
        received_at=case.inp.received_at, deadline=case.deadline, extended=case.extended,
        extension_reasons=case.extension_reasons,
        on_behalf=case.inp.on_behalf.value if case.inp.on_behalf else None,
        identity_method=case.identity_method.value if case.identity_method else None,
        verified_at=case.verified_at, refusal_ground=case.refusal_ground.value if case.refusal_ground else None,
        refusal_reasons=case.refusal_reasons, systems=json.dumps(systems, sort_keys=True),
        identifiers=json.dumps(case.inp.identifiers, sort_keys=True), answered_at=case.answered_at,
        in_time=case.answered_in_time(), overdue=case.overdue, closed_at=case.closed_at, updated_at=now,
        fee=case.fee.model_dump_json() if case.fee else None,
        refused_parts=_json_list(case.refused_parts), third_party_released=_json_list(case.third_party_released),
    )


def _json_list(items: Sequence[BaseModel]) -> str | None:
    return json.dumps([i.model_dump(mode="json") for i in items], ensure_ascii=False) if items else None
