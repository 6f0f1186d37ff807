"""Commands that need no server give one line and exit 2 for files and times they cannot use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def gdpr(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "starter.py"), *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, env={"GDPR_SETTINGS_FILE": "/nonexistent", "PATH": "/usr/bin", **env})


def refused(run: subprocess.CompletedProcess[str], expected: str) -> None:
    assert "Traceback" not in run.stderr and run.returncode == 2, run.stderr
    assert len(run.stderr.strip().splitlines()) == 1 and expected in run.stderr, run.stderr


def test_a_facts_file_that_is_missing_a_folder_or_not_utf8_is_refused_in_one_line(tmp_path: Path):
    latin1 = tmp_path / "facts.json"
    latin1.write_bytes('{"subject_categories": ["børn"]}'.encode("latin-1"))
    refused(gdpr("assess", "--facts", str(tmp_path / "missing.json")), "--facts: the file")
    refused(gdpr("assess", "--facts", str(tmp_path)), "is a folder, not a file")
    refused(gdpr("assess", "--facts", str(latin1)), "is not UTF-8 text")


def test_an_inventory_file_that_is_missing_or_invalid_is_refused_in_one_line(tmp_path: Path):
    broken = tmp_path / "inventory.yaml"
    broken.write_text("systems: [{id: 1}]\n")
    refused(gdpr("inventory", GDPR_INVENTORY_FILE=str(tmp_path / "none.yaml")), "does not exist")
    refused(gdpr("inventory", GDPR_INVENTORY_FILE=str(broken)), "systems.0.id")


def test_a_deadline_for_the_year_9999_or_0001_is_refused_in_one_line():
    refused(gdpr("deadline", "breach", "--aware", "9999-12-31T23:00+00:00"), "more than a year in the future")
    refused(gdpr("deadline", "request", "--received", "0001-01-01"), "must lie between 1990-01-01")
