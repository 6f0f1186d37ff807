"""`gdpr user`: an operator creates, lists, disables and enables accounts on the host (no server needed)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "korrekt hest batteri"


def gdpr(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {"GDPR_SETTINGS_FILE": "/nonexistent", "PATH": "/usr/bin",
           "GDPR_DATABASE_URL": f"sqlite:///{tmp_path}/register.db"}
    return subprocess.run([sys.executable, str(ROOT / "starter.py"), *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, env=env, input=stdin)


def test_an_operator_creates_lists_and_disables_accounts_with_the_password_on_stdin(tmp_path: Path):
    run = gdpr(tmp_path, "user", "add", "Mille@Eksempel-Skole.dk", "--name", "Mille Nordstrand",
               "--role", "key_person,dpo", "--password-stdin", stdin=PASSWORD + "\n")
    assert run.returncode == 0, run.stderr
    assert "mille@eksempel-skole.dk" in run.stdout and "nøgleperson, databeskyttelsesrådgiver" in run.stdout
    run = gdpr(tmp_path, "user", "add", "jens@eksempel-skole.dk", "--name", "Jens Lærer", "--role", "employee",
               "--password-stdin", stdin=PASSWORD)
    assert run.returncode == 0, run.stderr

    run = gdpr(tmp_path, "user", "disable", "JENS@eksempel-skole.dk")
    assert run.returncode == 0 and "deaktiveret" in run.stdout

    run = gdpr(tmp_path, "user", "list")
    assert run.returncode == 0, run.stderr
    jens, mille = run.stdout.splitlines()  # by e-mail
    assert mille.split() == ["mille@eksempel-skole.dk", "Mille", "Nordstrand", "aktiv", "nøgleperson,",
                             "databeskyttelsesrådgiver"]
    assert jens.split() == ["jens@eksempel-skole.dk", "Jens", "Lærer", "deaktiveret", "medarbejder"]
    listed = json.loads(gdpr(tmp_path, "user", "list", "--json").stdout)
    assert listed[1] == {"email": "mille@eksempel-skole.dk", "name": "Mille Nordstrand", "roles": ["key_person", "dpo"],
                         "disabled": False, "sso_only": False}

    with sqlite3.connect(tmp_path / "register.db") as db:
        hashes = [h for (h,) in db.execute("SELECT password_hash FROM users")]
    assert len(hashes) == 2 and all(h.startswith("$argon2id$") for h in hashes)
    assert PASSWORD.encode() not in (tmp_path / "register.db").read_bytes()

    run = gdpr(tmp_path, "user", "enable", "jens@eksempel-skole.dk")
    assert run.returncode == 0 and gdpr(tmp_path, "user", "list").stdout.splitlines()[0].split()[3] == "aktiv"


def test_the_password_is_never_taken_from_the_command_line(tmp_path: Path):
    run = gdpr(tmp_path, "user", "add", "mille@eksempel-skole.dk", "--name", "Mille", "--role", "dpo",
               stdin=PASSWORD + "\n")
    assert run.returncode == 2 and "--password-stdin" in run.stderr and len(run.stderr.splitlines()) == 1
    assert "Ingen konti" in gdpr(tmp_path, "user", "list").stdout


def test_a_bad_account_gets_one_line_naming_what_to_fix(tmp_path: Path):
    for args, stdin, message in (
        (["--role", "dpo"], "kort\n", "mindst 12 tegn"),
        (["--role", "dpo,chef"], PASSWORD, "ukendt rolle 'chef'"),
    ):
        run = gdpr(tmp_path, "user", "add", "mille@eksempel-skole.dk", "--name", "Mille", *args, "--password-stdin",
                   stdin=stdin)
        assert run.returncode == 2 and message in run.stderr and len(run.stderr.splitlines()) == 1, run.stderr
    assert gdpr(tmp_path, "user", "add", "mille@eksempel-skole.dk", "--name", "Mille", "--role", "dpo",
                "--password-stdin", stdin=PASSWORD).returncode == 0
    run = gdpr(tmp_path, "user", "add", "mille@eksempel-skole.dk", "--name", "Mille", "--role", "dpo",
               "--password-stdin", stdin=PASSWORD)
    assert run.returncode == 2 and "findes allerede" in run.stderr
    run = gdpr(tmp_path, "user", "disable", "ukendt@eksempel-skole.dk")
    assert run.returncode == 2 and "ingen konto" in run.stderr


def test_an_account_for_single_sign_on_is_created_without_a_password(tmp_path: Path):
    run = gdpr(tmp_path, "user", "add", "jens@eksempel-skole.dk", "--name", "Jens Lærer", "--role", "employee",
               "--sso")
    assert run.returncode == 0, run.stderr
    assert "jens@eksempel-skole.dk" in run.stdout and "kun ind med organisationens single sign-on" in run.stdout
    assert "GDPR_OIDC_DISCOVERY_URL" in run.stdout  # created all the same, with a word that SSO is not set up
    assert gdpr(tmp_path, "user", "list").stdout.split() == [
        "jens@eksempel-skole.dk", "Jens", "Lærer", "aktiv", "medarbejder", "(kun", "single", "sign-on)"]
    assert json.loads(gdpr(tmp_path, "user", "list", "--json").stdout)[0]["sso_only"] is True
    with sqlite3.connect(tmp_path / "register.db") as db:
        assert [h for (h,) in db.execute("SELECT password_hash FROM users")] == ["!sso-only"]


def test_an_account_has_either_a_password_or_single_sign_on(tmp_path: Path):
    run = gdpr(tmp_path, "user", "add", "jens@eksempel-skole.dk", "--name", "Jens", "--role", "employee",
               "--sso", "--password-stdin", stdin=PASSWORD + "\n")
    assert run.returncode == 2 and "not allowed with argument" in run.stderr
    run = gdpr(tmp_path, "user", "add", "jens@eksempel-skole.dk", "--name", "Jens", "--role", "employee")
    assert run.returncode == 2 and "--sso" in run.stderr and len(run.stderr.splitlines()) == 1
    assert "Ingen konti" in gdpr(tmp_path, "user", "list").stdout
