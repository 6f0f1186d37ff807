"""`gdpr --help`, `gdpr deadline` and `gdpr assess` load only what they use (issue 11: each under 0.2 s).

Timing tests flake on a shared machine, so these check the cause instead: the modules a command imports,
read from `python -X importtime` of the real command in a subprocess (main() ends with os._exit, so
sys.modules cannot be read afterwards). None of them may load the Temporal client, SQLAlchemy, the web
workspace, the HTTP client, templates or the payload codec; the help and a deadline do not even load pydantic.
"""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = str(ROOT / "examples" / "facts" / "protected-address.json")

# What the offline commands must never load: services, storage, the workspace and the project's own adapters.
HEAVY = {"temporalio", "sqlalchemy", "fastapi", "starlette", "uvicorn", "httpx", "jinja2", "cryptography",
         "structlog", "authlib", "activities", "workflows", "web", "app.settings", "pydantic_settings",
         "app.temporal_client", "app.codec", "app.cli.workspace_api", "app.cli.breach", "app.cli.cases",
         "app.cli.requests"}
# The help is argparse alone: not even the models.
MODELS = {"pydantic", "pydantic_core", "domain", "email_validator", "transitions"}


def loaded(*args: str, **env: str) -> set[str]:
    """Every module `gdpr ARGS` imports, and the top-level package of each."""
    run = subprocess.run([sys.executable, "-X", "importtime", str(ROOT / "starter.py"), *args], cwd=ROOT,
                         capture_output=True, text=True, timeout=60,
                         env={"GDPR_SETTINGS_FILE": "/nonexistent", "PATH": "/usr/bin", **env})
    assert run.returncode == 0, run.stderr[-2000:]
    names = set()
    for line in run.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":  # the header line
                names |= {name, name.split(".")[0]}
    assert "argparse" in names  # the parse worked: an empty set would pass everything below
    return names


@pytest.mark.parametrize("args", [
    ["--help"], ["deadline", "--help"], ["cases", "--help"], ["request", "submit", "--help"], ["user", "add", "--help"],
], ids=lambda a: " ".join(a))
def test_the_help_loads_neither_services_nor_models(args: list[str]):
    assert loaded(*args) & (HEAVY | MODELS) == set()


@pytest.mark.parametrize("args", [
    ["deadline", "breach", "--aware", "2026-03-27T14:20+01:00"],
    ["deadline", "request", "--received", "2026-01-31", "--json"],
], ids=lambda a: " ".join(a[:2]))
def test_a_deadline_is_computed_without_services_or_the_case_models(args: list[str]):
    names = loaded(*args)
    assert "domain.kernel.deadlines" in names and names & HEAVY == set()
    assert names & {"domain.kernel.model", "domain.breach.model", "pydantic"} == set()  # a date and a calendar: no models, no pydantic


def test_an_assessment_loads_the_facts_models_but_no_case_model_and_no_service():
    names = loaded("assess", "--facts", EXAMPLE)
    assert "domain.breach.risk" in names and names & HEAVY == set()
    # The facts and the risk engine, not the case, its drafts and its machine (domain/breach/facts.py).
    assert "domain.breach.facts" in names and names & {"domain.breach.model", "domain.breach.machine"} == set()
    # The models build their validators at first use (defer_build on Strict): assessing facts builds the
    # facts, not the contacts and suppliers whose EmailStr loads email_validator and idna.
    assert names & {"email_validator", "idna"} == set()


def test_the_domain_models_resolve_their_fields_when_defined_and_build_when_first_used():
    """What keeps the assessment light: a model's validator is built when it first validates (defer_build),
    and its fields resolve when the class is defined (a class after those its fields name), so the first use
    does not evaluate annotations in whatever namespace it happens in (a workflow, a request handler)."""
    import domain

    for info in pkgutil.walk_packages(domain.__path__, "domain."):
        importlib.import_module(info.name)
    models, todo = [], [BaseModel]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("domain.") and sub.model_config.get("extra") == "forbid":
                models.append(sub)
    assert len(models) > 50  # the case models, breach and request: every one of them is held below
    assert [m.__qualname__ for m in models if not m.model_config.get("defer_build")] == []
    assert [m.__qualname__ for m in models if not m.__pydantic_fields_complete__] == []


def test_the_lists_read_the_case_index_without_the_temporal_sdk(tmp_path: Path):
    names = loaded("cases", GDPR_DATABASE_URL=f"sqlite:///{tmp_path}/register.db")
    assert "activities.case_index" in names and names & {"temporalio", "fastapi", "httpx", "jinja2"} == set()


def test_the_help_names_every_role_of_the_workspace():
    from app.cli.parser import WEB_ROLES
    from web.roles import WebRole

    assert WEB_ROLES == tuple(role.value for role in WebRole)
