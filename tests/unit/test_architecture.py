"""Dependencies point inward, and workflow/domain code stays deterministic."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
INFRASTRUCTURE = {"temporalio", "sqlalchemy", "structlog", "smtplib", "aiosmtpd", "activities", "workflows",
                  "settings", "worker", "starter", "socket", "requests", "httpx"}
NONDETERMINISTIC_CALLS = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("uuid", "uuid4"),
                          ("time", "time"), ("random", "random"), ("os", "getenv")}


def _modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).glob("*.py"))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", _modules("domain"), ids=lambda p: p.name)
def test_domain_imports_no_infrastructure(path: Path):
    assert not (_imports(path) & INFRASTRUCTURE)


@pytest.mark.parametrize("path", _modules("domain") + _modules("workflows"), ids=lambda p: p.name)
def test_domain_and_workflows_use_no_wall_clock_randomness_or_environment(path: Path):
    tree = ast.parse(path.read_text())
    calls = {(n.func.value.id, n.func.attr) for n in ast.walk(tree)
             if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name)}
    assert not (calls & NONDETERMINISTIC_CALLS)
    assert "random" not in _imports(path) and "os" not in _imports(path)


@pytest.mark.parametrize("path", _modules("activities"), ids=lambda p: p.name)
def test_activities_do_not_import_workflows(path: Path):
    assert "workflows" not in _imports(path)
