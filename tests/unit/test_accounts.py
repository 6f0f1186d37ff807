"""Local accounts (web/accounts.py) in a real SQLite register: hashing, login throttling, personal tokens."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from activities.db import make_engine
from web.accounts import (SSO_DISABLED_DA, SSO_ONLY, SSO_UNKNOWN_DA, AccountError, AccountStore, LoginRefused,
                          LoginThrottled, SsoRefused)
from web.roles import WebRole

NOW = datetime(2026, 3, 27, 13, 20, tzinfo=timezone.utc)
PASSWORD = "korrekt hest batteri"
# Cheap parameters keep the many logins of the throttling tests fast; the hashing tests use the defaults.
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def _store(tmp_path: Path, hasher: PasswordHasher | None = None) -> AccountStore:
    return AccountStore(make_engine(f"sqlite:///{tmp_path}/register.db"), hasher)


def _rows(tmp_path: Path, query: str) -> list[tuple]:
    with sqlite3.connect(tmp_path / "register.db") as db:
        return db.execute(query).fetchall()


@pytest.fixture
def store(tmp_path: Path) -> AccountStore:
    store = _store(tmp_path, CHEAP)
    store.add("Mille@Eksempel-Skole.dk", "Mille Nordstrand", ["key_person", "dpo"], PASSWORD, now=NOW)
    return store


def test_the_password_is_stored_only_as_an_argon2id_hash(tmp_path: Path):
    store = _store(tmp_path)
    account = store.add("mille@eksempel-skole.dk", "Mille Nordstrand", [WebRole.KEY_PERSON], PASSWORD)
    assert account.roles == [WebRole.KEY_PERSON] and "password_hash" not in account.model_dump()
    [(stored,)] = _rows(tmp_path, "SELECT password_hash FROM users")
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert PASSWORD.encode() not in (tmp_path / "register.db").read_bytes()
    assert store.authenticate("mille@eksempel-skole.dk", PASSWORD, NOW).name == "Mille Nordstrand"
    assert not PasswordHasher().check_needs_rehash(store._dummy())  # an unknown e-mail costs as much as a real one


def test_an_email_is_stored_lower_case_and_found_in_any_case(store: AccountStore, tmp_path: Path):
    assert _rows(tmp_path, "SELECT email, roles FROM users") == [("mille@eksempel-skole.dk", "key_person,dpo")]
    assert store.get(" MILLE@eksempel-skole.dk").roles == [WebRole.KEY_PERSON, WebRole.DPO]
    assert store.authenticate("MILLE@EKSEMPEL-SKOLE.DK", PASSWORD, NOW).email == "mille@eksempel-skole.dk"


@pytest.mark.parametrize("email,name,roles,password,message", [
    ("mille@eksempel-skole.dk", "Mille igen", ["dpo"], PASSWORD, "findes allerede"),
    ("MILLE@eksempel-skole.dk", "Mille igen", ["dpo"], PASSWORD, "findes allerede"),
    ("ny@eksempel-skole.dk", "Ny", ["dpo"], "kort kode12", "mindst 12 tegn"),
    ("ny@eksempel-skole.dk", "Ny", [], PASSWORD, "mindst én rolle"),
    ("ny@eksempel-skole.dk", "Ny", ["dpo", "admin"], PASSWORD, "ukendt rolle 'admin'"),
    ("ikke-en-adresse", "Ny", ["dpo"], PASSWORD, "ikke en gyldig e-mailadresse"),
    ("ny@eksempel-skole.dk", "  ", ["dpo"], PASSWORD, "navn"),
])
def test_an_account_that_cannot_be_created_is_refused_with_the_reason(store, email, name, roles, password, message):
    with pytest.raises(AccountError, match=message):
        store.add(email, name, roles, password)
    assert [a.email for a in store.list()] == ["mille@eksempel-skole.dk"]


def test_wrong_password_unknown_email_and_disabled_account_are_refused_alike(store: AccountStore):
    store.add("jens@eksempel-skole.dk", "Jens Lærer", ["employee"], PASSWORD)
    store.disable("jens@eksempel-skole.dk")
    messages = set()
    for email, password in (("mille@eksempel-skole.dk", "forkert adgangskode"), ("ukendt@eksempel-skole.dk", PASSWORD),
                            ("jens@eksempel-skole.dk", PASSWORD)):
        with pytest.raises(LoginRefused) as refused:
            store.authenticate(email, password, NOW)
        messages.add(str(refused.value))
    assert messages == {"Forkert e-mail eller adgangskode"}


def test_an_unknown_email_still_costs_a_password_verification(tmp_path: Path):
    checked = []

    class Counting(PasswordHasher):
        def verify(self, hash, password):  # noqa: A002 - argon2's own parameter name
            checked.append(hash)
            return super().verify(hash, password)

    store = _store(tmp_path, Counting(time_cost=1, memory_cost=8, parallelism=1))
    with pytest.raises(LoginRefused):
        store.authenticate("ukendt@eksempel-skole.dk", PASSWORD, NOW)
    assert len(checked) == 1 and checked[0].startswith("$argon2id$v=19$m=8,t=1,p=1$")


def test_five_failures_lock_the_account_for_fifteen_minutes_even_for_the_right_password(store: AccountStore):
    for _ in range(4):
        with pytest.raises(LoginRefused):
            store.authenticate("mille@eksempel-skole.dk", "forkert adgangskode", NOW)
    with pytest.raises(LoginThrottled) as locked:
        store.authenticate("mille@eksempel-skole.dk", "forkert adgangskode", NOW)
    assert locked.value.until == NOW + timedelta(minutes=15) and "Prøv igen" in str(locked.value)
    with pytest.raises(LoginThrottled):
        store.authenticate("mille@eksempel-skole.dk", PASSWORD, NOW + timedelta(minutes=14, seconds=59))
    assert store.authenticate("mille@eksempel-skole.dk", PASSWORD, NOW + timedelta(minutes=15)).name


def test_a_successful_login_resets_the_count_of_failures(store: AccountStore, tmp_path: Path):
    for _ in range(4):
        with pytest.raises(LoginRefused):
            store.authenticate("mille@eksempel-skole.dk", "forkert adgangskode", NOW)
    store.authenticate("mille@eksempel-skole.dk", PASSWORD, NOW)
    assert _rows(tmp_path, "SELECT failed_logins, locked_until FROM users") == [(0, None)]
    for _ in range(4):  # four more failures are not five in a row
        with pytest.raises(LoginRefused):
            store.authenticate("mille@eksempel-skole.dk", "forkert adgangskode", NOW)
    assert store.authenticate("mille@eksempel-skole.dk", PASSWORD, NOW).email == "mille@eksempel-skole.dk"


def test_a_login_records_its_time_and_rehashes_a_hash_made_with_weaker_parameters(store: AccountStore, tmp_path: Path):
    stronger = AccountStore(store.engine)  # PasswordHasher() defaults
    stronger.authenticate("mille@eksempel-skole.dk", PASSWORD, NOW)
    [(stored, last_login)] = _rows(tmp_path, "SELECT password_hash, last_login_at FROM users")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$") and last_login.startswith("2026-03-27 13:20")
    assert stronger.authenticate("mille@eksempel-skole.dk", PASSWORD, NOW).name == "Mille Nordstrand"


def test_disable_enable_and_a_new_password(store: AccountStore):
    assert store.disable("mille@eksempel-skole.dk").disabled
    assert store.enable("mille@eksempel-skole.dk").disabled is False
    store.set_password("mille@eksempel-skole.dk", "en helt ny adgangskode")
    with pytest.raises(LoginRefused):
        store.authenticate("mille@eksempel-skole.dk", PASSWORD, NOW)
    assert store.authenticate("mille@eksempel-skole.dk", "en helt ny adgangskode", NOW).email
    with pytest.raises(AccountError, match="mindst 12 tegn"):
        store.set_password("mille@eksempel-skole.dk", "kort")
    with pytest.raises(AccountError, match="ingen konto"):
        store.disable("ukendt@eksempel-skole.dk")


def test_a_token_is_resolved_to_its_account_and_stored_only_as_its_hash(store: AccountStore, tmp_path: Path):
    token = store.create_token("mille@eksempel-skole.dk", NOW)
    assert len(token) >= 43 and store.create_token("mille@eksempel-skole.dk", NOW) != token
    account = store.account_for_token(token)
    assert account is not None and account.email == "mille@eksempel-skole.dk"
    stored = [h for (h,) in _rows(tmp_path, "SELECT token_hash FROM user_tokens")]
    assert hashlib.sha256(token.encode()).hexdigest() in stored and token not in stored
    assert token.encode() not in (tmp_path / "register.db").read_bytes()
    assert store.account_for_token("ikke-et-token") is None and store.account_for_token("") is None


def test_revoked_tokens_and_a_disabled_accounts_tokens_are_refused(store: AccountStore):
    first = store.create_token("mille@eksempel-skole.dk", NOW)
    assert store.revoke_tokens("mille@eksempel-skole.dk") == 1
    assert store.account_for_token(first) is None
    second = store.create_token("mille@eksempel-skole.dk", NOW)
    store.disable("mille@eksempel-skole.dk")
    assert store.account_for_token(second) is None
    store.enable("mille@eksempel-skole.dk")  # disabling revoked the token: enabling does not bring it back
    assert store.account_for_token(second) is None
    store.disable("mille@eksempel-skole.dk")
    with pytest.raises(AccountError, match="deaktiveret"):
        store.create_token("mille@eksempel-skole.dk", NOW)


def test_a_disabled_accounts_token_is_refused_even_if_not_revoked(store: AccountStore):
    token = store.create_token("mille@eksempel-skole.dk", NOW)
    store._set("mille@eksempel-skole.dk", disabled=True)  # e.g. disabled by hand in the database
    assert store.account_for_token(token) is None


# --- accounts for single sign-on (web/oidc.py proves the address; the account and its roles are local) ---


def test_a_single_sign_on_account_has_no_password_and_says_so(store: AccountStore, tmp_path: Path):
    account = store.add_sso("Jens@Eksempel-Skole.dk", "Jens Lærer", ["employee"], now=NOW)
    assert account.sso_only and account.email == "jens@eksempel-skole.dk"
    assert store.get("jens@eksempel-skole.dk").sso_only and not store.get("mille@eksempel-skole.dk").sso_only
    assert _rows(tmp_path, "SELECT password_hash FROM users WHERE email = 'jens@eksempel-skole.dk'") == [(SSO_ONLY,)]
    with pytest.raises(AccountError, match="findes allerede"):
        store.add_sso("mille@eksempel-skole.dk", "Mille", ["dpo"])
    with pytest.raises(AccountError, match="ukendt rolle"):
        store.add_sso("ny@eksempel-skole.dk", "Ny", ["admin"])


@pytest.mark.parametrize("password", ["", SSO_ONLY, PASSWORD])
def test_a_password_login_to_a_single_sign_on_account_fails_like_a_wrong_password(tmp_path: Path, password: str):
    checked = []

    class Counting(PasswordHasher):
        def verify(self, hash, password):  # noqa: A002 - argon2's own parameter name
            checked.append(hash)
            return super().verify(hash, password)

    store = _store(tmp_path, Counting(time_cost=1, memory_cost=8, parallelism=1))
    store.add_sso("jens@eksempel-skole.dk", "Jens Lærer", ["employee"])
    with pytest.raises(LoginRefused) as refused:
        store.authenticate("jens@eksempel-skole.dk", password, NOW)
    assert str(refused.value) == "Forkert e-mail eller adgangskode"
    # As slow as a real verification (against the dummy hash), and counted like any failed login.
    assert len(checked) == 1 and checked[0].startswith("$argon2id$")
    assert _rows(tmp_path, "SELECT failed_logins FROM users") == [(1,)]


def test_password_logins_to_a_single_sign_on_account_lock_it_like_any_other(store: AccountStore):
    store.add_sso("jens@eksempel-skole.dk", "Jens Lærer", ["employee"])
    for _ in range(4):
        with pytest.raises(LoginRefused):
            store.authenticate("jens@eksempel-skole.dk", "hvad som helst", NOW)
    with pytest.raises(LoginThrottled):
        store.authenticate("jens@eksempel-skole.dk", "hvad som helst", NOW)
    # The lock guards passwords; the provider's login is not a guess, so it still gets in.
    assert store.authenticate_sso("jens@eksempel-skole.dk", NOW).email == "jens@eksempel-skole.dk"


def test_single_sign_on_finds_the_local_account_with_its_roles_and_records_the_login(store: AccountStore,
                                                                                   tmp_path: Path):
    account = store.authenticate_sso("MILLE@eksempel-skole.dk", NOW)
    assert account.roles == [WebRole.KEY_PERSON, WebRole.DPO] and not account.sso_only
    [(last_login,)] = _rows(tmp_path, "SELECT last_login_at FROM users")
    assert last_login.startswith("2026-03-27 13:20")


def test_single_sign_on_creates_nothing_and_lets_no_disabled_account_in(store: AccountStore):
    with pytest.raises(SsoRefused) as unknown:
        store.authenticate_sso("ukendt@eksempel-skole.dk", NOW)
    assert str(unknown.value) == SSO_UNKNOWN_DA and unknown.value.reason == "unknown_account"
    assert [a.email for a in store.list()] == ["mille@eksempel-skole.dk"]
    store.disable("mille@eksempel-skole.dk")
    with pytest.raises(SsoRefused) as disabled:
        store.authenticate_sso("mille@eksempel-skole.dk", NOW)
    assert str(disabled.value) == SSO_DISABLED_DA
