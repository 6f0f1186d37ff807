"""Local accounts of the web workspace: who may log in, with which roles, and their personal CLI tokens.

Passwords are kept only as argon2id hashes (`argon2.PasswordHasher()` defaults, rehashed on login when
the defaults grow). A login that fails says the same thing whether the e-mail is unknown, the password
wrong or the account disabled, and an unknown e-mail costs the same hashing time as a known one.
After `MAX_FAILURES` consecutive failures an account is locked for `LOCK_DURATION`.

An account may instead log in only through the organisation's single sign-on (`add_sso`, web/oidc.py):
it has no password, and a password login to it fails exactly like a wrong password. Single sign-on
proves who someone is; whether they have an account, and with which roles, is decided here all the same.

Personal tokens let the CLI's people-commands call the web API as a person; only their SHA-256 is
stored, so the table cannot be used to log in.
"""

from __future__ import annotations

import builtins
import hashlib
import secrets
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, EmailStr, TypeAdapter, ValidationError
from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from activities.db import user_organisations, user_tokens, users
from domain.kernel.deadlines import format_da
from web.roles import WEB_ROLE_DA, WebRole

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # a form field cannot make the server hash megabytes
MAX_FAILURES = 5
LOCK_DURATION = timedelta(minutes=15)
REFUSED_DA = "Forkert e-mail eller adgangskode"
# Said only after the identity provider proved who is asking, so naming the reason reveals nothing to a stranger.
SSO_UNKNOWN_DA = "Din konto findes ikke i arbejdsrummet. Kontakt driften."
SSO_DISABLED_DA = "Din konto er deaktiveret i arbejdsrummet. Kontakt driften."
# The password hash of an account without a password (single sign-on only). The column stays NOT NULL, so
# existing databases need no migration; no argon2 hash can equal it, and `authenticate` never verifies
# against it (that would fail fast, and the speed would tell that the account has no password).
SSO_ONLY = "!sso-only"

_EMAIL = TypeAdapter(EmailStr)
# Verified against when the e-mail is unknown, so that login costs the same hashing time as a real one.
# Made with PasswordHasher() defaults from a random password nobody kept; another hasher makes its own.
_DEFAULT_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$V3fYAbeyYdBILVAdxmIQ8Q$4ENsjGKsf9WGLIwdNFFXORiWbPfptDcUiSZ+0UoPUcM"


class AccountError(ValueError):
    """An account cannot be created or changed as asked; the message says why, in Danish."""


class LoginRefused(Exception):
    """Wrong e-mail, wrong password or a disabled account: deliberately indistinguishable."""

    def __init__(self) -> None:
        super().__init__(REFUSED_DA)


class LoginThrottled(Exception):
    """Too many consecutive failures: no login, not even with the right password, before `until`."""

    def __init__(self, until: datetime) -> None:
        self.until = until
        super().__init__(f"For mange forkerte forsøg. Prøv igen efter {format_da(until)}")


class SsoRefused(Exception):
    """Single sign-on does not log this person in; `str()` is the reason in Danish, `reason` a code for the log."""

    def __init__(self, message_da: str, reason: str) -> None:
        self.reason = reason
        super().__init__(message_da)


class Account(BaseModel):
    """What the workspace knows about a login; the password hash never leaves this module."""

    email: str
    name: str
    roles: list[WebRole]
    disabled: bool
    sso_only: bool = False  # logs in only through single sign-on: it has no password


TOKEN_ID_LENGTH = 12  # the start of a token's SHA-256: enough to tell a person's tokens apart, useless to guess with


class TokenInfo(BaseModel):
    token_id: str
    created_at: datetime
    revoked_at: datetime | None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def parse_roles(roles: Iterable[str | WebRole]) -> list[WebRole]:
    """WebRole values (e.g. `key_person`), each once, in the enum's order; refuses unknown and empty."""
    chosen: set[WebRole] = set()
    for role in roles:
        value = role.value if isinstance(role, WebRole) else str(role).strip()
        if not value:
            continue
        try:
            chosen.add(WebRole(value))
        except ValueError:
            known = ", ".join(f"{r.value} ({WEB_ROLE_DA[r]})" for r in WebRole)
            raise AccountError(f"ukendt rolle '{value}'; vælg blandt: {known}") from None
    if not chosen:
        raise AccountError("en konto skal have mindst én rolle")
    return [r for r in WebRole if r in chosen]


def _utc(moment: datetime) -> datetime:
    """Aware UTC; SQLite hands naive datetimes back, and those were stored as UTC."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _account(row: Any) -> Account:
    return Account(email=row.email, name=row.name, roles=[WebRole(r) for r in row.roles.split(",") if r],
                   disabled=row.disabled, sso_only=row.password_hash == SSO_ONLY)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"adgangskoden skal være mindst {MIN_PASSWORD_LENGTH} tegn")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"adgangskoden må højst være {MAX_PASSWORD_LENGTH} tegn")


class AccountStore:
    """Accounts and tokens in the register database (the `users` and `user_tokens` tables)."""

    def __init__(self, engine: Engine, hasher: PasswordHasher | None = None) -> None:
        self.engine = engine
        self.hasher = hasher or PasswordHasher()
        # The dummy must cost what a real hash costs: the stored one if its parameters are this hasher's.
        self._dummy_hash: str | None = (
            None if self.hasher.check_needs_rehash(_DEFAULT_DUMMY_HASH) else _DEFAULT_DUMMY_HASH)

    # --- accounts ---------------------------------------------------------------------

    def add(self, email: str, name: str, roles: Iterable[str | WebRole], password: str,
            now: datetime | None = None) -> Account:
        return self._insert(email, name, roles, password, now)

    def add_sso(self, email: str, name: str, roles: Iterable[str | WebRole], now: datetime | None = None) -> Account:
        """An account without a password: it logs in only through the organisation's single sign-on."""
        return self._insert(email, name, roles, None, now)

    def _insert(self, email: str, name: str, roles: Iterable[str | WebRole], password: str | None,
                now: datetime | None) -> Account:
        """`password` None: single sign-on only (public callers say so by calling `add_sso`)."""
        try:
            address = normalise_email(_EMAIL.validate_python(email.strip()))
        except ValidationError:
            raise AccountError(f"'{email}' er ikke en gyldig e-mailadresse") from None
        name = name.strip()
        if not name:
            raise AccountError("giv kontoen et navn")
        chosen = parse_roles(roles)
        if password is not None:
            _check_password(password)
        if self.get(address) is not None:
            raise AccountError(f"der findes allerede en konto med e-mailen {address}")
        stored = SSO_ONLY if password is None else self.hasher.hash(password)
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(users).values(
                    email=address, name=name, roles=",".join(r.value for r in chosen),
                    password_hash=stored, disabled=False,
                    created_at=_utc(now or datetime.now(timezone.utc)), failed_logins=0))
        except IntegrityError:  # created meanwhile by someone else
            raise AccountError(f"der findes allerede en konto med e-mailen {address}") from None
        return Account(email=address, name=name, roles=chosen, disabled=False, sso_only=stored == SSO_ONLY)

    def get(self, email: str) -> Account | None:
        row = self._row(email)
        return _account(row) if row is not None else None

    def list(self) -> list[Account]:
        with self.engine.connect() as conn:
            return [_account(row) for row in conn.execute(select(users).order_by(users.c.email))]

    def disable(self, email: str, now: datetime | None = None) -> Account:
        """No more logins; the account's tokens are revoked too, so enabling it again needs new ones."""
        account = self._set(email, disabled=True)
        self.revoke_tokens(email, now)
        return account

    def enable(self, email: str) -> Account:
        return self._set(email, disabled=False, failed_logins=0, locked_until=None)

    def set_password(self, email: str, password: str) -> Account:
        """A new password (e.g. set by an operator); it also lifts a lock."""
        _check_password(password)
        return self._set(email, password_hash=self.hasher.hash(password), failed_logins=0, locked_until=None)

    # --- organisations ----------------------------------------------------------------

    def organisations_of(self, email: str) -> builtins.list[str]:
        """The organisations whose cases the account works in (read only when the deployment serves several)."""
        query = (select(user_organisations.c.organisation)
                 .where(user_organisations.c.email == normalise_email(email)).order_by(user_organisations.c.organisation))
        with self.engine.connect() as conn:
            return list(conn.execute(query).scalars())

    def set_organisations(self, email: str, organisations: Iterable[str]) -> builtins.list[str]:
        """Replaces the account's organisations (an operator's decision, like its roles)."""
        row = self._row(email)
        if row is None:
            raise AccountError(f"ingen konto med e-mailen {normalise_email(email)}")
        chosen = sorted({o.strip() for o in organisations if o.strip()})
        with self.engine.begin() as conn:
            conn.execute(delete(user_organisations).where(user_organisations.c.email == row.email))
            if chosen:
                conn.execute(insert(user_organisations), [{"email": row.email, "organisation": o} for o in chosen])
        return chosen

    # --- login ------------------------------------------------------------------------

    def authenticate(self, email: str, password: str, now: datetime) -> Account:
        now = _utc(now)
        row = self._row(email)
        if row is None:
            self._verify(self._dummy(), password)  # as slow as a real account: no hint that it does not exist
            raise LoginRefused()
        if row.locked_until is not None and _utc(row.locked_until) > now:
            raise LoginThrottled(_utc(row.locked_until))
        if row.password_hash == SSO_ONLY:
            # No password can open it. Verify against the dummy all the same, and count the failure like any
            # other: a password login to it must look exactly like one with a wrong password.
            self._verify(self._dummy(), password)
            verified = False
        else:
            verified = self._verify(row.password_hash, password)
        if not verified:
            failures = row.failed_logins + 1
            locked_until = now + LOCK_DURATION if failures >= MAX_FAILURES else None
            with self.engine.begin() as conn:
                conn.execute(update(users).where(users.c.id == row.id).values(
                    failed_logins=0 if locked_until else users.c.failed_logins + 1, locked_until=locked_until))
            if locked_until is not None:
                raise LoginThrottled(locked_until)
            raise LoginRefused()
        if row.disabled:
            raise LoginRefused()
        values: dict[str, Any] = {"failed_logins": 0, "locked_until": None, "last_login_at": now}
        if self.hasher.check_needs_rehash(row.password_hash):
            values["password_hash"] = self.hasher.hash(password)
        with self.engine.begin() as conn:
            conn.execute(update(users).where(users.c.id == row.id).values(**values))
        return _account(row)

    def authenticate_sso(self, email: str, now: datetime) -> Account:
        """The account of someone the identity provider has proved owns `email` (web/oidc.py checks that).

        Nothing is created: the account must exist and be active, and its roles are the local ones. The
        password lock does not apply: it guards a password against guessing, and no password is used here.
        """
        row = self._row(email)
        if row is None:
            raise SsoRefused(SSO_UNKNOWN_DA, "unknown_account")
        if row.disabled:
            raise SsoRefused(SSO_DISABLED_DA, "disabled_account")
        with self.engine.begin() as conn:
            conn.execute(update(users).where(users.c.id == row.id).values(last_login_at=_utc(now)))
        return _account(row)

    # --- personal tokens --------------------------------------------------------------

    def create_token(self, email: str, now: datetime) -> str:
        """A new personal token; shown once, stored only as its SHA-256."""
        row = self._row(email)
        if row is None:
            raise AccountError(f"ingen konto med e-mailen {normalise_email(email)}")
        if row.disabled:
            raise AccountError(f"kontoen {row.email} er deaktiveret")
        token = secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            conn.execute(insert(user_tokens).values(token_hash=_token_hash(token), email=row.email,
                                                    created_at=_utc(now)))
        return token

    def account_for_token(self, token: str) -> Account | None:
        """The active account a token belongs to; None for an unknown or revoked token or a disabled account."""
        if not token:
            return None
        query = (select(users).join(user_tokens, user_tokens.c.email == users.c.email)
                 .where(user_tokens.c.token_hash == _token_hash(token), user_tokens.c.revoked_at.is_(None),
                        users.c.disabled.is_(False)))
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return _account(row) if row is not None else None

    def revoke_tokens(self, email: str, now: datetime | None = None) -> int:
        """Revokes every token of the account; returns how many were still valid."""
        with self.engine.begin() as conn:
            result = conn.execute(update(user_tokens).where(
                user_tokens.c.email == normalise_email(email), user_tokens.c.revoked_at.is_(None),
            ).values(revoked_at=_utc(now or datetime.now(timezone.utc))))
        return result.rowcount

    def list_tokens(self, email: str) -> builtins.list[TokenInfo]:  # builtins: `list` here is the method above
        """The account's tokens, newest first; each known by the start of its hash, never the token itself."""
        query = (select(user_tokens).where(user_tokens.c.email == normalise_email(email))
                 .order_by(user_tokens.c.created_at.desc()))
        with self.engine.connect() as conn:
            return [TokenInfo(token_id=row.token_hash[:TOKEN_ID_LENGTH], created_at=_utc(row.created_at),
                              revoked_at=_utc(row.revoked_at) if row.revoked_at else None)
                    for row in conn.execute(query)]

    def revoke_token(self, email: str, token_id: str, now: datetime) -> bool:
        """Revokes one of the account's own tokens; False when it has none such still valid."""
        if len(token_id) != TOKEN_ID_LENGTH or not all(c in "0123456789abcdef" for c in token_id):
            return False
        with self.engine.begin() as conn:
            result = conn.execute(update(user_tokens).where(
                user_tokens.c.email == normalise_email(email), user_tokens.c.revoked_at.is_(None),
                user_tokens.c.token_hash.startswith(token_id),
            ).values(revoked_at=_utc(now)))
        return result.rowcount > 0

    # --- internals --------------------------------------------------------------------

    def _row(self, email: str) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(select(users).where(users.c.email == normalise_email(email))).first()

    def _set(self, email: str, **values: Any) -> Account:
        address = normalise_email(email)
        with self.engine.begin() as conn:
            if conn.execute(update(users).where(users.c.email == address).values(**values)).rowcount == 0:
                raise AccountError(f"ingen konto med e-mailen {address}")
        account = self.get(address)
        assert account is not None
        return account

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self.hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = self.hasher.hash(secrets.token_urlsafe(16))
        return self._dummy_hash
