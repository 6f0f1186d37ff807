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


def _published_ports(service: dict) -> list[str]:
    return [str(p) if not isinstance(p, dict) else f"{p.get('host_ip', '')}:{p['published']}:{p['target']}"
            for p in service.get("ports", [])]


def test_every_published_port_is_bound_to_localhost():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    published = {name: _published_ports(s) for name, s in services.items() if s.get("ports")}
    assert published, "the UIs and Temporal are published for the operator"
    for name, ports in published.items():
        for port in ports:
            assert port.startswith("127.0.0.1:") and port.count(":") == 2, f"{name} publishes {port} on every interface"


def test_no_password_is_written_in_the_compose_file():
    text = (ROOT / "docker-compose.yml").read_text()
    services = yaml.safe_load(text)["services"]
    secrets = [(key, value) for s in services.values() for key, value in (s.get("environment") or {}).items()
               if "PASSWORD" in key or "PWD" in key or key == "GDPR_DATABASE_URL"]
    assert len(secrets) == 4  # both database passwords, Temporal's copy, the register URL
    for key, value in secrets:
        assert "${" in value and ":?" in value, f"{key} must come from the env file and be required"
    assert ":gdpr@" not in text and "POSTGRES_PWD: temporal" not in text
    example = (ROOT / "gdpr.env.example").read_text()
    assert "TEMPORAL_DB_PASSWORD=\n" in example and "REGISTER_DB_PASSWORD=\n" in example
    assert "gdpr.env" in (ROOT / ".gitignore").read_text().split()
