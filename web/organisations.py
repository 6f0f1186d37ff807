"""Which organisations' cases a login works in, and the check every case route makes with it.

With organisations from the folder (app/organisations.py), an account sees and acts on the cases of the
organisations an operator gave it (`gdpr user add … --organisation`, `gdpr user organisations`): a nøgleperson
her school's, a DPO serving the municipality every school's. With one organisation, every account works in it.
A case of another organisation is answered as not found, so its existence is not revealed either.
"""

from __future__ import annotations

from fastapi import HTTPException, Request

from domain.kernel.organisation import Organisation
from app.organisations import Registry, Served
from web.accounts import Account, AccountStore


def served(request: Request) -> Served:
    registry: Registry = request.app.state.organisations
    return registry.served()


def organisations_for(request: Request, user: Account) -> set[str]:
    now = served(request)
    if not now.multi:
        return {now.single_id}
    store: AccountStore = request.app.state.accounts
    return set(store.organisations_of(user.email)) & set(now.organisations)


def list_filter(request: Request, user: Account) -> set[str] | None:
    """The organisation filter for lists and registers: None with one organisation (every case is its own)."""
    return organisations_for(request, user) if served(request).multi else None


def mine(request: Request, user: Account) -> list[Organisation]:
    """The organisations a login may open cases in, by name."""
    now = served(request)
    allowed = organisations_for(request, user)
    return sorted((o for o in now.organisations.values() if o.id in allowed), key=lambda o: o.name)


def check_case(request: Request, user: Account, case_id: str) -> None:
    """A case of an organisation the login does not work in does not exist for it: 404, nothing more."""
    if served(request).of_case(case_id) not in organisations_for(request, user):
        raise HTTPException(status_code=404, detail="Sagen findes ikke.")


def pick(request: Request, user: Account, wanted: str | None) -> tuple[Organisation | None, list[Organisation]]:
    """The organisation a new case is opened in: the one asked for, if the login works in it, or its only one.
    None (with the choices) when the login works in several and none was chosen yet."""
    options = mine(request, user)
    if not options:
        raise HTTPException(status_code=403, detail="Din konto er ikke knyttet til en organisation. Kontakt driften.")
    chosen = next((o for o in options if o.id == wanted), None)
    if chosen is None and len(options) == 1:
        chosen = options[0]
    return chosen, options
