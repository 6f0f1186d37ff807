"""`gdpr organisation list|add FILE`: operators: the organisations this deployment serves.

An organisation is one YAML file in the organisations folder (`GDPR_ORGANISATIONS_DIR`); `add` checks the
file and places it there. The worker and the workspace read the folder again when it changes: no restart.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from app.settings import Settings

COMMANDS = ("organisation",)


def run(args: argparse.Namespace, settings: Settings, user_error: type[Exception]) -> str:
    from app.organisations import OrganisationError, Registry, add

    try:
        if args.organisation_command == "add":
            organisation = add(settings, Path(args.file))
            return (f"Organisation tilføjet: {organisation.id} ({organisation.name}). Nye sager kan oprettes i den "
                    f"med det samme; giv konti adgang med `gdpr user organisations EMAIL {organisation.id}`.")
        served = Registry(settings).served()
    except OrganisationError as err:
        raise user_error(str(err)) from None
    rows = list(served.organisations.values())
    if args.json:
        return json.dumps([o.model_dump(mode="json") for o in rows], ensure_ascii=False, indent=2)
    lines = [f"{o.id:<20} {o.name}  (nøgleperson {o.key_person.name}, DPO {o.dpo.name})" for o in rows]
    if not served.multi:
        lines.append(f"(én organisation fra indstillingerne; læg en fil pr. organisation i {settings.organisations_dir}/ "
                     "for at betjene flere)")
    return "\n".join(lines)
