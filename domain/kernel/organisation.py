"""Organisations in one deployment: who each is, its people, its inventory, and its own case-number series.

A municipality's schools and day-care centres, or a group of clubs, share one DPO and one deployment; each
case belongs to exactly one organisation. The organisation is part of the case id (`breach-<org>-2026-0001`),
so every record keyed by the case (register rows, the case index, mails, exports, dead letters) knows its
organisation without another lookup, and two organisations' series never collide. A deployment with one
organisation configured the old way (settings only) keeps the short ids (`breach-2026-0001`).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import EmailStr, Field, StringConstraints

from domain.kernel.case_ids import SLUG
from domain.kernel.model import Contact, Strict

Slug = Annotated[str, StringConstraints(pattern=rf"^{SLUG}$", max_length=40)]


class Organisation(Strict):
    """One organisation's facts and people, as its file in the organisations folder gives them."""

    id: Slug = Field(description="Short name in case ids and addresses, e.g. 'vestskolen'.")
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    cvr: Annotated[str, StringConstraints(pattern=r"^\d{8}$")] | None = None
    address: Annotated[str, StringConstraints(max_length=300)] | None = None
    key_person: Contact
    dpo: Contact
    management_emails: list[EmailStr] = Field(min_length=1)
    inventory_file: str | None = Field(default=None, description="Its data inventory (YAML), relative to its file.")
    closing_days: list[str] = Field(default_factory=list)
