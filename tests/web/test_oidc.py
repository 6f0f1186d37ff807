"""Single sign-on against a real OpenID Connect provider: a small one written here, served by uvicorn on a
free port, which the workspace reaches over HTTP like any other (discovery, keys, token endpoint).

The provider checks what a real one checks (client secret, redirect URI, PKCE, single-use codes) and signs
RS256 ID tokens with joserfc, the JOSE library authlib itself uses since authlib.jose was deprecated. Its
knobs (`person`, `tamper`, `deny`, ...) let a test make it answer wrongly. The login pages need no Temporal:
these tests build the app with `create_app(settings)` alone.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from joserfc import jwt
from joserfc.jwk import RSAKey
from pydantic import SecretStr
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from activities.db import users
from app.settings import Settings
from web.accounts import REFUSED_DA, SSO_DISABLED_DA, SSO_UNKNOWN_DA
from web.app import create_app
from web.oidc import FAILED_DA, NO_EMAIL_DA, UNAVAILABLE_DA, UNVERIFIED_DA
from web.roles import WebRole
from tests.web.support import PASSWORD, PUBLIC, csrf_of, every_route, log_in

CLIENT_ID = "gdpr-arbejdsrum"
CLIENT_SECRET = "hemmeligheden-fra-udbyderen"
WORKSPACE = "http://test"  # the workspace's public URL; the tests' client speaks to it in-process
CALLBACK = WORKSPACE + "/login/sso/callback"


class FakeProvider:
    """An identity provider that logs in whoever `person` says, at once (no login page of its own)."""

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "udbyder-1"}, private=True)
        self.issuer = ""  # known once the server has a port
        self.reset()
        self.app = Starlette(routes=[
            Route("/.well-known/openid-configuration", self.discovery),
            Route("/jwks", self.jwks),
            Route("/authorize", self.authorize),
            Route("/token", self.token, methods=["POST"]),
        ])

    def reset(self) -> None:
        self.person: dict[str, Any] = {}
        self.tamper: dict[str, Any] = {}  # claims overridden in the next ID token
        self.sign_with: RSAKey | None = None  # another key: a forged signature
        self.deny = False  # the person cancels at the provider
        self.discovery_issuer: str | None = None  # another issuer in the discovery document
        self.client_secret: str | None = CLIENT_SECRET  # None: a public client (no secret, PKCE only)
        self.codes: dict[str, dict[str, Any]] = {}
        self.authorize_requests: list[dict[str, str]] = []
        self.token_requests = 0

    async def discovery(self, request: Request) -> Response:
        return JSONResponse({
            "issuer": self.discovery_issuer or self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "none"],
        })

    async def jwks(self, request: Request) -> Response:
        return JSONResponse({"keys": [self.key.as_dict(private=False)]})

    async def authorize(self, request: Request) -> Response:
        q = dict(request.query_params)
        self.authorize_requests.append(q)
        if q.get("client_id") != CLIENT_ID or q.get("redirect_uri") != CALLBACK:
            return Response("unknown client or redirect URI", status_code=400)  # never redirect to an unknown URI
        back = {"state": q.get("state", "")}
        if self.deny:
            back["error"] = "access_denied"
        elif (q.get("response_type") != "code" or "openid" not in q.get("scope", "").split()
              or q.get("code_challenge_method") != "S256" or not q.get("code_challenge")):
            back["error"] = "invalid_request"
        else:
            code = secrets.token_urlsafe(16)
            self.codes[code] = {"challenge": q["code_challenge"], "nonce": q.get("nonce"),
                                "redirect_uri": q["redirect_uri"], "person": dict(self.person)}
            back["code"] = code
        return RedirectResponse(f"{CALLBACK}?{urlencode(back)}", status_code=302)

    async def token(self, request: Request) -> Response:
        self.token_requests += 1
        form = dict(await request.form())
        if not self._client_authenticated(request, form):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = self.codes.pop(str(form.get("code")), None)  # single use
        if grant is None or form.get("grant_type") != "authorization_code" or form.get("redirect_uri") != grant["redirect_uri"]:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        verifier = str(form.get("code_verifier", ""))
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if not secrets.compare_digest(challenge, grant["challenge"]):
            return JSONResponse({"error": "invalid_grant", "error_description": "PKCE"}, status_code=400)
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300, "sub": "bruger-42",
                  "nonce": grant["nonce"], **grant["person"], **self.tamper}
        id_token = jwt.encode({"alg": "RS256", "kid": "udbyder-1"}, claims, self.sign_with or self.key)
        return JSONResponse({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 300,
                             "id_token": id_token})

    def _client_authenticated(self, request: Request, form: dict[str, Any]) -> bool:
        if self.client_secret is None:
            return form.get("client_id") == CLIENT_ID
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        given = base64.b64decode(encoded).decode()
        return secrets.compare_digest(given, f"{CLIENT_ID}:{self.client_secret}")


@pytest.fixture(scope="module")
def running_provider() -> Iterator[FakeProvider]:
    provider = FakeProvider()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    provider.issuer = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(provider.app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the fake provider did not start"
        time.sleep(0.01)
    yield provider
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture
def provider(running_provider: FakeProvider) -> FakeProvider:
    running_provider.reset()
    running_provider.person = {"email": "mille@skole.dk", "email_verified": True, "name": "Mille N."}
    return running_provider


def sso_settings(settings: Settings, provider: FakeProvider, **changes: Any) -> Settings:
    return settings.model_copy(update={
        "session_secret": SecretStr("t" * 43), "public_url": WORKSPACE, "oidc_discovery_url": provider.issuer,
        "oidc_client_id": CLIENT_ID, "oidc_client_secret": SecretStr(CLIENT_SECRET), **changes})


@pytest.fixture
def app(settings: Settings, provider: FakeProvider) -> FastAPI:
    app = create_app(sso_settings(settings, provider))
    app.state.accounts.add_sso("mille@skole.dk", "Mille Nordstrand", [WebRole.KEY_PERSON, WebRole.DPO])
    app.state.accounts.add("ansat@skole.dk", "Rasmus Ansat", [WebRole.EMPLOYEE], PASSWORD)
    return app


@pytest.fixture
async def browser(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=WORKSPACE) as client:
        yield client


async def at_provider(start: httpx.Response) -> str:
    """Follows the workspace's redirect to the provider, as the browser would; returns where it sends us back."""
    assert start.status_code == 302, start.text
    async with httpx.AsyncClient() as client:
        answer = await client.get(start.headers["location"])
    assert answer.status_code == 302, answer.text
    back = answer.headers["location"]
    assert back.startswith(CALLBACK + "?")
    return back


async def sso_login(browser: httpx.AsyncClient, next: str = "/") -> httpx.Response:
    start = await browser.get("/login/sso", params={"next": next})
    return await browser.get(await at_provider(start))


def session_of(client: httpx.AsyncClient) -> dict[str, Any]:
    """What the signed session cookie holds (signed, not encrypted: readable, which the tests use)."""
    payload = client.cookies["gdpr_session"].split(".")[0]
    return json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))


def user_count(app: FastAPI) -> int:
    with app.state.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(users)).scalar_one()


async def assert_logged_out(browser: httpx.AsyncClient) -> None:
    response = await browser.get("/")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


# --- logging in -------------------------------------------------------------------------------------------


async def test_the_login_page_offers_single_sign_on_beside_the_password_form(browser: httpx.AsyncClient):
    html = (await browser.get("/login", params={"next": "/brud/ny?a=1&b=2"})).text
    assert ">E-mail</label>" in html and ">Adgangskode</label>" in html and ">Log ind</button>" in html
    assert 'href="/login/sso?next=/brud/ny%3Fa%3D1%26b%3D2"' in html
    assert ">Log ind med organisationens konto</a>" in html


async def test_an_existing_account_logs_in_through_the_provider_with_its_local_roles(
        app: FastAPI, browser: httpx.AsyncClient, provider: FakeProvider):
    # The provider says the person is an operator: the workspace does not listen.
    provider.person.update(email="Mille@Skole.DK", roles=["operator"], groups=["drift"])
    await browser.get("/login")
    csrf_before = session_of(browser)["csrf"]
    start = await browser.get("/login/sso")
    asked = parse_qs(urlsplit(start.headers["location"]).query)
    assert asked["code_challenge_method"] == ["S256"] and asked["state"] and asked["nonce"]
    assert asked["scope"] == ["openid email profile"] and asked["redirect_uri"] == [CALLBACK]

    response = await browser.get(await at_provider(start))
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    session = session_of(browser)  # a new session: only the login and a new token, nothing of the round trip
    assert set(session) == {"email", "csrf"} and session["email"] == "mille@skole.dk"
    assert session["csrf"] != csrf_before
    page = await browser.get("/")
    assert page.status_code == 200
    assert "Mille Nordstrand (nøgleperson, databeskyttelsesrådgiver)" in page.text
    assert 'href="/drift"' not in page.text
    assert (await browser.get("/drift")).status_code == 403
    with app.state.engine.connect() as conn:
        assert conn.execute(select(users.c.last_login_at).where(users.c.email == "mille@skole.dk")).scalar()


async def test_an_account_with_a_password_may_also_log_in_through_the_provider(
        browser: httpx.AsyncClient, provider: FakeProvider):
    provider.person["email"] = "ansat@skole.dk"
    response = await sso_login(browser)
    assert response.status_code == 303
    assert "Rasmus Ansat (medarbejder)" in (await browser.get("/")).text


async def test_a_public_client_logs_in_with_pkce_alone(settings: Settings, provider: FakeProvider):
    provider.client_secret = None
    app = create_app(sso_settings(settings, provider, oidc_client_secret=None))
    app.state.accounts.add_sso("mille@skole.dk", "Mille Nordstrand", [WebRole.DPO])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=WORKSPACE) as client:
        response = await sso_login(client)
    assert response.status_code == 303 and response.headers["location"] == "/"


@pytest.mark.parametrize("next, lands_on", [
    ("/brud/ny?x=1", "/brud/ny?x=1"),
    ("//evil.example/", "/"),
    ("https://evil.example/", "/"),
    ("/\\evil.example/", "/"),
    ("/\t/evil.example/", "/"),
])
async def test_after_login_the_workspace_goes_only_to_its_own_pages(browser: httpx.AsyncClient, next: str,
                                                                     lands_on: str):
    response = await sso_login(browser, next)
    assert response.status_code == 303 and response.headers["location"] == lands_on


async def test_single_sign_on_adds_exactly_two_public_routes(app: FastAPI):
    public = {(m, p) for m, p in every_route(app) if p in {p for _, p in PUBLIC} or p.startswith("/login/sso")}
    assert public == PUBLIC | {("GET", "/login/sso"), ("GET", "/login/sso/callback")}


# --- refusals ---------------------------------------------------------------------------------------------


async def test_an_unknown_address_is_refused_in_danish_and_no_account_is_created(
        app: FastAPI, browser: httpx.AsyncClient, provider: FakeProvider):
    provider.person["email"] = "ny.person@skole.dk"
    before = user_count(app)
    response = await sso_login(browser)
    assert response.status_code == 403
    assert SSO_UNKNOWN_DA in response.text and "Din konto findes ikke i arbejdsrummet" in response.text
    assert ">E-mail</label>" in response.text  # the login page, with the password form still there
    assert user_count(app) == before
    assert app.state.accounts.get("ny.person@skole.dk") is None
    await assert_logged_out(browser)


@pytest.mark.parametrize("verified", [False, None, "true"], ids=["false", "missing", "a-string"])
async def test_an_address_the_provider_has_not_verified_is_refused(
        browser: httpx.AsyncClient, provider: FakeProvider, verified: Any):
    if verified is None:
        del provider.person["email_verified"]
    else:
        provider.person["email_verified"] = verified
    response = await sso_login(browser)
    assert response.status_code == 403 and UNVERIFIED_DA in response.text
    await assert_logged_out(browser)


async def test_an_id_token_without_an_address_is_refused(browser: httpx.AsyncClient, provider: FakeProvider):
    del provider.person["email"]
    response = await sso_login(browser)
    assert response.status_code == 403 and NO_EMAIL_DA in response.text
    await assert_logged_out(browser)


async def test_a_disabled_account_is_refused(app: FastAPI, browser: httpx.AsyncClient):
    app.state.accounts.disable("mille@skole.dk")
    response = await sso_login(browser)
    assert response.status_code == 403 and SSO_DISABLED_DA in response.text
    await assert_logged_out(browser)


async def test_a_callback_with_another_state_is_refused_and_the_provider_is_not_asked(
        browser: httpx.AsyncClient, provider: FakeProvider):
    back = await at_provider(await browser.get("/login/sso"))
    query = parse_qs(urlsplit(back).query)
    forged = f"{CALLBACK}?{urlencode({'code': query['code'][0], 'state': 'en-anden-tilstand'})}"
    response = await browser.get(forged)
    assert response.status_code == 403 and FAILED_DA in response.text
    assert provider.token_requests == 0
    await assert_logged_out(browser)


async def test_a_callback_from_a_flow_started_in_another_browser_is_refused(
        app: FastAPI, browser: httpx.AsyncClient, provider: FakeProvider):
    """Login CSRF: an attacker's own callback link, opened by the victim, must not log the victim in as anyone."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=WORKSPACE) as attacker:
        back = await at_provider(await attacker.get("/login/sso"))
    response = await browser.get(back)
    assert response.status_code == 403 and FAILED_DA in response.text
    await assert_logged_out(browser)


async def test_a_callback_cannot_be_used_twice(browser: httpx.AsyncClient):
    back = await at_provider(await browser.get("/login/sso"))
    assert (await browser.get(back)).status_code == 303
    await browser.post("/logout", data={"csrf_token": session_of(browser)["csrf"]})
    response = await browser.get(back)
    assert response.status_code == 403
    await assert_logged_out(browser)


async def test_a_person_who_cancels_at_the_provider_is_back_at_the_login_page(
        browser: httpx.AsyncClient, provider: FakeProvider):
    provider.deny = True
    response = await sso_login(browser)
    assert response.status_code == 403 and FAILED_DA in response.text
    await assert_logged_out(browser)


def _foreign_key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": "udbyder-1"}, private=True)


@pytest.mark.parametrize("tamper, sign_with", [
    ({"aud": "en-anden-klient"}, None),
    ({"aud": "en-anden-klient", "azp": CLIENT_ID}, None),  # authlib alone would accept this one
    ({"iss": "http://127.0.0.1:1"}, None),
    ({"nonce": "en-gammel-nonce"}, None),
    ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, None),
    ({}, "foreign"),
], ids=["audience", "audience-with-azp", "issuer", "nonce", "expired", "signature"])
async def test_an_id_token_that_fails_a_check_is_refused(browser: httpx.AsyncClient, provider: FakeProvider,
                                                        tamper: dict[str, Any], sign_with: str | None):
    provider.tamper = tamper
    provider.sign_with = _foreign_key() if sign_with else None
    response = await sso_login(browser)
    assert response.status_code == 403 and FAILED_DA in response.text
    await assert_logged_out(browser)


async def test_a_provider_that_names_another_issuer_is_not_used(browser: httpx.AsyncClient, provider: FakeProvider):
    provider.discovery_issuer = "https://en-anden-udbyder.example"
    response = await browser.get("/login/sso")
    assert response.status_code == 502 and FAILED_DA in response.text
    assert provider.authorize_requests == []


async def test_a_provider_that_does_not_answer_gets_a_danish_message(settings: Settings, provider: FakeProvider):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
    app = create_app(sso_settings(settings, provider, oidc_discovery_url=f"http://127.0.0.1:{closed.getsockname()[1]}"))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=WORKSPACE) as client:
            response = await client.get("/login/sso")
    finally:
        closed.close()
    assert response.status_code == 502 and UNAVAILABLE_DA in response.text
    assert ">E-mail</label>" in response.text


async def test_an_account_without_a_password_cannot_log_in_with_one(browser: httpx.AsyncClient):
    sso_only = await log_in(browser, "mille@skole.dk", "hvad som helst, også tomt")
    wrong = await log_in(browser, "ansat@skole.dk", "forkert forkert forkert")
    assert sso_only.status_code == wrong.status_code == 401
    assert REFUSED_DA in sso_only.text and REFUSED_DA in wrong.text
    await assert_logged_out(browser)


# --- not configured ---------------------------------------------------------------------------------------


async def test_without_configuration_there_is_no_single_sign_on(settings: Settings):
    app = create_app(settings.model_copy(update={"session_secret": SecretStr("t" * 43)}))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=WORKSPACE) as client:
        page = await client.get("/login")
        assert page.status_code == 200 and "/login/sso" not in page.text and "organisationens konto" not in page.text
        assert ">E-mail</label>" in page.text and ">Log ind</button>" in page.text
        assert (await client.get("/login/sso")).status_code == 404
        assert (await client.get("/login/sso/callback", params={"code": "x", "state": "y"})).status_code == 404
        assert csrf_of(page.text)
