"""Who is asking, and may they: the login session, CSRF tokens and the role checks every router applies.

The session cookie is signed (itsdangerous, through Starlette's SessionMiddleware), HttpOnly, SameSite=Lax
and expires; it holds only the account's e-mail and the CSRF token. Every request looks the account up
again, so a disabled account is out at once. Roles come from the account, never from the request.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from fastapi import Depends, HTTPException, Request
from sqlalchemy import Engine

from app.settings import Settings
from web.accounts import Account, AccountStore
from web.roles import WebRole

CSRF_FIELD = "csrf_token"


class LoginRequired(Exception):
    """Raised by `current_user` for an anonymous request; the app answers with the login page."""


def session_secret(settings: Settings) -> str:
    """The signing key: from settings, else the key file `make run` creates, else one for this process only."""
    if settings.session_secret is not None:
        return settings.session_secret.get_secret_value()
    path = Path(settings.session_secret_file)
    if path.is_file():
        return path.read_text().strip()
    return secrets.token_urlsafe(32)


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def accounts(request: Request) -> AccountStore:
    return request.app.state.accounts


def current_user(request: Request, store: AccountStore = Depends(accounts)) -> Account:
    email = request.session.get("email")
    account = store.get(email) if email else None
    if account is None or account.disabled:
        request.session.pop("email", None)
        raise LoginRequired()
    return account


async def check_csrf(request: Request) -> None:
    """Every state-changing request carries the session's token; without it: 403, and nothing changes."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = request.session.get("csrf")
    if not expected or not isinstance(sent, str) or not secrets.compare_digest(sent, expected):
        raise HTTPException(status_code=403, detail="Formularen er udløbet eller ugyldig. Indlæs siden igen.")


def require(*roles: WebRole):
    """A dependency: the logged-in account holds one of `roles`, or the answer is 403."""
    def check(user: Account = Depends(current_user)) -> Account:
        if not set(roles) & set(user.roles):
            raise HTTPException(status_code=403, detail="Du har ikke en rolle, der giver adgang til dette.")
        return user
    return check


def engine_of(request: Request) -> Engine:
    return request.app.state.engine
