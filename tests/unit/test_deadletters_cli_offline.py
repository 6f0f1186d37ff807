"""`gdpr deadletters` input errors: one line and exit 2, before any server is contacted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def gdpr(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"GDPR_SETTINGS_FILE": "/nonexistent", "PATH": "/usr/bin", "GDPR_DATABASE_URL": f"sqlite:///{tmp_path}/r.db",
           "GDPR_TEMPORAL_ADDRESS": "127.0.0.1:9"}  # nothing listens there: a contacted server would be exit 3
    return subprocess.run([sys.executable, str(ROOT / "starter.py"), *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, env=env)


def test_an_empty_list_of_dead_letters_says_so(tmp_path: Path):
    run = gdpr(tmp_path, "deadletters")
    assert run.returncode == 0 and run.stdout.strip() == "Ingen åbne fejlede handlinger."


def test_a_malformed_letter_id_or_a_missing_name_is_one_line_and_exit_2(tmp_path: Path):
    for args in (("retry", "", "--name", "Ole Drift"), ("retry", "breach-2026-0001/1"),
                 ("discard", "breach-2026-0001/1", "--name", "Ole Drift", "--reason", "  ")):
        run = gdpr(tmp_path, "deadletters", *args)
        assert run.returncode == 2, (args, run.stderr)
        assert len(run.stderr.strip().splitlines()) == 1 and "Traceback" not in run.stderr
