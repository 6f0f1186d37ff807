"""Case ids: `breach-2026-0001`, or with its organisation `breach-vestskolen-2026-0001` (domain/kernel/organisation.py).

No imports from the rest of the domain: the models validate ids with these patterns.
"""

from __future__ import annotations

import re

# Segments that start with a letter: a slug can never be mistaken for the year or number of a case id.
SLUG = r"[a-z][a-z0-9]*(?:-[a-z][a-z0-9]*)*"

KIND_PREFIX = {"breach": "breach", "request": "dsr"}
CASE_ID = re.compile(rf"^(?P<prefix>breach|dsr)-(?:(?P<org>{SLUG})-)?(?P<year>\d{{4}})-(?P<number>\d{{4,}})$")
BREACH_ID_PATTERN = rf"^breach-(?:{SLUG}-)?\d{{4}}-\d{{4,}}$"
REQUEST_ID_PATTERN = rf"^dsr-(?:{SLUG}-)?\d{{4}}-\d{{4,}}$"


def case_id(kind: str, organisation: str | None, year: int, number: int) -> str:
    """`breach-vestskolen-2026-0001`; without an organisation (a single-organisation deployment) `breach-2026-0001`."""
    middle = f"{organisation}-" if organisation else ""
    return f"{KIND_PREFIX[kind]}-{middle}{year}-{number:04d}"


def organisation_of(case_or_letter_id: str) -> str | None:
    """The organisation a case id names (also for `case/n` letter ids), or None for a short id."""
    found = CASE_ID.match(case_or_letter_id.split("/", 1)[0])
    return found.group("org") if found else None


def is_case_id(value: str, kind: str) -> bool:
    found = CASE_ID.match(value)
    return found is not None and found.group("prefix") == KIND_PREFIX[kind]
