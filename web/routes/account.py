"""'Min konto': who I am in the workspace, and my personal tokens for the command line.

A token is shown once, when it is made; the workspace keeps only its SHA-256. Each person makes and
revokes only their own; disabling the account (an operator, `gdpr user disable`) revokes them all.
"""

from __future__ import annotations

from datetime import datetime, timezone

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from domain.kernel.deadlines import format_da
from web.accounts import Account, AccountStore
from web.app import render
from web.roles import WEB_ROLE_DA
from web.security import accounts, current_user

router = APIRouter()


def _page(request: Request, user: Account, store: AccountStore, *, new_token: str | None = None,
          notice: str | None = None, status_code: int = 200) -> HTMLResponse:
    tokens = [{"id": t.token_id, "created": format_da(t.created_at),
               "revoked": format_da(t.revoked_at) if t.revoked_at else None} for t in store.list_tokens(user.email)]
    return render(request, "account.html", user, status_code=status_code, tokens=tokens, new_token=new_token,
                  notice=notice, role_names=[WEB_ROLE_DA[r] for r in user.roles],
                  api_url=request.app.state.settings.public_url.rstrip("/"))


@router.get("/konto", response_class=HTMLResponse)
async def account_page(request: Request, user: Account = Depends(current_user),
                       store: AccountStore = Depends(accounts)) -> HTMLResponse:
    return _page(request, user, store)


@router.post("/konto/noegler", response_class=HTMLResponse)
async def create_token(request: Request, user: Account = Depends(current_user),
                       store: AccountStore = Depends(accounts)) -> HTMLResponse:
    token = store.create_token(user.email, datetime.now(timezone.utc))
    # Shown in this answer only (never stored in the session or a redirect), and not kept by the browser's cache.
    response = _page(request, user, store, new_token=token, status_code=201)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/konto/noegler/tilbagekald")
async def revoke_token(request: Request, token_id: str = Form(""), user: Account = Depends(current_user),
                       store: AccountStore = Depends(accounts)) -> Response:
    if not store.revoke_token(user.email, token_id.strip(), datetime.now(timezone.utc)):
        return _page(request, user, store, status_code=404, notice="Nøglen findes ikke eller er allerede tilbagekaldt.")
    return RedirectResponse("/konto", status_code=303)
