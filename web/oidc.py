"""Single sign-on with the organisation's OpenID Connect provider: it proves who someone is, nothing more.

The authorization-code flow with PKCE, state and nonce is authlib's (`authlib.integrations.starlette_client`):
the state, the code verifier and the nonce wait in the signed session cookie, and authlib checks the ID
token's signature against the provider's published keys, its expiry and its nonce. This module adds what
authlib leaves to the caller: the provider must name itself with the issuer it was configured with, the
token must be meant for this client (`aud`), and the e-mail address must be there and verified by the
provider. Whether that address has an account, and which roles it holds, is `AccountStore.authenticate_sso`'s
decision: nothing the provider says about groups or roles is read.
"""

from __future__ import annotations

import warnings
from typing import Any

import httpx
from authlib.common.errors import AuthlibBaseError
from authlib.deprecate import AuthlibDeprecationWarning

with warnings.catch_warnings():
    # authlib 1.9 prefers the httpx2 fork and, on every start, warns that it falls back to httpx; it supports
    # httpx until 2.0 (pyproject.toml pins authlib below that), so the line would only puzzle an operator.
    warnings.filterwarnings("ignore", "The httpx module is deprecated", AuthlibDeprecationWarning)
    from authlib.integrations.starlette_client import OAuth
from joserfc.errors import JoseError
from starlette.requests import Request
from starlette.responses import Response

from app.settings import Settings
from web.accounts import SsoRefused, normalise_email

try:  # the client authlib actually uses: httpx2 when installed (see above), else httpx
    import httpx2  # type: ignore[import-not-found]

    HTTP_ERRORS: tuple[type[Exception], ...] = (httpx.HTTPError, httpx2.HTTPError)
except ImportError:
    HTTP_ERRORS = (httpx.HTTPError,)

CALLBACK_PATH = "/login/sso/callback"
FAILED_DA = "Login med organisationens konto mislykkedes. Prøv igen."
UNAVAILABLE_DA = "Organisationens login svarer ikke lige nu. Prøv igen om lidt."
NO_EMAIL_DA = "Organisationens login oplyste ikke din e-mailadresse. Kontakt driften."
UNVERIFIED_DA = "Organisationens login har ikke bekræftet din e-mailadresse. Kontakt driften."
TIMEOUT_SECONDS = 10.0  # a login page must not hang on a provider that does not answer


class ProviderUnavailable(SsoRefused):
    """The provider did not answer, or not as a provider should: nobody's fault at the login page."""


class SingleSignOn:
    """One configured provider; made once per app, only when settings turn single sign-on on."""

    def __init__(self, settings: Settings) -> None:
        self.label = settings.oidc_label
        self.client_id = settings.oidc_client_id.strip()
        self.issuer = settings.oidc_issuer()
        # The address registered at the provider; from the public URL, not from the request, so a proxy or a
        # forged Host header cannot change where the provider sends the code.
        self.redirect_uri = settings.public_url.rstrip("/") + CALLBACK_PATH
        secret = settings.oidc_client_secret.get_secret_value() if settings.oidc_client_secret else ""
        self.client: Any = OAuth().register(
            "sso",
            client_id=self.client_id,
            client_secret=secret or None,
            server_metadata_url=settings.oidc_metadata_url(),
            client_kwargs={
                "scope": settings.oidc_scopes,
                "code_challenge_method": "S256",
                # Without a secret this is a public client: PKCE alone binds the code to this browser's flow.
                "token_endpoint_auth_method": "client_secret_basic" if secret else "none",
                "timeout": TIMEOUT_SECONDS,
            },
        )

    async def start(self, request: Request) -> Response:
        """The redirect to the provider's login; state, nonce and PKCE verifier go into the session."""
        try:
            await self._metadata()
            return await self.client.authorize_redirect(request, self.redirect_uri)
        except HTTP_ERRORS as err:
            raise ProviderUnavailable(UNAVAILABLE_DA, f"provider_unreachable: {type(err).__name__}") from err
        except (AuthlibBaseError, ValueError, RuntimeError) as err:  # no JSON, or no authorization endpoint in it
            raise ProviderUnavailable(FAILED_DA, f"bad_discovery_document: {type(err).__name__}") from err

    async def verified_email(self, request: Request) -> str:
        """The e-mail address the provider vouches for, from the validated ID token of this callback."""
        try:
            metadata = await self._metadata()
            token = await self.client.authorize_access_token(request, claims_options={
                "iss": {"essential": True, "values": [metadata["issuer"]]},
                "aud": {"essential": True, "values": [self.client_id]},
            })
        except HTTP_ERRORS as err:
            raise ProviderUnavailable(UNAVAILABLE_DA, f"provider_unreachable: {type(err).__name__}") from err
        except (AuthlibBaseError, JoseError, ValueError, KeyError) as err:
            # A wrong or reused state, an error from the provider, a token that fails a check: one answer.
            raise SsoRefused(FAILED_DA, f"invalid_response: {type(err).__name__}: {err}"[:300]) from err
        return email_from_claims(token.get("userinfo"))

    async def _metadata(self) -> dict[str, Any]:
        """The provider's discovery document (fetched once); it must name the issuer it was configured as."""
        metadata = await self.client.load_server_metadata()
        # OpenID Connect Discovery 1.0 section 4.3: otherwise another provider could stand in for this one.
        if str(metadata.get("issuer", "")).rstrip("/") != self.issuer:
            self.client.server_metadata.clear()  # fetched again next time, after the operator fixed it
            raise ProviderUnavailable(FAILED_DA, "issuer_mismatch")
        return metadata


def email_from_claims(claims: dict[str, Any] | None) -> str:
    """The verified e-mail address in validated ID-token claims, lower-case; refuses without one."""
    if not claims:
        raise SsoRefused(FAILED_DA, "no_id_token")
    email = claims.get("email")
    if not isinstance(email, str) or not email.strip():
        raise SsoRefused(NO_EMAIL_DA, "no_email_claim")
    # Strictly the JSON value true: an unverified address could be anyone's, and the account is found by it.
    if claims.get("email_verified") is not True:
        raise SsoRefused(UNVERIFIED_DA, "email_not_verified")
    return normalise_email(email)
