"""`gdpr organisation` and `gdpr user … --organisation`: an operator serves one more organisation from its file
and gives accounts their organisations, on the host (no server needed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from domain.kernel.case_ids import case_id, is_case_id, organisation_of
from app.organisations import OrganisationError, Registry
from app.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "korrekt hest batteri"


def gdpr(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {"GDPR_SETTINGS_FILE": "/nonexistent", "PATH": "/usr/bin",
           "GDPR_DATABASE_URL": f"sqlite:///{tmp_path}/register.db",
           "GDPR_ORGANISATIONS_DIR": str(tmp_path / "organisations")}
    return subprocess.run([sys.executable, str(ROOT / "starter.py"), *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, env=env, input=stdin)


def _school_file(path: Path, slug: str, **changes) -> Path:
    path.write_text(yaml.safe_dump({
        "id": slug, "name": slug.capitalize(), "key_person": {"name": "Mille", "email": f"mille@{slug}.dk"},
        "dpo": {"name": "Dorthe", "email": "dpo@kommune.dk"}, "management_emails": [f"ledelse@{slug}.dk"],
        "inventory_file": "inventory.yaml", **changes}), encoding="utf-8")
    return path


def test_an_operator_adds_organisations_and_gives_accounts_theirs(tmp_path: Path):
    run = gdpr(tmp_path, "organisation", "list")
    assert run.returncode == 0 and "eksempel-skole" in run.stdout and "én organisation" in run.stdout
    run = gdpr(tmp_path, "organisation", "add", str(_school_file(tmp_path / "vest.yaml", "vestskolen")))
    assert run.returncode == 0 and "Organisation tilføjet: vestskolen" in run.stdout, run.stderr
    stored = yaml.safe_load((tmp_path / "organisations" / "vestskolen.yaml").read_text())
    assert stored["inventory_file"] == str((tmp_path / "inventory.yaml").resolve())  # still found from the folder
    run = gdpr(tmp_path, "organisation", "add", str(_school_file(tmp_path / "again.yaml", "vestskolen")))
    assert run.returncode == 2 and "already served" in run.stderr
    run = gdpr(tmp_path, "organisation", "add", str(_school_file(tmp_path / "bad.yaml", "2026-skole")))
    assert run.returncode == 2 and "id" in run.stderr and "Traceback" not in run.stderr
    gdpr(tmp_path, "organisation", "add", str(_school_file(tmp_path / "oest.yaml", "oestskolen")))
    assert "oestskolen" in gdpr(tmp_path, "organisation", "list").stdout

    run = gdpr(tmp_path, "user", "add", "dpo@kommune.dk", "--name", "Dorthe", "--role", "dpo", "--password-stdin",
               "--organisation", "vestskolen,oestskolen", stdin=PASSWORD)
    assert run.returncode == 0 and "Organisationer: oestskolen, vestskolen" in run.stdout, run.stderr
    run = gdpr(tmp_path, "user", "organisations", "dpo@kommune.dk", "nordskolen")
    assert run.returncode == 2 and "ukendt organisation nordskolen" in run.stderr
    run = gdpr(tmp_path, "user", "organisations", "dpo@kommune.dk", "vestskolen")
    assert run.returncode == 0 and "arbejder nu i: vestskolen" in run.stdout


def test_case_ids_name_their_organisation_and_short_ids_stay_valid():
    assert case_id("breach", "vestskolen", 2026, 7) == "breach-vestskolen-2026-0007"
    assert case_id("request", None, 2026, 12) == "dsr-2026-0012"
    assert organisation_of("breach-skole-a-2026-0001/3") == "skole-a" and organisation_of("dsr-2026-0001") is None
    assert is_case_id("dsr-nord-2026-0001", "request") and not is_case_id("dsr-nord-2026-0001", "breach")
    assert not is_case_id("breach-Nord-2026-0001", "breach") and not is_case_id("breach-2026", "breach")


def test_a_folder_with_two_files_for_one_id_is_refused_naming_both(tmp_path: Path):
    folder = tmp_path / "organisations"
    folder.mkdir()
    _school_file(folder / "a.yaml", "vestskolen")
    _school_file(folder / "b.yaml", "vestskolen")
    settings = Settings(_env_file=None, organisations_dir=folder)  # type: ignore[call-arg]
    with pytest.raises(OrganisationError, match="also used by"):
        Registry(settings).served()


def test_the_example_organisations_are_served_with_the_example_inventory(tmp_path: Path):
    for name in ("vestskolen", "oestskolen"):
        run = gdpr(tmp_path, "organisation", "add", str(ROOT / "examples" / "organisations" / f"{name}.yaml"))
        assert run.returncode == 0, run.stderr
    settings = Settings(_env_file=None, organisations_dir=tmp_path / "organisations")  # type: ignore[call-arg]
    registry = Registry(settings)
    served = registry.served()
    assert served.multi and set(served.organisations) == {"vestskolen", "oestskolen"}
    for organisation in served.organisations.values():
        assert registry.inventory_path(organisation).resolve() == (ROOT / "examples" / "inventory.yaml").resolve()
        assert registry.inventory(organisation).systems


def test_cases_from_before_the_folder_stay_with_the_organisation_the_settings_named(tmp_path: Path):
    # One school ran alone with short ids; the municipality then serves it from the folder under the same id.
    folder = tmp_path / "organisations"
    folder.mkdir()
    _school_file(folder / "eksempel-skole.yaml", "eksempel-skole")
    _school_file(folder / "vest.yaml", "vestskolen")
    alone = Registry(Settings(_env_file=None, organisations_dir=tmp_path / "none")).served()  # type: ignore[call-arg]
    together = Registry(Settings(_env_file=None, organisations_dir=folder)).served()  # type: ignore[call-arg]
    assert not alone.multi and together.multi
    assert alone.of_case("breach-2026-0001") == together.of_case("breach-2026-0001") == "eksempel-skole"
    assert together.of_case("dsr-2026-0003/1") == "eksempel-skole"
    assert together.of_case("breach-vestskolen-2026-0001") == "vestskolen"
