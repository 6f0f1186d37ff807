"""Checks on input that need `now`: a date more than about a year ahead is a typo.

The models refuse dates outside 1990-2099 on their own (domain/breach/model.py: Moment); only
code that knows the current time (the procedure's check with the workflow's clock, the
command line with the wall clock) can refuse "next decade". The domain stays pure: `now`
is passed in.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

# The static window of every date a person may give (domain/breach/model.py: Moment); here, not in the models, so
# the command line can check a date without loading them (`gdpr deadline`, app/cli/input.py).
EARLIEST = datetime(1990, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2100, 1, 1, tzinfo=timezone.utc)
HORIZON = timedelta(days=366)


def beyond_horizon(value: Any, now: datetime, path: str = "") -> list[str]:
    """Dotted names of every datetime in `value` (a model, list or dict) more than HORIZON after `now`."""
    if isinstance(value, datetime):
        return [path or "(input)"] if value.tzinfo is not None and value > now + HORIZON else []
    # A pydantic model, known by its fields rather than by importing pydantic: the CLI reads the bounds
    # without loading pydantic, and in the workflow sandbox an import inside this (recursive) function
    # went through the sandbox's import hook at every field of every command.
    fields = getattr(type(value), "model_fields", None)
    if isinstance(fields, dict):
        items: Any = ((name, getattr(value, name)) for name in fields)
    elif isinstance(value, dict):
        items = value.items()
    elif isinstance(value, (list, tuple)):
        items = enumerate(value)
    else:
        return []
    found: list[str] = []
    for key, item in items:
        found += beyond_horizon(item, now, f"{path}.{key}" if path else str(key))
    return found


def horizon_problem(value: Any, now: datetime) -> str | None:
    """One line naming the fields too far ahead, or None."""
    fields = beyond_horizon(value, now)
    if not fields:
        return None
    return ", ".join(fields) + ": cannot be more than a year in the future"
