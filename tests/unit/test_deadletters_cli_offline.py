"""`gdpr deadletters` input errors: one line and exit 2, before any server is contacted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def gdpr(tmp_path: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {"GDPR_SETTINGS_FILE": "/nonexistent", "PATH": "/usr/bin", "GDPR_DATABASE_URL": f"sqlite:///{tmp_path}/r.db",
           "GDPR_TEMPORAL_ADDRESS": "127.0.0.1:9",  # nothing listens there: a contacted server would be exit 3
           "GDPR_PUBLIC_URL": "http://127.0.0.1:9", **extra}
    return subprocess.run([sys.executable, str(ROOT / "starter.py"), *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, env=env)


def test_an_empty_list_of_dead_letters_says_so(tmp_path: Path):
    run = gdpr(tmp_path, "deadletters")
    assert run.returncode == 0 and run.stdout.strip() == "Ingen åbne fejlede handlinger."


def test_a_malformed_letter_id_or_no_personal_token_is_one_line_and_exit_2(tmp_path: Path):
    for args, expected in ((("retry", ""), "letter"), (("retry", "breach-2026-0001"), "letter"),
                           (("retry", "breach-2026-0001/1"), "create a personal token"),
                           (("discard", "breach-2026-0001/1", "--reason", "Sendt i hånden"), "create a personal token")):
        run = gdpr(tmp_path, "deadletters", *args)
        assert run.returncode == 2, (args, run.stderr)
        assert len(run.stderr.strip().splitlines()) == 1 and "Traceback" not in run.stderr
        assert expected in run.stderr.lower(), (args, run.stderr)


def test_an_unreachable_workspace_is_exit_3_in_one_line(tmp_path: Path):
    run = gdpr(tmp_path, "deadletters", "retry", "breach-2026-0001/1", GDPR_TOKEN="t", GDPR_PUBLIC_URL="http://127.0.0.1:9")
    assert run.returncode == 3 and "cannot reach the workspace at http://127.0.0.1:9" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
