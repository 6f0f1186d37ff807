"""The codec endpoint for the Temporal Web UI: `POST /codec/decode`, the worker's `CaseCodec` behind operator login.

The Temporal UI (the "remote codec" / codec server protocol) posts `{"payloads": [...]}` in proto3 JSON
(bytes as base64) with an `X-Namespace` header, from the browser, with the browser's cookies when its
codec setting "Include cross-origin credentials" is on. The answer is the same shape, decrypted.

Who may: a logged-in operator (the session cookie), from the configured Temporal UI origin only. How:
- Not behind the form-token check (`check_csrf`) the other routers carry: that reads a *form* body for
  `csrf_token`, and the UI posts JSON it cannot add our token to, so every call would be refused. The
  codec router has its own dependencies instead (app.py): `require(OPERATOR)` and `check_origin`, which
  accepts only a request whose `Origin` is the Temporal UI's. A browser always sends `Origin` on a
  cross-origin POST and a page cannot forge it, so a request from any other site is refused before
  anything is decoded: that is the CSRF protection here. A JSON body also forces a CORS preflight,
  which only the UI's origin passes (`CodecCors`).
- CORS for the UI's origin, with credentials, on `/codec/*` only: the rest of the workspace stays
  same-origin, so the UI's origin can never read a page (or its CSRF token).
- No `/codec/encode`. The UI would encode what a person types to start or signal a workflow, without
  saying which workflow: `CaseCodec` would seal it under the shared key, outside the case's key and so
  beyond crypto-shredding. Cases change through the workspace (updates with validators), not the UI.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from google.protobuf import json_format
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from temporalio.api.common.v1 import Payloads

from app.codec import CaseCodec, CodecError
from app.settings import Settings
from web.roles import WebRole
from web.security import require

PREFIX = "/codec"
MAX_BODY = 16 * 1024 * 1024  # a long history's payloads, not a way to make the server hold gigabytes
# What the UI sends (Authorization only when told to pass its own access token; ignored here).
ALLOWED_HEADERS = "Content-Type, X-Namespace, Authorization, Authorization-Extras"

router = APIRouter(prefix=PREFIX)


def ui_origin(settings: Settings) -> str:
    """scheme://host[:port] of the Temporal Web UI, as a browser writes it in `Origin`."""
    parts = urlsplit(settings.temporal_ui_url)
    return f"{parts.scheme}://{parts.netloc}".lower()


async def check_origin(request: Request) -> None:
    """Instead of the form token: the call must come from the Temporal UI's page (see the module doc)."""
    origin = (request.headers.get("origin") or "").lower().rstrip("/")
    if origin != ui_origin(request.app.state.settings):
        raise HTTPException(status_code=403, detail="Kun Temporal Web UI må bruge afkodningen.")


def codec_of(request: Request) -> CaseCodec:
    """The worker's codec (app.temporal_client.key_store: the same master key and key database), made once."""
    app = request.app
    if getattr(app.state, "codec", None) is None:
        from app.temporal_client import key_store

        app.state.codec = CaseCodec(key_store(app.state.settings))
    return app.state.codec


# The dependencies that replace the form token for this router; app.py includes it with these.
DEPENDENCIES = [Depends(require(WebRole.OPERATOR)), Depends(check_origin)]


@router.post("/decode")
async def decode(request: Request, codec: CaseCodec = Depends(codec_of)) -> Response:
    settings: Settings = request.app.state.settings
    namespace = request.headers.get("x-namespace")
    if namespace is not None and namespace != settings.temporal_namespace:
        raise HTTPException(status_code=403, detail="Ukendt namespace.")
    body = await request.body()
    if len(body) > MAX_BODY:
        raise HTTPException(status_code=413, detail="For stor forespørgsel.")
    try:
        payloads = json_format.Parse(body, Payloads(), ignore_unknown_fields=True)
    except (json_format.ParseError, UnicodeDecodeError, ValueError):
        raise HTTPException(status_code=400, detail="Forventede JSON med payloads.") from None
    out = []
    for payload in payloads.payloads:
        try:
            out.extend(await codec.decode([payload]))
        except CodecError:  # shredded key, or altered: shown still encrypted, the rest decodes
            out.append(payload)
    return Response(json_format.MessageToJson(Payloads(payloads=out)), media_type="application/json")


class CodecCors:
    """CORS for `/codec/*` only: the Temporal UI's origin, with credentials; every other origin gets none.

    A preflight (OPTIONS, sent without cookies) is answered here, before routing, so it needs no login;
    it reveals nothing. Every other response under `/codec` to the UI's origin carries the headers, so the
    UI can read a refusal (401/403) too.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.origin = ui_origin(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not (scope["path"] == PREFIX or scope["path"].startswith(PREFIX + "/")):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        allowed = headers.get("origin", "").lower().rstrip("/") == self.origin
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            response = Response(status_code=204 if allowed else 403, headers=self._headers(preflight=True)
                                if allowed else {"Vary": "Origin"})
            await response(scope, receive, send)
            return

        async def with_cors(message: Message) -> None:
            if message["type"] == "http.response.start" and allowed:
                extra = [(k.lower().encode(), v.encode()) for k, v in self._headers(preflight=False).items()]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_cors)

    def _headers(self, preflight: bool) -> dict[str, str]:
        headers = {"Access-Control-Allow-Origin": self.origin, "Access-Control-Allow-Credentials": "true",
                   "Vary": "Origin"}
        if preflight:
            headers |= {"Access-Control-Allow-Methods": "POST", "Access-Control-Allow-Headers": ALLOWED_HEADERS,
                        "Access-Control-Max-Age": "600"}
        return headers
