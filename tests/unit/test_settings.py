"""Settings come from environment variables and an optional file; defaults need nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from settings import Settings


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
    from settings import Settings

    with pytest.raises(pydantic.ValidationError, match="REOPEN_WINDOW"):
        Settings(_env_file=None, breach_reopen_window_days=400, breach_retention_days=365)
