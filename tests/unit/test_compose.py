"""docker-compose.yml cannot run on these machines (no Docker engine); keep it structurally honest."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).parents[2]


def test_compose_runs_the_same_system_on_postgresql():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"temporal", "temporal-db", "temporal-ui", "worker", "register-db", "mail"} <= set(services)
    worker = services["worker"]
    assert worker["build"] == "." and (ROOT / "Dockerfile").exists()
    assert worker["environment"]["GDPR_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert worker["environment"]["GDPR_TEMPORAL_ADDRESS"] == "temporal:7233"
    assert services["temporal"]["environment"]["DB"] == "postgres12"
    assert all(":" in s["image"] for s in services.values() if "image" in s), "pin every image"
    assert "psycopg" in (ROOT / "pyproject.toml").read_text()
