"""`gdpr cases` and `gdpr requests` read the case index: the most urgent page, the count of the rest, every
open case with --all, and no Temporal needed (its address here is one nothing listens on)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from activities.db import case_index, make_engine
from scripts.bench import fill_case_index

ROOT = Path(__file__).resolve().parents[2]


def gdpr(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"GDPR_SETTINGS_FILE": "/nonexistent", "PATH": "/usr/bin", "GDPR_DATABASE_URL": f"sqlite:///{database}",
           "GDPR_TEMPORAL_ADDRESS": "127.0.0.1:9"}  # a list that asked Temporal would fail with exit 3
    return subprocess.run([sys.executable, str(ROOT / "starter.py"), *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env=env)


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("index") / "register.db"
    engine = make_engine(f"sqlite:///{path}")
    fill_case_index(engine, open_cases=300, closed_cases=40)
    engine.dispose()
    return path


def _open(database: Path, kind: str) -> int:
    engine = make_engine(f"sqlite:///{database}")
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(case_index).where(
            case_index.c.kind == kind, case_index.c.closed.is_(False))).scalar_one()
    engine.dispose()
    return count


def _urgency(item: dict) -> tuple[bool, datetime]:
    return item["deadline_met"], datetime.fromisoformat(item["deadline"])


def test_the_first_page_of_open_cases_is_the_most_urgent_fifty_with_the_count_of_the_rest(database: Path):
    breaches = _open(database, "breach")
    run = gdpr(database, "cases")
    assert run.returncode == 0, run.stderr
    header, *rows, footer = run.stdout.strip().splitlines()
    assert header.split() == ["SAG", "FRIST", "TID", "TILBAGE", "NÆSTE", "TRIN"]
    assert len(rows) == 50 and all(row.startswith("breach-") for row in rows)
    assert footer == (f"Viser de 50 med kortest tid tilbage af {breaches} åbne sager; {breaches - 50} sager mere: "
                      "gdpr cases --all (eller --limit N)")
    assert "overskredet" in rows[0]  # fill_case_index passes some deadlines: those come first
    assert not any(code in run.stdout for code in ("key_person", "fact_finding", "notification_review"))

    listed = json.loads(gdpr(database, "cases", "--json").stdout)
    assert [item["case_id"] for item in listed] == [row.split()[0] for row in rows]
    assert listed == sorted(listed, key=_urgency) and not any(item["closed"] for item in listed)
    assert {"task_da", "next_role_da", "time_left_da", "deadline", "state"} <= set(listed[0])


def test_limit_shows_fewer_and_all_shows_every_open_case_once_in_order(database: Path):
    breaches = _open(database, "breach")
    run = gdpr(database, "cases", "--limit", "3", "--json")
    assert run.returncode == 0 and len(json.loads(run.stdout)) == 3
    assert f"gdpr: {breaches - 3} sager mere" in run.stderr  # standard output stays one JSON list

    everything = json.loads(gdpr(database, "cases", "--all", "--json").stdout)
    assert len(everything) == len({item["case_id"] for item in everything}) == breaches
    assert everything == sorted(everything, key=_urgency)
    text = gdpr(database, "cases", "--all").stdout.strip().splitlines()
    assert len(text) == breaches + 1 and "Viser" not in text[-1]  # the header and every case; nothing left over

    refused = gdpr(database, "cases", "--limit", "0")
    assert refused.returncode == 2 and "between 1 and 500" in refused.stderr
    refused = gdpr(database, "cases", "--all", "--limit", "3")
    assert refused.returncode == 2 and "not allowed with argument --all" in refused.stderr


def test_open_requests_are_listed_with_their_type_in_danish(database: Path):
    requests = _open(database, "request")
    run = gdpr(database, "requests", "--limit", "5")
    assert run.returncode == 0, run.stderr
    header, *rows, footer = run.stdout.strip().splitlines()
    assert header.startswith("ANMODNING") and len(rows) == 5 and all(row.startswith("dsr-") for row in rows)
    assert all("indsigt (art. 15)" in row for row in rows) and f"af {requests} åbne anmodninger" in footer


def test_an_empty_index_says_there_is_nothing_open(tmp_path: Path):
    assert gdpr(tmp_path / "empty.db", "cases").stdout.strip() == "Ingen åbne sager."
    assert gdpr(tmp_path / "empty.db", "requests").stdout.strip() == "Ingen åbne anmodninger."
    assert json.loads(gdpr(tmp_path / "empty.db", "requests", "--all", "--json").stdout) == []
