"""Failures of side effects: classified and scrubbed of personal data.

`effect_errors()` wraps an activity's body. Every exception leaves it as an
`ApplicationError` whose message carries no SQL, no parameters, no addresses, no quoted
values and no long numbers (CPR), because that message is stored in the Temporal history
and printed by the worker's log. Errors that no retry can fix (a value the database
refuses, a malformed mail, a missing file) are non-retryable; the rest (connections,
locks, timeouts, 4xx SMTP replies) retry with backoff until the workflow's bound.
"""

from __future__ import annotations

import re
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager

from pydantic import ValidationError
from sqlalchemy.exc import DataError, IntegrityError, ProgrammingError, StatementError
from temporalio.exceptions import ApplicationError

# Refusals by the database or by our own models: the same input fails the same way every time.
PERMANENT = (IntegrityError, DataError, ProgrammingError, OverflowError, ValueError, TypeError, KeyError,
             ValidationError, FileNotFoundError, IsADirectoryError, UnicodeError)

_SQL_TAIL = re.compile(r"\s*\[(SQL|parameters):.*", re.S)
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_EMAIL = re.compile(r"[^\s@<>()]+@[^\s@<>()]+")
_LONG_NUMBER = re.compile(r"\d[\d -]{4,}\d")


def safe_text(text: str, limit: int = 300) -> str:
    """First line of an error text without anything that could be personal data."""
    text = _SQL_TAIL.sub("", text.strip())
    line = text.splitlines()[0] if text else ""
    line = _EMAIL.sub("<adresse>", line)
    line = _QUOTED.sub("<værdi>", line)
    line = _LONG_NUMBER.sub("<tal>", line)
    return line[:limit]


def is_permanent(err: BaseException) -> bool:
    if isinstance(err, StatementError) and err.orig is not None and not isinstance(err, (IntegrityError, DataError,
                                                                                          ProgrammingError)):
        return is_permanent(err.orig)  # e.g. an OverflowError raised while binding a parameter
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in err.recipients.values())
    if isinstance(err, smtplib.SMTPResponseException):
        return err.smtp_code >= 500
    if isinstance(err, smtplib.SMTPNotSupportedError):
        return True
    return isinstance(err, PERMANENT)


def describe(err: BaseException) -> str:
    if isinstance(err, smtplib.SMTPRecipientsRefused):  # its text lists the addresses
        return "SMTP refused the recipients: " + ", ".join(sorted({str(code) for code, _ in err.recipients.values()}))
    if isinstance(err, smtplib.SMTPResponseException):
        return f"SMTP {err.smtp_code}"
    if isinstance(err, StatementError) and err.orig is not None:
        return f"{type(err.orig).__name__}: {safe_text(str(err.orig))}"
    return safe_text(str(err)) or type(err).__name__


def as_application_error(err: BaseException) -> ApplicationError:
    return ApplicationError(describe(err), type=type(err).__name__, non_retryable=is_permanent(err))


@contextmanager
def effect_errors() -> Iterator[None]:
    """Re-raise any failure as a scrubbed, classified ApplicationError (without the original as cause)."""
    try:
        yield
    except ApplicationError:
        raise
    except Exception as err:  # noqa: BLE001 - every failure is classified, none escapes raw
        raise as_application_error(err) from None
