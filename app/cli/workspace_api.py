"""The command line's people-commands go through the web workspace's API, as the person a token belongs to.

Reporting a breach, receiving a request, acting on a case and handling a dead letter are decisions a
person answers for, so the CLI never names the actor itself: the workspace (web/routes/api.py) takes it
from the personal token the person created under "Min konto" (GDPR_TOKEN), and chooses the role from the
procedure's table, as it does for a form. Reading commands (`gdpr case show`, `gdpr cases`, …) stay the
operator's, on the host.
"""

from __future__ import annotations

from typing import Any

import httpx

from app.cli.input import UserError
from app.settings import Settings


class WorkspaceUnreachable(Exception):
    """The workspace did not answer (not started, wrong GDPR_PUBLIC_URL); exit code 3, like Temporal."""


async def post(settings: Settings, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST `body` as the token's person; the answer's JSON, or a one-line `UserError` with the reason."""
    base = settings.public_url.rstrip("/")
    if settings.token is None:
        raise UserError(f"this command acts in your name: create a personal token in the workspace "
                        f"({base}/konto) and set GDPR_TOKEN")
    headers = {"Authorization": f"Bearer {settings.token.get_secret_value()}"}
    try:
        async with httpx.AsyncClient(base_url=base, timeout=120) as http:
            response = await http.post(path, json=body, headers=headers)
    except httpx.TransportError as err:
        raise WorkspaceUnreachable(f"cannot reach the workspace at {base} ({type(err).__name__})") from None
    try:
        answer = response.json()
    except ValueError:
        answer = {"detail": f"the workspace answered {response.status_code} without JSON"}
    if response.is_success:
        return answer
    raise UserError(problem(answer, response.status_code))


def problem(answer: Any, status: int) -> str:
    """The workspace's refusal as the one line (or field list) the CLI prints."""
    if not isinstance(answer, dict):
        return f"the workspace answered {status}"
    errors = answer.get("errors")
    if isinstance(errors, list) and errors:
        return "invalid input:\n" + "\n".join(f"  {e.get('field')}: {e.get('message')}" for e in errors)
    detail = str(answer.get("detail") or f"the workspace answered {status}")
    return f"refused: {detail}" if status == 409 and not detail.startswith("refused") else detail
