"""The deadline of a request: one month from receipt (three if extended), per domain.kernel.deadlines."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.kernel.deadlines import LegalDeadline, request_deadline
from domain.requests.model import RequestCase, RequestInput


def legal_deadline(inp: RequestInput, extended: bool) -> LegalDeadline:
    return request_deadline(inp.received_at, extended=extended)  # closing days never move it (see reminders)


def first_month_deadline(case: RequestCase) -> datetime:
    """The end of the first month: the last moment an extension can be decided (Art. 12(3))."""
    return legal_deadline(case.inp, extended=False).due + timedelta(seconds=case.paused_seconds)


def current_deadline(case: RequestCase) -> datetime:
    """The deadline in force; a configured pause while awaiting the requester's information adds to it."""
    return legal_deadline(case.inp, case.extended).due + timedelta(seconds=case.paused_seconds)
