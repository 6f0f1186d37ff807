"""One settings object for worker, starter and tests.

Read from environment variables prefixed ``GDPR_`` and, if present, from the file
named by ``GDPR_SETTINGS_FILE`` (default ``gdpr.env``). Defaults make ``make run``
work with no configuration at all.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.kernel.model import Contact

if TYPE_CHECKING:  # the policies are made on demand: `gdpr cases` and the workspace's lists need neither model
    from domain.breach.model import CasePolicy
    from domain.requests.model import DsrPolicy

DISCOVERY_SUFFIX = "/.well-known/openid-configuration"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="GDPR_",
        env_file=os.environ.get("GDPR_SETTINGS_FILE", "gdpr.env"),
        env_file_encoding="utf-8",
        env_nested_delimiter="__",
        extra="ignore",
    )

    # Temporal
    temporal_address: str = "localhost:7233"
    temporal_namespace: str = "default"
    task_queue: str = Field(default="gdpr-cases", pattern=r"^[A-Za-z0-9._-]{1,200}$")  # used in visibility queries
    temporal_ui_url: str = "http://localhost:8233"

    # Storage and files
    data_dir: Path = Path("data")
    database_url: str = "sqlite:///data/register.db"

    # Encryption of Temporal payloads (app/codec.py): AES-256-GCM, one data key per case, wrapped by
    # the master key. The master key is 32 bytes, base64, from GDPR_MASTER_KEY or the key file
    # (created by `make run` on first start); it never enters a workflow history.
    master_key: SecretStr | None = None
    master_key_file: Path = Path("data/master.key")
    key_database_url: str = "sqlite:///data/keys.db"

    # Retention (purged by a Temporal Schedule): audit records and everything a case produced
    # are kept this long after the case closes, independent of Temporal's own retention.
    breach_retention_days: int = Field(default=5 * 365, ge=1)
    # After close, a breach case can be reopened or followed up this long; it must end before the retention.
    breach_reopen_window_days: int = Field(default=365, ge=1, le=3650)
    request_retention_days: int = Field(default=3 * 365, ge=1)
    # Closed workflow histories in Temporal (set on the namespace when the worker starts).
    temporal_retention_days: int = Field(default=90, ge=1)

    # The web workspace (web/): where people open it, and the key that signs their session cookies
    # (created by `make run` on first start, like the master key; without one, sessions end at restart).
    web_port: int = Field(default=8000, ge=1, le=65535)
    public_url: str = Field(default="http://localhost:8000", pattern=r"^https?://[^\s]+$")
    session_secret: SecretStr | None = None
    session_secret_file: Path = Path("data/session.key")
    session_hours: float = Field(default=8.0, gt=0, le=24 * 30)
    # The command line's people-commands act as the person whose personal token this is (made under "Min
    # konto" in the workspace at public_url); the CLI never names the actor itself (app/cli/workspace_api.py).
    token: SecretStr | None = None
    # Single sign-on (optional, web/oidc.py): OpenID Connect with the organisation's identity provider. On only
    # when both the discovery URL (or the issuer, to which /.well-known/openid-configuration is added) and the
    # client id are set. The provider proves who someone is; the account and its roles stay local.
    oidc_discovery_url: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: SecretStr | None = None  # none: a public client (PKCE alone)
    oidc_scopes: str = "openid email profile"
    oidc_label: str = Field(default="Log ind med organisationens konto", min_length=1, max_length=100)

    # The worker (worker.py). Its workflows stay in memory between tasks up to this many (the sticky cache);
    # a case beyond it is replayed from its history when it is next queried, updated or woken by a timer.
    # Memory is bounded by this number, not by the number of open cases: about 0.15 MB per cached case
    # (0.25 MB in the sandbox) over a base of about 0.15 GB, so 2,000 keep the worker near 0.45 GB at any
    # number of open cases (scripts/bench.py load, docs/operations.md).
    worker_max_cached_workflows: int = Field(default=2000, ge=1, le=100_000)
    # Workflow tasks run on one Python interpreter, each in a thread that must yield within the SDK's fixed
    # 2 s deadlock timeout; many at once only share the interpreter lock and stretch each of them
    # (TEMPORAL-NOTES: 500 made everything slower), so few, and the rest wait their turn at the server.
    worker_max_concurrent_workflow_tasks: int = Field(default=10, ge=2, le=1000)
    # Activities (mail, register writes) run in a thread pool of this size.
    worker_activity_threads: int = Field(default=16, ge=1, le=256)
    # Temporal's workflow sandbox re-imports a workflow's module for every case it loads (a new case, or one
    # replayed after it left the cache) and checks its calls: a guard against non-deterministic workflow code,
    # not part of what a case does. The tests run every workflow in it (tests/conftest.py) and the replay tests
    # replay in it; the worker runs without it: a third less memory per cached case (1,500 open), an uncached
    # view query 49 ms instead of 124 ms at the median (300 open, 50 cached; docs/operations.md).
    worker_sandbox: bool = False

    # Operations: dead letters (effects that failed for good) are mailed here.
    operator_email: str = "drift@eksempel-skole.dk"

    # Draft templates: a folder whose files override activities/templates/ one by one
    templates_dir: Path | None = None

    # Mail
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    mail_from: str = "gdpr-sager@eksempel-skole.dk"
    mail_dir: Path = Path("data/mail")

    # Many organisations in one deployment: one YAML file each in this folder (app/organisations.py). Without
    # it, the one organisation below, with short case ids; `organisation_id` names it in the case index.
    organisations_dir: Path = Path("organisations")
    organisation_id: str = Field(default="eksempel-skole", pattern=r"^[a-z][a-z0-9]*(-[a-z][a-z0-9]*)*$", max_length=40)
    # The organisation and its people
    organisation_name: str = "Eksempel Skole"
    # On the notification to Datatilsynet. Empty (the default): printed as not yet known, never invented.
    organisation_cvr: str = Field(default="", pattern=r"^(\d{8})?$")
    organisation_address: str = ""
    key_person: Contact = Contact(name="Mille Nordstrand", email="noegleperson@eksempel-skole.dk")
    dpo: Contact = Contact(name="DPO Eksempel Skole", email="dpo@eksempel-skole.dk")
    management_emails: list[str] = Field(default_factory=lambda: ["ledelse@eksempel-skole.dk"])

    # Deadlines and reminders
    reminder_hours_before: list[int] = Field(default_factory=lambda: [24, 12, 2])
    processor_deadline_hours: int = 24
    supplier_reminder_days: float = 2.0
    supplier_max_reminders: int = 3
    # Data-subject requests
    inventory_file: Path = Path("examples/inventory.yaml")
    exports_dir: Path = Path("data/exports")
    request_reminder_days_before: list[int] = Field(default_factory=lambda: [14, 7, 2])
    # Art. 12(3) counts from receipt; EDPB 01/2022 lets a reasonable request for identity information
    # pause it. Off by default: the conservative reading keeps the deadline running.
    pause_while_awaiting_information: bool = False
    owner_reminder_days: float = 3.0
    owner_max_reminders: int = 3
    information_reminder_days: float = 7.0
    # Days the organisation is closed besides public holidays: "MM-DD" every year or "YYYY-MM-DD".
    # They bring request reminders forward; they never move a legal deadline (Regulation 1182/71).
    closing_days: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _reopen_window_ends_before_retention(self) -> Settings:
        # A waiting closed case must not outlive its key: the purge would leave a workflow it cannot read.
        if self.breach_reopen_window_days >= self.breach_retention_days:
            raise ValueError("GDPR_BREACH_REOPEN_WINDOW_DAYS must be shorter than GDPR_BREACH_RETENTION_DAYS")
        return self

    # Field validators, not a model validator: a refusal then quotes only this field, not every setting
    # (a model validator's error shows the whole input, secrets included).
    @field_validator("oidc_discovery_url")
    @classmethod
    def _provider_over_https(cls, value: str) -> str:
        url = urlsplit(value.strip())
        # The keys that sign the ID tokens come from this URL: over plain HTTP anyone on the way could swap them.
        if value.strip() and not (url.scheme == "https" or (
                url.scheme == "http" and url.hostname in ("localhost", "127.0.0.1", "::1"))):
            raise ValueError("GDPR_OIDC_DISCOVERY_URL must be an https:// URL")
        return value.strip()

    @field_validator("oidc_scopes")
    @classmethod
    def _scopes_include_openid(cls, value: str) -> str:
        if "openid" not in value.split():
            raise ValueError("GDPR_OIDC_SCOPES must include openid (without it there is no ID token)")
        return value

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_discovery_url.strip() and self.oidc_client_id.strip())

    def oidc_issuer(self) -> str:
        """The issuer the provider must name itself: the configured URL without the discovery suffix."""
        return self.oidc_discovery_url.strip().removesuffix(DISCOVERY_SUFFIX).rstrip("/")

    def oidc_metadata_url(self) -> str:
        return self.oidc_issuer() + DISCOVERY_SUFFIX

    def case_policy(self) -> CasePolicy:
        """The rules a new case runs under; stored in the case so it never changes under it."""
        from domain.breach.model import CasePolicy

        return CasePolicy(
            organisation_name=self.organisation_name,
            organisation_cvr=self.organisation_cvr or None,
            organisation_address=self.organisation_address.strip() or None,
            key_person=self.key_person,
            dpo=self.dpo,
            management_emails=self.management_emails,
            reminder_hours_before=self.reminder_hours_before,
            processor_deadline_hours=self.processor_deadline_hours,
            supplier_reminder_days=self.supplier_reminder_days,
            supplier_max_reminders=self.supplier_max_reminders,
            reopen_window_days=self.breach_reopen_window_days,
            workspace_url=self.public_url,
        )


def load_settings() -> Settings:
    return Settings()


def request_policy(settings: Settings) -> DsrPolicy:
    """The rules a new request runs under; stored in the request so it never changes under it."""
    from domain.requests.model import DsrPolicy

    return DsrPolicy(
        organisation_name=settings.organisation_name,
        responsible=settings.key_person,
        dpo=settings.dpo,
        management_emails=settings.management_emails,
        reminder_days_before=settings.request_reminder_days_before,
        closing_days=settings.closing_days,
        pause_while_awaiting_information=settings.pause_while_awaiting_information,
        owner_reminder_days=settings.owner_reminder_days,
        owner_max_reminders=settings.owner_max_reminders,
        information_reminder_days=settings.information_reminder_days,
        workspace_url=settings.public_url.rstrip("/"),
    )
