"""Dependencies point inward, and workflow/domain code stays deterministic."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
INFRASTRUCTURE = {"temporalio", "sqlalchemy", "structlog", "smtplib", "aiosmtpd", "activities", "workflows",
                  "app", "worker", "starter", "socket", "requests", "httpx"}
NONDETERMINISTIC_CALLS = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("uuid", "uuid4"),
                          ("time", "time"), ("random", "random"), ("os", "getenv")}


def _modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", _modules("domain"), ids=lambda p: str(p.relative_to(ROOT)))
def test_domain_imports_no_infrastructure(path: Path):
    assert not (_imports(path) & INFRASTRUCTURE)


# domain/kernel is what both kinds of case share; domain/breach and domain/requests build on it and never on each
# other; what spans both kinds (the case index, the periodic controls) sits at domain/ itself.
DOMAIN_PACKAGES = {"kernel": {"kernel"}, "breach": {"kernel", "breach"}, "requests": {"kernel", "requests"}}


def _domain_imports(path: Path) -> set[str]:
    """Every domain module `path` imports, as `domain.<package or module>.<...>` (`from domain import x` too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    return {n for n in names if n.startswith("domain.")}


def _in_package(package: str) -> list[Path]:
    return sorted((ROOT / "domain" / package).rglob("*.py"))


def _forbidden(path: Path, package: str) -> set[str]:
    """The domain packages (or domain/ modules) that a module in `package` imports but may not."""
    return {name.split(".")[1] for name in _domain_imports(path)} - DOMAIN_PACKAGES[package]


@pytest.mark.parametrize("path", [p for package in DOMAIN_PACKAGES for p in _in_package(package)],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_the_kernel_imports_neither_kind_and_breach_and_requests_never_each_other(path: Path):
    assert _forbidden(path, path.relative_to(ROOT / "domain").parts[0]) == set()


def test_the_import_rule_sees_every_form_of_a_forbidden_import(tmp_path: Path):
    module = tmp_path / "m.py"
    module.write_text("from domain.kernel.model import Strict\nfrom domain import controls\n"
                      "import domain.requests.model\n\ndef f():\n    from domain.breach.model import BreachCase\n")
    assert _forbidden(module, "kernel") == {"controls", "requests", "breach"}
    assert _forbidden(module, "breach") == {"controls", "requests"}
    assert _forbidden(module, "requests") == {"controls", "breach"}
    assert all(len(_in_package(package)) > 1 for package in DOMAIN_PACKAGES)  # more than an __init__.py


def test_what_sits_at_domain_itself_spans_both_kinds():
    """A module at domain/ (not in a package) is there because it reads breaches and requests alike; one that
    reads only one kind belongs in that kind's package, one that reads neither in the kernel."""
    for path in (ROOT / "domain").glob("*.py"):
        if path.name != "__init__.py":
            reached = {name.split(".")[1] for name in _domain_imports(path)}
            assert {"breach", "requests"} <= reached, path.name


@pytest.mark.parametrize("path", _modules("domain") + _modules("workflows"), ids=lambda p: str(p.relative_to(ROOT)))
def test_domain_and_workflows_use_no_wall_clock_randomness_or_environment(path: Path):
    tree = ast.parse(path.read_text())
    calls = {(n.func.value.id, n.func.attr) for n in ast.walk(tree)
             if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name)}
    assert not (calls & NONDETERMINISTIC_CALLS)
    assert "random" not in _imports(path) and "os" not in _imports(path)


@pytest.mark.parametrize("path", _modules("activities"), ids=lambda p: str(p.relative_to(ROOT)))
def test_activities_do_not_import_workflows(path: Path):
    assert "workflows" not in _imports(path)
