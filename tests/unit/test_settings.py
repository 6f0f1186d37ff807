"""Settings come from environment variables and an optional file; defaults need nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.settings import Settings


def test_defaults_work_without_any_configuration(monkeypatch):
    monkeypatch.delenv("GDPR_DPO__EMAIL", raising=False)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    policy = settings.case_policy()
    assert policy.reminder_hours_before == [24, 12, 2] and policy.processor_deadline_hours == 24
    assert settings.database_url.startswith("sqlite:///data/")


def test_the_example_file_and_the_environment_configure_people_and_reminders(monkeypatch):
    example = Path(__file__).parents[2] / "gdpr.env.example"
    monkeypatch.setenv("GDPR_REMINDER_HOURS_BEFORE", "[48, 6]")
    settings = Settings(_env_file=example)  # type: ignore[call-arg]
    assert settings.dpo.phone == "+45 33 12 34 56"
    assert settings.management_emails == ["ledelse@eksempel-skole.dk"]
    assert settings.case_policy().reminder_hours_before == [48, 6]


def test_the_reopen_window_must_end_before_the_retention_period():
    import pydantic
    from app.settings import Settings

    with pytest.raises(pydantic.ValidationError, match="REOPEN_WINDOW"):
        Settings(_env_file=None, breach_reopen_window_days=400, breach_retention_days=365)


def test_single_sign_on_is_off_until_both_the_provider_and_the_client_id_are_set():
    assert not Settings(_env_file=None).oidc_enabled  # type: ignore[call-arg]
    assert not Settings(_env_file=None, oidc_discovery_url="https://login.eksempel.dk").oidc_enabled  # type: ignore[call-arg]
    assert not Settings(_env_file=None, oidc_client_id="gdpr").oidc_enabled  # type: ignore[call-arg]
    both = Settings(_env_file=None, oidc_discovery_url="https://login.eksempel.dk", oidc_client_id="gdpr")  # type: ignore[call-arg]
    assert both.oidc_enabled and both.oidc_label == "Log ind med organisationens konto"


@pytest.mark.parametrize("given", ["https://login.eksempel.dk/realms/skole", "https://login.eksempel.dk/realms/skole/",
                                   "https://login.eksempel.dk/realms/skole/.well-known/openid-configuration"])
def test_the_provider_is_given_by_its_issuer_or_its_discovery_url(monkeypatch, given: str):
    monkeypatch.setenv("GDPR_OIDC_DISCOVERY_URL", given)
    monkeypatch.setenv("GDPR_OIDC_CLIENT_ID", "gdpr")
    monkeypatch.setenv("GDPR_OIDC_CLIENT_SECRET", "hemmelig")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.oidc_issuer() == "https://login.eksempel.dk/realms/skole"
    assert settings.oidc_metadata_url() == "https://login.eksempel.dk/realms/skole/.well-known/openid-configuration"
    assert settings.oidc_client_secret is not None and "hemmelig" not in repr(settings)


@pytest.mark.parametrize("changes, message", [
    ({"oidc_discovery_url": "http://login.eksempel.dk"}, "https"),
    ({"oidc_scopes": "email profile"}, "openid"),
])
def test_single_sign_on_refuses_plain_http_to_a_remote_provider_and_scopes_without_openid(changes, message):
    import pydantic

    values = {"oidc_discovery_url": "https://login.eksempel.dk", "oidc_client_id": "gdpr", **changes}
    with pytest.raises(pydantic.ValidationError, match=message):
        Settings(_env_file=None, **values)  # type: ignore[call-arg]
    with pytest.raises(pydantic.ValidationError) as refused:
        Settings(_env_file=None, oidc_client_secret="hemmelig", **values)  # type: ignore[call-arg]
    assert "hemmelig" not in str(refused.value)  # the refusal quotes the field, not every setting
    local = Settings(_env_file=None, oidc_discovery_url="http://localhost:8080", oidc_client_id="gdpr")  # type: ignore[call-arg]
    assert local.oidc_enabled  # plain HTTP only to a provider on this machine (development, the tests)
