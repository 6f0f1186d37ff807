"""No test imports another test module: shared helpers live in support modules (tests/support.py,
tests/web/support.py, tests/workflows/support.py, tests/unit/cases.py), so a test file can be run, moved
or deleted on its own, and pytest never collects a test twice under another module's name."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).parents[1]


def _is_test_module(name: str) -> bool:
    return name.startswith("test_") or name == "conftest"


def imports_of_test_modules(path: Path) -> list[str]:
    """Every import in `path` (at any depth, relative ones too) that names a test module or a conftest."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            # `from tests.web import test_oidc` imports a module by its name in the list
            modules = [f"{node.module or ''}.{alias.name}" for alias in node.names]
        else:
            continue
        found += [f"line {node.lineno}: {name}" for name in modules
                  if any(_is_test_module(part) for part in name.split("."))]
    return found


@pytest.mark.parametrize("path", sorted(TESTS.rglob("*.py")), ids=lambda p: str(p.relative_to(TESTS)))
def test_no_test_file_imports_a_test_module_or_a_conftest(path: Path):
    assert imports_of_test_modules(path) == [], "move what is shared into a support module"


def test_the_check_finds_every_form_of_importing_a_test_module(tmp_path: Path):
    source = tmp_path / "sample.py"
    source.write_text("import tests.workflows.test_full_case\n"
                      "from tests.web.conftest import log_in\n"
                      "from tests.web import test_oidc\n"
                      "def helper():\n"
                      "    from .test_requests import FIXTURE\n"
                      "from tests.workflows.support import run_high_risk_case\n"
                      "from tests.web.support import PASSWORD\n")
    assert sorted(line.split(":")[0] for line in imports_of_test_modules(source)) == ["line 1", "line 2", "line 3", "line 5"]
