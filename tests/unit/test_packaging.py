"""The installed `gdpr` command finds every top-level module, wherever it is run from."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_every_top_level_module_is_installed_with_the_package():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["py-modules"])
    present = {p.stem for p in ROOT.glob("*.py")}
    assert present - listed == set(), "add these to [tool.setuptools] py-modules in pyproject.toml"
    assert listed - present == set(), "py-modules names modules that do not exist"
