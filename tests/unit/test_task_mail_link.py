"""The system owner's task mail links to the task page in the workspace, when the request knows its address."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from activities.inventory_file import load_inventory
from domain.requests import model as d
from domain.requests.case import open_request
from domain.requests.resolution import review_task
from domain.requests.texts import owner_task
from app.settings import Settings, request_policy

ROOT = Path(__file__).parent.parent.parent
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


def _case(workspace_url: str | None) -> d.RequestCase:
    policy = request_policy(Settings(_env_file=None)).model_copy(update={"workspace_url": workspace_url})
    inp = d.RequestInput.receive(dict(
        request_id="dsr-2026-0042", type="access", channel="email", received_at=NOW,
        requester={"name": "Karen Jensen", "email": "karen.jensen@example.dk"}, subject_name="Karen Jensen",
        identifiers={"elevnummer": "E1001"}, policy=policy, inventory=load_inventory(ROOT / "examples" / "inventory.yaml")))
    return open_request(inp, NOW)[0]


def test_the_task_mail_links_to_the_task_page_in_the_workspace():
    case = _case("https://gdpr.skole.dk")
    archive = case.inp.inventory.system("papirarkiv")
    for mail in (owner_task(case, archive), review_task(case, archive, [], conflict=False)):
        assert "https://gdpr.skole.dk/anmodning/dsr-2026-0042/opgave/papirarkiv" in mail.body
        assert "gdpr " not in mail.body  # no command for the owner to type


def test_a_request_without_the_workspace_address_keeps_the_old_words():
    case = _case(None)
    body = owner_task(case, case.inp.inventory.system("papirarkiv")).body
    assert "Registrér i sagen, hvad du har fundet og gjort" in body and "/opgave/" not in body


def test_a_policy_stored_before_the_workspace_address_existed_still_decodes():
    stored = request_policy(Settings(_env_file=None)).model_dump(mode="json")
    del stored["workspace_url"]
    assert d.DsrPolicy.model_validate(stored).workspace_url is None


def test_the_policy_carries_the_public_url_of_the_workspace():
    settings = Settings(_env_file=None, public_url="https://gdpr.skole.dk/")  # type: ignore[call-arg]
    assert request_policy(settings).workspace_url == "https://gdpr.skole.dk"
