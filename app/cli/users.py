"""`gdpr user`: operators create and manage the web workspace's local accounts, on the host.

    gdpr user add EMAIL --name NAME --role ROLE[,ROLE...] --password-stdin
    gdpr user add EMAIL --name NAME --role ROLE[,ROLE...] --sso
    gdpr user list [--json]
    gdpr user disable EMAIL / gdpr user enable EMAIL

The password is read from standard input only (one line, or a hidden prompt at a terminal), so it
never appears in shell history or the process list. An account made with `--sso` has no password: it logs
in only through the organisation's single sign-on (GDPR_OIDC_*, web/oidc.py), with the roles given here.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import datetime, timezone

from activities.db import make_engine
from app.settings import Settings
from web.accounts import Account, AccountError, AccountStore
from web.roles import WEB_ROLE_DA


def run(args: argparse.Namespace, settings: Settings, user_error: type[Exception]) -> str:
    store = AccountStore(make_engine(settings.database_url))
    try:
        if args.user_command == "add":
            done = add(store, args, user_error, settings)
            chosen = _organisations(settings, args.organisation, user_error)
            if chosen:
                store.set_organisations(args.email, chosen)
                done += f" Organisationer: {', '.join(chosen)}."
            return done
        if args.user_command == "organisations":
            chosen = store.set_organisations(args.email, _organisations(settings, args.organisation, user_error))
            return f"{args.email.strip().lower()} arbejder nu i: {', '.join(chosen)}."
        if args.user_command == "list":
            accounts = store.list()
            if args.json:
                return json.dumps([a.model_dump(mode="json") for a in accounts], ensure_ascii=False, indent=2)
            return render_list(accounts)
        if args.user_command == "disable":
            account = store.disable(args.email)
            return f"Konto deaktiveret: {account.email}. Kontoens personlige tokens er tilbagekaldt."
        account = store.enable(args.email)
        return f"Konto aktiveret: {account.email} ({roles_da(account)})."
    except AccountError as err:
        raise user_error(str(err)) from None


def add(store: AccountStore, args: argparse.Namespace, user_error: type[Exception], settings: Settings) -> str:
    roles = [part for given in args.role for part in given.split(",")]
    if args.sso:
        account = store.add_sso(args.email, args.name, roles, now=datetime.now(timezone.utc))
        done = (f"Konto oprettet: {account.email}, {account.name} ({roles_da(account)}); "
                "logger kun ind med organisationens single sign-on.")
        if not settings.oidc_enabled:  # created all the same: the operator may be about to configure it
            done += " Bemærk: single sign-on er ikke sat op endnu (GDPR_OIDC_DISCOVERY_URL og GDPR_OIDC_CLIENT_ID)."
        return done
    if not args.password_stdin:
        raise user_error("adgangskoden læses kun fra standard-input: tilføj --password-stdin "
                         "(fx `gdpr user add ... --password-stdin < fil`), så den ikke står i kommandohistorikken; "
                         "eller --sso for en konto uden adgangskode, der kun logger ind med single sign-on")
    password = read_password(user_error)
    account = store.add(args.email, args.name, roles, password, now=datetime.now(timezone.utc))
    return f"Konto oprettet: {account.email}, {account.name} ({roles_da(account)})."


def _organisations(settings: Settings, given: list[str], user_error: type[Exception]) -> list[str]:
    """The ids given (comma-separated or repeated), each one an organisation this deployment serves."""
    from app.organisations import OrganisationError, Registry

    wanted = sorted({part.strip() for value in given for part in value.split(",") if part.strip()})
    if not wanted:
        return []
    try:
        served = Registry(settings).served()
    except OrganisationError as err:
        raise user_error(str(err)) from None
    unknown = [o for o in wanted if o not in served.organisations]
    if unknown or not served.multi:
        known = ", ".join(served.organisations) if served.multi else "ingen (organisationsmappen er tom)"
        raise user_error(f"ukendt organisation {', '.join(unknown or wanted)}; kendte: {known}")
    return wanted


def read_password(user_error: type[Exception]) -> str:
    """One line from standard input, without its line ending; a hidden prompt at a terminal."""
    if sys.stdin is None:
        raise user_error("ingen standard-input at læse adgangskoden fra")
    if sys.stdin.isatty():
        return getpass.getpass("Adgangskode: ")
    line = sys.stdin.readline()
    return line.removesuffix("\n").removesuffix("\r")


def roles_da(account: Account) -> str:
    return ", ".join(WEB_ROLE_DA[r] for r in account.roles)


def render_list(accounts: list[Account]) -> str:
    if not accounts:
        return "Ingen konti endnu. Opret den første: gdpr user add EMAIL --name NAVN --role dpo --password-stdin"
    width_email = max(len(a.email) for a in accounts)
    width_name = max(len(a.name) for a in accounts)
    lines = []
    for a in accounts:
        status = "deaktiveret" if a.disabled else "aktiv"
        sso = "  (kun single sign-on)" if a.sso_only else ""
        lines.append(f"{a.email:<{width_email}}  {a.name:<{width_name}}  {status:<11}  {roles_da(a)}{sso}")
    return "\n".join(lines)
