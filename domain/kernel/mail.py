"""A mail as plain data for the mail activity, and what closes every mail a case sends, breach or request.

`key` is unique per case and step; the mail activity derives the Message-ID from it,
so a retried activity never sends the same mail twice.
"""

from __future__ import annotations

from pydantic import EmailStr, Field

from domain.kernel.model import Strict

# Read by parents, suppliers and staff alike: the case number, nothing internal.
SIGNATURE = "\n\n-- \n{org} · sagsnummer {case_id}\n"
# Only in mails to the organisation's own people (key person, DPO, management, system owners,
# operator): a link to the case in the web workspace. Never a command to type, never a state name;
# mails to reporters, parents, requesters, suppliers and controllers carry no link at all.
LINK_DA = "\n\nÅbn {what} i GDPR-sager: {url}"


def workspace_link(base_url: str | None, path: str, what: str = "sagen") -> str:
    """The closing link line, or nothing when the case's policy names no workspace."""
    return LINK_DA.format(what=what, url=f"{base_url.rstrip('/')}{path}") if base_url else ""


class OutgoingMail(Strict):
    key: str = Field(description="case id + step; the Message-ID is derived from it")
    case_id: str
    to: list[EmailStr] = Field(min_length=1)
    subject: str
    body: str
    attachments: list[str] = Field(default_factory=list, description="files written by an activity, by path")
