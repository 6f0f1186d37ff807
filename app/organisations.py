"""Which organisations this deployment serves, read from the organisations folder, and the rules each case runs under.

Each `*.yaml` file in `GDPR_ORGANISATIONS_DIR` (default `organisations/`) is one organisation
(`domain.kernel.organisation.Organisation`). The folder is read again whenever a file in it changes, so an
organisation added with `gdpr organisation add FILE` (or by copying its file there) takes new cases at once,
without a restart: a case's policy is taken when it starts and kept in the case. Without the folder, the
deployment serves one organisation described by the settings (`GDPR_ORGANISATION_NAME`, …), with short case ids.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from domain.requests.model import DsrPolicy
from domain.requests.inventory import Inventory
from domain.breach.model import CasePolicy
from domain.kernel.organisation import Organisation
from app.settings import Settings


class OrganisationError(ValueError):
    """An organisation file cannot be used, or an organisation is unknown; the message says which and why."""


@dataclass(frozen=True)
class Served:
    """The organisations served now; `multi` when they come from the folder (case ids then name them).

    `short_ids` is the organisation whose cases have ids that name none (`breach-2026-0001`): the one the
    settings describe (`GDPR_ORGANISATION_ID`), as the register indexes them. A deployment that moves from one
    organisation to the folder gives that organisation's file this id, and its earlier cases stay its own.
    """

    organisations: dict[str, Organisation]
    files: dict[str, Path]
    multi: bool
    short_ids: str

    def get(self, organisation_id: str | None) -> Organisation:
        if organisation_id is None and not self.multi:
            return next(iter(self.organisations.values()))
        try:
            return self.organisations[organisation_id or ""]
        except KeyError:
            raise OrganisationError(f"unknown organisation '{organisation_id}'") from None

    def of_case(self, case_id: str) -> str:
        """The organisation id a case belongs to: named in its id, or the one whose cases have short ids."""
        from domain.kernel.case_ids import organisation_of

        named = organisation_of(case_id)
        return named if named is not None else self.short_ids

    @property
    def single_id(self) -> str:
        return next(iter(self.organisations)) if not self.multi else ""

    def series(self, organisation: Organisation) -> str | None:
        """The organisation named in new case ids (None: short ids)."""
        return organisation.id if self.multi else None


def from_settings(settings: Settings) -> Organisation:
    return Organisation(id=settings.organisation_id, name=settings.organisation_name,
                        cvr=settings.organisation_cvr or None, address=settings.organisation_address.strip() or None,
                        key_person=settings.key_person, dpo=settings.dpo, management_emails=settings.management_emails,
                        inventory_file=str(settings.inventory_file), closing_days=settings.closing_days)


def read_file(path: Path) -> Organisation:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise OrganisationError(f"{path}: cannot be read as YAML ({type(err).__name__})") from None
    try:
        return Organisation.model_validate(raw)
    except ValidationError as err:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or '(file)'}: {e['msg']}" for e in err.errors())
        raise OrganisationError(f"{path}: {problems}") from None


class Registry:
    """The served organisations, re-read when the folder's files change (checked at most once a second)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._served: Served | None = None

    def _files(self) -> list[Path]:
        folder = self._settings.organisations_dir
        return sorted(folder.glob("*.yaml")) if folder.is_dir() else []

    def served(self) -> Served:
        files = self._files()
        stamp = tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in files)
        with self._lock:
            if self._served is None or stamp != self._stamp:
                self._served = self._load(files)
                self._stamp = stamp
            return self._served

    def _load(self, files: list[Path]) -> Served:
        if not files:
            single = from_settings(self._settings)
            return Served({single.id: single}, {}, multi=False, short_ids=single.id)
        organisations: dict[str, Organisation] = {}
        paths: dict[str, Path] = {}
        for path in files:
            organisation = read_file(path)
            if organisation.id in organisations:
                raise OrganisationError(f"{path}: the id '{organisation.id}' is also used by {paths[organisation.id]}")
            organisations[organisation.id] = organisation
            paths[organisation.id] = path
        return Served(organisations, paths, multi=True, short_ids=self._settings.organisation_id)

    def inventory_path(self, organisation: Organisation) -> Path:
        """Its inventory file; a relative path is read from beside its organisation file."""
        served = self.served()
        if organisation.inventory_file is None:
            return self._settings.inventory_file
        path = Path(organisation.inventory_file)
        base = served.files.get(organisation.id)
        return path if path.is_absolute() or base is None else base.parent / path

    def inventory(self, organisation: Organisation) -> Inventory:
        from app.cli.input import inventory_from

        return inventory_from(self.inventory_path(organisation))


def case_policy(settings: Settings, organisation: Organisation) -> CasePolicy:
    """The settings' rules with the organisation's facts and people: stored in the case when it starts."""
    return settings.case_policy().model_copy(update={
        "organisation_name": organisation.name, "organisation_cvr": organisation.cvr,
        "organisation_address": organisation.address, "key_person": organisation.key_person,
        "dpo": organisation.dpo, "management_emails": list(organisation.management_emails)})


def request_policy(settings: Settings, organisation: Organisation) -> DsrPolicy:
    from app.settings import request_policy as base

    return base(settings).model_copy(update={
        "organisation_name": organisation.name, "responsible": organisation.key_person, "dpo": organisation.dpo,
        "management_emails": list(organisation.management_emails),
        "closing_days": organisation.closing_days or settings.closing_days})


def add(settings: Settings, source: Path) -> Organisation:
    """`gdpr organisation add FILE`: check the file, then place it in the folder (never overwriting another)."""
    organisation = read_file(source)
    folder = settings.organisations_dir
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{organisation.id}.yaml"
    existing = {o.id for o in (read_file(p) for p in sorted(folder.glob('*.yaml')))}
    if organisation.id in existing or target.exists():
        raise OrganisationError(f"an organisation with the id '{organisation.id}' is already served")
    if organisation.inventory_file and not Path(organisation.inventory_file).is_absolute():
        resolved = (source.parent / organisation.inventory_file).resolve()
        organisation = organisation.model_copy(update={"inventory_file": str(resolved)})
    target.write_text(yaml.safe_dump(organisation.model_dump(mode="json", exclude_none=True), allow_unicode=True,
                                     sort_keys=False), encoding="utf-8")
    return organisation
