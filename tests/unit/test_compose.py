"""docker-compose.yml cannot run on these machines (no Docker engine); keep it structurally honest."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).parents[2]
APP_SERVICES = ("worker-1", "worker-2", "web")
REQUIRED = re.compile(r"\$\{[A-Z_]+:\?[^}]+\}")  # ${NAME:?message}: compose stops when NAME is unset


def _services() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def test_compose_runs_temporal_the_register_two_workers_and_the_web_app_on_postgresql():
    services = _services()
    assert {"temporal", "temporal-db", "temporal-ui", "register-db", "mail", *APP_SERVICES} <= set(services)
    assert services["temporal"]["environment"]["DB"] == "postgres12"
    assert services["temporal"]["environment"]["POSTGRES_SEEDS"] == "temporal-db"
    assert services["temporal-db"]["image"].startswith("postgres:") and services["register-db"]["image"].startswith(
        "postgres:")
    assert all(":" in s["image"] for s in services.values() if "image" in s), "pin every image"
    for name in APP_SERVICES:
        app = services[name]
        env = app["environment"]
        assert app["build"] == "." and (ROOT / "Dockerfile").exists(), name
        assert env["GDPR_DATABASE_URL"].startswith("postgresql+psycopg://") and "@register-db:5432/" in env[
            "GDPR_DATABASE_URL"], name
        assert env["GDPR_KEY_DATABASE_URL"] == env["GDPR_DATABASE_URL"], name
        assert env["GDPR_TEMPORAL_ADDRESS"] == "temporal:7233", name
        assert app["depends_on"]["register-db"] == {"condition": "service_healthy"}, name
        assert app["depends_on"]["temporal"] == {"condition": "service_healthy"}, name
    workers = [services[name] for name in ("worker-1", "worker-2")]
    assert workers[0]["image"] == workers[1]["image"] == services["web"]["image"]  # one image
    assert workers[0]["environment"] == workers[1]["environment"]  # one task queue, one register
    assert all("command" not in w for w in workers) and json.loads(_dockerfile_cmd()) == ["python", "worker.py"]
    assert "web.main:app" in services["web"]["command"]
    # Exports are written by one worker and mailed or purged by another: one shared volume.
    assert all("exports:/app/data/exports" in services[name]["volumes"] for name in ("worker-1", "worker-2"))


def _dockerfile_cmd() -> str:
    [cmd] = [line.removeprefix("CMD ") for line in (ROOT / "Dockerfile").read_text().splitlines()
             if line.startswith("CMD ")]
    return cmd


def test_the_image_holds_everything_the_workers_and_the_web_app_import():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for folder in ("app", "domain", "workflows", "activities", "web"):
        assert f"COPY {folder} {folder}" in dockerfile, folder
    assert "COPY *.py ./" in dockerfile and "'.[postgres]'" in dockerfile
    assert (ROOT / "activities" / "migrations" / "env.py").exists()  # inside activities: in the image
    assert "psycopg" in (ROOT / "pyproject.toml").read_text()


def test_the_databases_temporal_and_the_web_app_have_health_checks_the_others_wait_for():
    services = _services()
    for name in ("temporal-db", "register-db", "temporal", "web"):
        assert services[name]["healthcheck"]["test"], name
    assert services["temporal"]["depends_on"]["temporal-db"] == {"condition": "service_healthy"}
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])


def _published_ports(service: dict) -> list[str]:
    return [str(p) if not isinstance(p, dict) else f"{p.get('host_ip', '')}:{p['published']}:{p['target']}"
            for p in service.get("ports", [])]


def test_every_published_port_is_bound_to_localhost():
    published = {name: _published_ports(s) for name, s in _services().items() if s.get("ports")}
    assert {"temporal", "temporal-ui", "mail", "web"} <= set(published)
    for name, ports in published.items():
        for port in ports:
            assert port.startswith("127.0.0.1:") and port.count(":") == 2, f"{name} publishes {port} on every interface"


def test_no_password_or_key_is_written_in_the_compose_file():
    text = (ROOT / "docker-compose.yml").read_text()
    services = yaml.safe_load(text)["services"]
    secrets = [(name, key, value) for name, s in services.items() for key, value in (s.get("environment") or {}).items()
               if any(word in key for word in ("PASSWORD", "PWD", "DATABASE_URL", "SECRET", "MASTER_KEY"))]
    # both database passwords, Temporal's copy, and per app service the two URLs and the master key; the web's secret
    assert len(secrets) == 3 + 3 * len(APP_SERVICES) + 1
    for name, key, value in secrets:
        assert REQUIRED.search(value), f"{name}: {key} must come from the env file and be required"
        assert not re.search(r"://[^:/@]+:[^$@]+@", value), f"{name}: {key} holds a literal password"
    assert ":gdpr@" not in text and "POSTGRES_PWD: temporal" not in text
    example = (ROOT / "gdpr.env.example").read_text()
    for name in ("TEMPORAL_DB_PASSWORD", "REGISTER_DB_PASSWORD", "GDPR_MASTER_KEY", "GDPR_SESSION_SECRET"):
        assert f"\n{name}=\n" in example, f"gdpr.env.example names {name}, empty"
    assert "gdpr.env" in (ROOT / ".gitignore").read_text().split()
