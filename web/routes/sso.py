"""Log in with the organisation's account (single sign-on, OpenID Connect): two public routes.

Included by `create_app` only when settings turn single sign-on on; otherwise these paths do not exist
(404). The provider's answer is checked in web/oidc.py, the account in `AccountStore.authenticate_sso`;
the login itself is the password login's: a new session (no fixation) holding the e-mail and a new CSRF
token, then back to the page asked for, if it is on this site.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from web.accounts import AccountStore, SsoRefused
from web.app import local_target, render_login
from web.oidc import ProviderUnavailable, SingleSignOn
from web.security import csrf_token

router = APIRouter()
log = logging.getLogger("web.sso")
NEXT_KEY = "sso_next"  # where to go after the provider, kept in the session across the round trip


@router.get("/login/sso")
async def start(request: Request, next: str = "/") -> Response:
    sso: SingleSignOn = request.app.state.sso
    request.session[NEXT_KEY] = local_target(next)
    try:
        return await sso.start(request)
    except SsoRefused as err:
        request.session.pop(NEXT_KEY, None)
        log.warning("single sign-on could not start", extra={"reason": err.reason})
        return render_login(request, next, status_code=502, error=str(err))


@router.get("/login/sso/callback")
async def callback(request: Request) -> Response:
    sso: SingleSignOn = request.app.state.sso
    store: AccountStore = request.app.state.accounts
    target = local_target(request.session.pop(NEXT_KEY, "/"))
    try:
        email = await sso.verified_email(request)
        account = store.authenticate_sso(email, datetime.now(timezone.utc))
    except SsoRefused as err:
        # The reason code only: the address is personal data, and the provider's log has it.
        log.warning("single sign-on refused", extra={"reason": err.reason})
        status = 502 if isinstance(err, ProviderUnavailable) else 403
        return render_login(request, target, status_code=status, error=str(err))
    request.session.clear()  # a new session at login: no fixation (and authlib's leftovers go too)
    request.session["email"] = account.email
    csrf_token(request)
    return RedirectResponse(target, status_code=303)
