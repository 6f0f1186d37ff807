"""Benchmark: breach cases on a real dev server (SQLite file + WAL), one in-process worker.

    .venv/bin/python scripts/bench.py [cases=200] [concurrency=20]
    .venv/bin/python scripts/bench.py lists [open=10000]   # only the workspace lists, no server
    .venv/bin/python scripts/bench.py cli [runs=10]        # only the command line's start-up, no server

Prints: cases started per second, update latency (p50/p95/p99) for the first four steps
of a case, query latency over all open cases, and the resident memory of the worker
process and of the Temporal server. Figures, not assertions: a shared 2-core machine
varies by 15-25 % between runs.

Then, as JSON lines, the workspace's lists: a fresh SQLite case_index with 10,000 open cases
(and a fifth as many closed) and the time of `list_cases` for the first page of 50, with the
count of the rest, per filter (median and max of 20 runs, ms); and `gdpr cases` / `gdpr requests` run as a
person runs them (a new process, first page and --all) against that index (median of 10 runs, s).

And, as JSON lines, the command line's start-up: `gdpr --help`, `gdpr deadline` and `gdpr assess`, each a
new process, median of 10 runs (s), next to a bare `python -c pass` (the floor no command can go under).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from domain import commands as c  # noqa: E402
from domain.model import BreachCaseInput, CaseView  # noqa: E402
from mailsink import free_port, start_sink  # noqa: E402
from codec import new_master_key  # noqa: E402
from settings import Settings  # noqa: E402
from temporal_client import connect  # noqa: E402
from tests.support import KEY_PERSON, facts, report  # noqa: E402
from worker import build_worker  # noqa: E402
from workflows.breach import BreachCaseWorkflow  # noqa: E402


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def bench(cases: int, concurrency: int, workdir: Path) -> None:
    port = free_port()
    temporal = shutil.which("temporal", path=str(Path(sys.executable).parent)) or "temporal"
    server = subprocess.Popen(
        [temporal, "server", "start-dev", "--headless", "--ip", "127.0.0.1", "--port", str(port),
         "--db-filename", str(workdir / "temporal.db"), "--sqlite-pragma", "journal_mode=wal",
         "--sqlite-pragma", "synchronous=normal", "--log-level", "error"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    smtp_port = free_port()
    sink, _ = start_sink("127.0.0.1", smtp_port)
    try:
        settings = Settings(_env_file=None, task_queue=f"bench-{uuid.uuid4().hex[:6]}", smtp_port=smtp_port,  # type: ignore[call-arg]
                            database_url=f"sqlite:///{workdir}/register.db", exports_dir=workdir / "exports",
                            temporal_address=f"127.0.0.1:{port}", master_key=new_master_key(),
                            key_database_url=f"sqlite:///{workdir}/keys.db")
        for _ in range(100):
            try:
                client = await connect(settings)
                break
            except RuntimeError:
                await asyncio.sleep(0.2)
        gate = asyncio.Semaphore(concurrency)
        starts: list[float] = []
        updates: list[float] = []

        async def one(i: int) -> None:
            async with gate:
                case_id = f"breach-2026-{i:06d}"
                inp = BreachCaseInput(case_id=case_id, policy=settings.case_policy(),
                                      report=report(datetime.now(timezone.utc) - timedelta(hours=1)))
                t0 = time.perf_counter()
                handle = await client.start_workflow(BreachCaseWorkflow.run, inp, id=case_id,
                                                     task_queue=settings.task_queue)
                starts.append(time.perf_counter() - t0)
                for name, cmd in [
                    ("assess_breach", c.AssessBreach(actor=KEY_PERSON, is_breach=True, reason="r")),
                    ("contain", c.Contain(actor=KEY_PERSON, measures="m", system_stopped=False)),
                    ("inform_management", c.InformManagement(actor=KEY_PERSON, crisis_team=["Leder"])),
                    ("record_facts", c.RecordFacts(actor=KEY_PERSON, facts=facts())),
                ]:
                    t0 = time.perf_counter()
                    await handle.execute_update(name, cmd, result_type=CaseView)
                    updates.append(time.perf_counter() - t0)

        with ThreadPoolExecutor(max_workers=16) as executor:
            async with build_worker(client, settings, executor):
                began = time.perf_counter()
                await asyncio.gather(*(one(i) for i in range(cases)))
                elapsed = time.perf_counter() - began
                queries: list[float] = []
                for i in range(cases):
                    t0 = time.perf_counter()
                    await client.get_workflow_handle(f"breach-2026-{i:06d}").query(BreachCaseWorkflow.view)
                    queries.append(time.perf_counter() - t0)
                await asyncio.sleep(2)  # let the outboxes drain before measuring memory
                print(f"cases: {cases}, concurrency: {concurrency}, steps per case: 4 updates + mail + register writes")
                print(f"wall time: {elapsed:.1f} s -> {cases / elapsed:.1f} cases/s, {4 * cases / elapsed:.1f} updates/s")
                print(f"start latency ms  p50 {pct(starts, .5):.0f}  p95 {pct(starts, .95):.0f}  p99 {pct(starts, .99):.0f}")
                print(f"update latency ms p50 {pct(updates, .5):.0f}  p95 {pct(updates, .95):.0f}  "
                      f"p99 {pct(updates, .99):.0f}  (mean {statistics.mean(updates) * 1000:.0f})")
                print(f"query latency ms  p50 {pct(queries, .5):.1f}  p99 {pct(queries, .99):.1f}  ({cases} open cases)")
                print(f"memory: worker {rss_mb(os.getpid()):.0f} MB, Temporal server {rss_mb(server.pid):.0f} MB")
    finally:
        sink.stop()
        server.terminate()
        server.wait(timeout=30)


def fill_case_index(engine, open_cases: int, closed_cases: int) -> None:
    """Index rows as the register activities write them: every state of both procedures, deadlines spread
    over the next weeks (some passed), a fifth of the open ones with the deadline already met."""
    from sqlalchemy import insert

    from activities.db import case_index
    from domain.breach_machine import STATE_INFO as BREACH_INFO
    from domain.dsr_machine import STATE_INFO as REQUEST_INFO

    now = datetime.now(timezone.utc)
    open_states = [("breach", s, i) for s, i in BREACH_INFO.items() if i.owner is not None] + \
                  [("request", s, i) for s, i in REQUEST_INFO.items() if i.owner is not None]
    rows = []
    for n in range(open_cases + closed_cases):
        closed = n >= open_cases
        kind, state, info = open_states[n % len(open_states)]
        rows.append(dict(
            case_id=f"{'breach' if kind == 'breach' else 'dsr'}-2026-{n:06d}", kind=kind, organisation="Eksempel Skole",
            state="closed" if closed else state.value, next_role=None if closed else info.owner.value,
            task_da=info.task_da, deadline=now + timedelta(minutes=(n * 7919) % (60 * 24 * 40) - 60 * 24 * 5),
            deadline_met=(n % 5 == 0) or closed, closed=closed, opened_at=now - timedelta(days=n % 30),
            updated_at=now - timedelta(minutes=n), request_type="access" if kind == "request" else None, last_seq=3))
    with engine.begin() as conn:
        for start in range(0, len(rows), 2000):
            conn.execute(insert(case_index), rows[start:start + 2000])


def bench_lists(open_cases: int, workdir: Path, runs: int = 20) -> None:
    from activities.case_index import list_cases
    from activities.db import make_engine

    engine = make_engine(f"sqlite:///{workdir}/lists.db")
    closed_cases = open_cases // 5
    t0 = time.perf_counter()
    fill_case_index(engine, open_cases, closed_cases)
    print(json.dumps({"bench": "case_index_fill", "open": open_cases, "closed": closed_cases,
                      "seconds": round(time.perf_counter() - t0, 2), "nproc": os.cpu_count()}))
    lists: dict[str, dict[str, Any]] = {"all open": {}, "role key_person": {"next_roles": {"key_person"}},
             "roles key_person+dpo": {"next_roles": {"key_person", "dpo"}}, "kind request": {"kind": "request"},
             "state processing": {"state": "processing"}, "organisation": {"organisation": "Eksempel Skole"},
             "all, closed last (last page)": {"include_closed": True, "offset": open_cases + closed_cases - 50}}
    for name, filters in lists.items():
        times, page = [], None
        for _ in range(runs):
            t0 = time.perf_counter()
            page = list_cases(engine, limit=50, **filters)
            times.append(time.perf_counter() - t0)
        assert page is not None
        print(json.dumps({"bench": "first_page", "list": name, "open": open_cases, "rows": len(page.rows),
                          "total": page.total, "median_ms": round(statistics.median(times) * 1000, 2),
                          "max_ms": round(max(times) * 1000, 2), "runs": runs}))
    bench_cli_lists(f"sqlite:///{workdir}/lists.db", open_cases)
    engine.dispose()


STARTER = ROOT / "starter.py"


def _cli_env(**extra: str) -> dict[str, str]:
    """The environment of a person's shell: no settings file, and bytecode caching on (a test runner's
    PYTHONDONTWRITEBYTECODE would make every run recompile the project and measure the compiler)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE" and not k.startswith("GDPR_")}
    return {**env, "GDPR_SETTINGS_FILE": "/nonexistent", **extra}


def _wall_times(command: list[str], env: dict[str, str], runs: int) -> list[float]:
    times = []  # the first run writes the bytecode caches and is left out
    for _ in range(runs + 1):
        t0 = time.perf_counter()
        subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - t0)
    return times[1:]


def _cli_line(bench: str, label: str, times: list[float], **extra: object) -> str:
    return json.dumps({"bench": bench, "command": label, "median_s": round(statistics.median(times), 3),
                       "min_s": round(min(times), 3), "max_s": round(max(times), 3), "runs": len(times), **extra,
                       "nproc": os.cpu_count()}, ensure_ascii=False)


def bench_cli(runs: int = 10) -> None:
    """The start-up of the commands that need no server (target: under 0.2 s each), wall time of a new process."""
    env = _cli_env()
    print(_cli_line("cli", "python -c pass", _wall_times([sys.executable, "-c", "pass"], env, runs)))
    for args in (["--help"], ["deadline", "breach", "--aware", "2026-03-27T14:20+01:00"],
                 ["assess", "--facts", str(ROOT / "examples" / "facts" / "protected-address.json")]):
        label = "gdpr " + " ".join(a if not a.startswith("/") else Path(a).name for a in args)
        print(_cli_line("cli", label, _wall_times([sys.executable, str(STARTER), *args], env, runs)))


def bench_cli_lists(database_url: str, open_cases: int, runs: int = 10) -> None:
    """`gdpr cases` and `gdpr requests` against the filled case index (target: under 1 s), as a new process."""
    env = _cli_env(GDPR_DATABASE_URL=database_url, GDPR_TEMPORAL_ADDRESS="127.0.0.1:9")  # no Temporal needed
    for args, n in ((["cases"], runs), (["cases", "--json"], runs), (["requests"], runs), (["cases", "--all"], 3)):
        print(_cli_line("cli_list", "gdpr " + " ".join(args),
                        _wall_times([sys.executable, str(STARTER), *args], env, n), open_in_index=open_cases))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "cli":
        bench_cli(int(sys.argv[2]) if len(sys.argv) > 2 else 10)
        sys.stdout.flush()
        os._exit(0)
    if len(sys.argv) > 1 and sys.argv[1] == "lists":
        with tempfile.TemporaryDirectory() as tmp:
            bench_lists(int(sys.argv[2]) if len(sys.argv) > 2 else 10_000, Path(tmp))
        sys.stdout.flush()
        os._exit(0)
    cases = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    concurrency = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(bench(cases, concurrency, Path(tmp)))
        bench_lists(10_000, Path(tmp))
    bench_cli()
    sys.stdout.flush()
    os._exit(0)  # temporalio/sdk-python#300


if __name__ == "__main__":
    main()
