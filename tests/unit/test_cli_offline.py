"""Commands that need no server: `gdpr deadline`, `gdpr actions`, `gdpr diagram`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def gdpr(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "starter.py"), *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, env={"GDPR_SETTINGS_FILE": "/nonexistent", "PATH": "/usr/bin"})


def test_deadline_breach_json():
    run = gdpr("deadline", "breach", "--aware", "2026-03-27T14:20+01:00", "--json")
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["due"] == "2026-03-30T15:20:00+02:00" and out["rolled_from"] is None and "72 hours" in out["rule"]


def test_deadline_request_json_with_and_without_extension():
    out = json.loads(gdpr("deadline", "request", "--received", "2026-01-31", "--json").stdout)
    assert out == {**out, "due": "2026-03-02T23:59:59+01:00", "rolled_from": "2026-02-28"}
    out = json.loads(gdpr("deadline", "request", "--received", "2026-01-31", "--extended", "--json").stdout)
    assert out["due"] == "2026-04-30T23:59:59+02:00" and out["rolled_from"] is None


def test_deadline_refuses_a_date_it_cannot_read():
    run = gdpr("deadline", "request", "--received", "31-01-2026")
    assert run.returncode == 2 and "not an ISO-8601 time" in run.stderr


def test_a_reader_that_stops_early_gets_no_error_and_no_traceback():
    # `gdpr actions | head -1`: the pipe closes before everything is written.
    with subprocess.Popen([sys.executable, str(ROOT / "starter.py"), "actions"], cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env={"GDPR_SETTINGS_FILE": "/nonexistent", "PATH": "/usr/bin",
                                                       "PYTHONUNBUFFERED": "1"}) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()  # before the command prints anything (it takes a second to start)
        error = process.stderr.read().decode()
        assert process.wait(timeout=60) == 0 and error == ""


def test_assess_accepts_facts_with_only_the_breach_type_and_prints_its_reasons(tmp_path: Path):
    facts = tmp_path / "facts.json"
    facts.write_text('{"breach_types": ["confidentiality"]}')
    run = gdpr("assess", "--facts", str(facts))
    assert run.returncode == 0, run.stderr
    assert "anmeld til Datatilsynet: ja" in run.stdout and "endnu ikke kendt" in run.stdout


@pytest.mark.parametrize("example,authority,subjects,reason", [
    ("psychotherapy-client-list", "ja", "ja", "psykoterapeut"),
    ("protected-address", "ja", "ja", "beskyttet adresse"),
    ("hospital-ransomware-restored", "ja", "ja", "højst ét trin"),
])
def test_assess_examples_come_out_as_a_dpo_expects_with_reasons_in_danish(example, authority, subjects, reason):
    run = gdpr("assess", "--facts", str(Path(__file__).parents[2] / "examples" / "facts" / f"{example}.json"))
    assert run.returncode == 0, run.stderr
    assert f"anmeld til Datatilsynet: {authority}; underret de registrerede: {subjects}" in run.stdout
    assert reason in run.stdout and "seed" not in run.stdout
    assert not re.search(r"Høj risiko: [a-z]+ [a-z]+ exposed", run.stdout)  # no English inside Danish reasons
