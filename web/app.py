"""The web workspace as one FastAPI application: pages in Danish, roles from the login, forms with CSRF.

Routes are thin: they read the form, call the same application function the CLI calls (e.g.
`app.cli.breach.open_breach`), and render a template. Every router except the login page and /healthz
requires a logged-in account (`current_user`) and a CSRF token on every POST (`check_csrf`), as a
router dependency, so a new route cannot forget either. The one exception to the form token is the
Temporal UI's codec endpoint (JSON, not forms): operator login and an Origin check instead (web/routes/codec.py).
Single sign-on (web/oidc.py, web/routes/sso.py) adds two public routes, and only when settings turn it on.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Awaitable, Callable

from fastapi import APIRouter, Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware
from temporalio.client import Client

from activities.db import make_engine
from app.settings import Settings
from web.accounts import Account, AccountStore, LoginRefused, LoginThrottled
from web.roles import REGISTER_ROLES, WEB_ROLE_DA
from web.security import CSRF_FIELD, LoginRequired, check_csrf, csrf_token, current_user, session_secret

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
ClientFactory = Callable[[Settings], Awaitable[Client]]


def render(request: Request, name: str, user: Account | None = None, status_code: int = 200,
           **context: Any) -> HTMLResponse:
    """Every page gets the login, its CSRF token and the role names in Danish."""
    roles_da = ", ".join(WEB_ROLE_DA[role] for role in user.roles) if user else ""
    return TEMPLATES.TemplateResponse(request, name, {
        "user": user, "roles_da": roles_da, "csrf_field": CSRF_FIELD, "csrf": csrf_token(request),
        "sees_register": user is not None and bool(REGISTER_ROLES & set(user.roles)), **context,
    }, status_code=status_code)


def render_login(request: Request, next: str = "/", status_code: int = 200, **context: Any) -> HTMLResponse:
    """The login page; with a link to the organisation's single sign-on when that is set up."""
    sso = request.app.state.sso
    return render(request, "login.html", None, status_code=status_code, next=local_target(next),
                  sso_label=sso.label if sso is not None else None, **context)


def create_app(settings: Settings, client_factory: ClientFactory | None = None) -> FastAPI:
    async def default_client(s: Settings) -> Client:
        from app.temporal_client import connect

        return await connect(s)

    connect_client = client_factory or default_client

    app = FastAPI(title="GDPR-sager", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.client = None  # connected on first use, so the login page works while Temporal starts
    app.state.settings = settings
    app.state.engine = make_engine(settings.database_url)
    app.state.accounts = AccountStore(app.state.engine)
    from app.organisations import Registry

    app.state.organisations = Registry(settings)  # re-read when its folder changes: no restart for a new one
    app.state.client_factory = connect_client
    app.state.sso = None
    if settings.oidc_enabled:
        from web.oidc import SingleSignOn

        app.state.sso = SingleSignOn(settings)  # no network yet: the provider is asked at the first SSO login
    app.add_middleware(SessionMiddleware, secret_key=session_secret(settings), session_cookie="gdpr_session",
                       max_age=int(settings.session_hours * 3600), same_site="lax",
                       https_only=settings.public_url.startswith("https://"))

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired) -> Response:
        if request.method == "GET":
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        return PlainTextResponse("Log ind først.", status_code=401)

    @app.exception_handler(HTTPException)
    async def refused(request: Request, exc: HTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return render(request, "error.html", None, status_code=exc.status_code, message=exc.detail)

    app.include_router(public_router())
    if app.state.sso is not None:
        from web.routes import sso

        app.include_router(sso.router)  # public: the provider's answer and the local account decide
    from web.routes import account, api, breaches, codec, operator, register, requests, tasks

    for module in (tasks, breaches, requests, register, operator, account):
        app.include_router(module.router, dependencies=[Depends(current_user), Depends(check_csrf)])
    # The Temporal UI's codec endpoint posts JSON, which cannot carry the form token: operator login and an
    # Origin check take the place of check_csrf there (web/routes/codec.py says why that is enough).
    app.include_router(codec.router, dependencies=codec.DEPENDENCIES)
    app.add_middleware(codec.CodecCors, settings=settings)
    # The command line's API: a personal token per call (web/routes/api.py), never the session cookie.
    app.include_router(api.router)
    return app


def refusal_text(error: BaseException) -> str:
    """Why the workflow refused an action, in Danish when the refusal carries it (workflows.common.rejected)."""
    from temporalio.exceptions import ApplicationError

    from app.temporal_client import failure_message

    current: BaseException | None = error
    while current is not None:
        if isinstance(current, ApplicationError) and current.details:
            detail = current.details[0]
            if isinstance(detail, dict) and detail.get("da"):
                return str(detail["da"])
        current = getattr(current, "cause", None) or current.__cause__
    return failure_message(error)


async def temporal(request: Request) -> Client:
    """The Temporal client, connected once per process."""
    app = request.app
    if app.state.client is None:
        app.state.client = await app.state.client_factory(app.state.settings)
    return app.state.client


def public_router() -> APIRouter:
    router = APIRouter()

    @router.get("/healthz", response_class=PlainTextResponse)
    async def healthz() -> str:
        return "ok"

    @router.get("/login", response_class=HTMLResponse)
    async def login_page(request: Request, next: str = "/") -> HTMLResponse:
        return render_login(request, next)

    @router.post("/login", dependencies=[Depends(check_csrf)])
    async def login(request: Request, email: str = Form(""), password: str = Form(""),
                    next: str = Form("/")) -> Response:
        store: AccountStore = request.app.state.accounts
        try:
            account = store.authenticate(email, password, datetime.now(timezone.utc))
        except LoginThrottled:
            return render_login(request, next, email=email, status_code=429,
                                error="For mange forkerte forsøg. Prøv igen om et kvarter.")
        except LoginRefused as err:
            return render_login(request, next, email=email, status_code=401, error=str(err))
        request.session.clear()  # a new session at login: no fixation
        request.session["email"] = account.email
        csrf_token(request)
        return RedirectResponse(local_target(next), status_code=303)

    @router.post("/logout", dependencies=[Depends(check_csrf)])
    async def logout(request: Request) -> Response:
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    return router


def local_target(target: str) -> str:
    """Only a path on this site after login, never another site (an open redirect).

    Browsers read a backslash as a slash and drop tabs and line breaks inside a URL, so "/" followed by a
    backslash, or "/", a tab and "/", leads to another site just as "//" does: refused alike.
    """
    if not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7f for c in target):
        return "/"
    return target
