"""What the `gdpr` command line accepts, and the one-line errors it gives otherwise.

A person at the command line gets one line naming what to fix and exit code 2, never a
Python traceback: JSON of the wrong type, a file that is missing, unreadable or not
UTF-8, an empty id, a request id given to the breach commands (and vice versa), a case
that does not exist. Exit code 3 is kept for "Temporal cannot be reached".

Every command imports this module, `gdpr deadline` and `gdpr --help` too, so it imports nothing heavy at
the top: the Temporal client, YAML, the data inventory and pydantic are imported by the function that
needs them (tests/unit/test_cli_imports.py).
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import ValidationError
    from temporalio.service import RPCError

    from domain.requests.inventory import Inventory

BREACH_ID = re.compile(r"^breach-\d{4}-\d{4,}$")
REQUEST_ID = re.compile(r"^dsr-\d{4}-\d{4,}$")
_KINDS = {"breach": (BREACH_ID, "brudsag", "gdpr case show"), "request": (REQUEST_ID, "anmodning", "gdpr request show")}


class UserError(Exception):
    """Something the person can fix; printed as one line, exit code 2."""


def unreachable(err: RPCError) -> bool:
    """The RPC codes that mean "the server is not there", not "your request was wrong"."""
    from temporalio.service import RPCStatusCode

    return err.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED)


def validation_message(err: ValidationError) -> str:
    """A pydantic refusal as the field list the CLI prints."""
    lines = []
    for e in err.errors():
        field = ".".join(str(p) for p in e["loc"]) or "(input)"
        lines.append(f"  {field}: {e['msg']}")
    return "invalid input:\n" + "\n".join(lines)


def parse_time(value: str | None, field: str) -> datetime | None:
    """An ISO-8601 time a person typed, or 'now'; without an offset it is local (Copenhagen) time."""
    from domain.kernel.bounds import EARLIEST, LATEST
    from domain.kernel.deadlines import COPENHAGEN

    if value is None:
        return None
    if value == "now":
        return datetime.now(timezone.utc)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UserError(f"{field}: '{value}' is not an ISO-8601 time (e.g. 2026-03-27T14:20+01:00)") from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=COPENHAGEN)  # local time by default
    if moment < EARLIEST:  # the future is refused by each caller, with its own horizon
        raise UserError(f"{field}: must lie between {EARLIEST:%Y-%m-%d} and {LATEST.year - 1}-12-31")
    return moment


def json_object(text: str, source: str) -> dict[str, Any]:
    """The fields of an action: a JSON object, nothing else (not a list, null, a string or a number)."""
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as err:
        raise UserError(f"{source} is not valid JSON: {err}") from None
    if not isinstance(value, dict):
        raise UserError(f"{source} must be a JSON object with the action's fields, e.g. "
                        f"{{\"reason\": \"...\"}}; got {type(value).__name__ if value is not None else 'null'}")
    return value


def read_text_file(path: str, source: str) -> str:
    """A UTF-8 text file, or a one-line error saying why it cannot be read."""
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except FileNotFoundError:
        raise UserError(f"{source}: the file '{path}' does not exist") from None
    except IsADirectoryError:
        raise UserError(f"{source}: '{path}' is a folder, not a file") from None
    except PermissionError:
        raise UserError(f"{source}: no permission to read '{path}'") from None
    except UnicodeDecodeError:
        raise UserError(f"{source}: '{path}' is not UTF-8 text; save it as UTF-8") from None
    except OSError as err:
        raise UserError(f"{source}: cannot read '{path}': {err.strerror or err}") from None


def json_file(path: str, source: str) -> Any:
    text = read_text_file(path, source)
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as err:
        raise UserError(f"{source}: '{path}' is not valid JSON: {err}") from None


def case_id(value: str, kind: str) -> str:
    """An id of the right kind: 'breach-2026-0001' for breach commands, 'dsr-2026-0001' for requests."""
    pattern, noun, _ = _KINDS[kind]
    value = value.strip()
    if not value:
        raise UserError(f"the id of the {'case' if kind == 'breach' else 'request'} is empty")
    if pattern.match(value):
        return value
    for other, (other_pattern, other_noun, command) in _KINDS.items():
        if other != kind and other_pattern.match(value):
            raise UserError(f"{value} er en {other_noun}, ikke en {noun}; brug `{command} {value}`")
    example = "breach-2026-0001" if kind == "breach" else "dsr-2026-0001"
    raise UserError(f"'{value}' er ikke et gyldigt id for en {noun} (fx {example})")


def rpc_problem(err: RPCError, what: str) -> UserError:
    """A refused call as a person reads it; NOT_FOUND says the case does not exist."""
    from temporalio.service import RPCStatusCode

    if err.status == RPCStatusCode.NOT_FOUND:
        return UserError(f"{what} findes ikke")
    return UserError(f"{what}: {err.message}")


def moment_in_range(moment: datetime, field: str, now: datetime) -> datetime:
    """A time a person gave: not before 1990 and not more than a year after now."""
    from domain.kernel.bounds import EARLIEST, HORIZON, LATEST

    if moment < EARLIEST:
        raise UserError(f"{field}: must lie between {EARLIEST:%Y-%m-%d} and {LATEST.year - 1}-12-31")
    if moment > now + HORIZON:
        raise UserError(f"{field}: cannot be more than a year in the future")
    return moment


def inventory_from(path: Path) -> Inventory:
    """The data inventory named in the settings, or one line saying why it cannot be used."""
    import yaml
    from pydantic import ValidationError

    from activities.inventory_file import load_inventory

    try:
        return load_inventory(path)
    except FileNotFoundError:
        raise UserError(f"inventory: the file '{path}' does not exist (GDPR_INVENTORY_FILE)") from None
    except UnicodeDecodeError:
        raise UserError(f"inventory: '{path}' is not UTF-8 text") from None
    except OSError as err:
        raise UserError(f"inventory: cannot read '{path}': {err.strerror or err}") from None
    except (yaml.YAMLError, json.JSONDecodeError) as err:
        raise UserError(f"inventory: '{path}' is not valid YAML/JSON: {str(err).splitlines()[0]}") from None
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(file)"
        raise UserError(f"inventory: '{path}': {where}: {first['msg']} ({err.error_count()} problem(s))") from None
