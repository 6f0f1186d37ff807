"""Benchmark: breach cases on a real dev server (SQLite file + WAL), one in-process worker.

    .venv/bin/python scripts/bench.py [cases=200] [concurrency=20]
    .venv/bin/python scripts/bench.py lists [open=10000]   # only the workspace lists, no server
    .venv/bin/python scripts/bench.py cli [runs=10]        # only the command line's start-up, no server

One run drives two kinds of case against the same server, from the same process, after a short
warm-up of each: a bare workflow (scripts/bench_bare.py: the same input, the same four updates with
the same commands, the same eight activity calls doing nothing, one timer) and the full breach case
(its first four steps: the procedure, register writes, three mails to a real SMTP sink in its own
process). Half the cases are of each kind, run in four batches, bare-full-full-bare, so a machine
that gets busier or quieter during the run weighs on both alike. Each kind prints one JSON line:
wall time until every update has returned and every activity has finished, cases per second, start
and update latency (p50/p95/p99, ms), the CPU seconds of this process (worker and client; the mail
sink and the server are other processes) and of the Temporal server, and the history size per case.
Then one line with the ratios full/bare, one with query latency over the open cases and memory, and
the machine's core count in each. The workflows' bytecode is compiled first, as an installed worker
has it. Figures, not assertions: a shared 2-core machine varies by 15-25 % between runs.

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
import resource
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
from typing import Any, Awaitable, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402
from temporalio.client import Client  # noqa: E402
from temporalio.worker import Worker  # noqa: E402

from activities.db import case_events, make_engine, outbox  # noqa: E402
from app.codec import new_master_key  # noqa: E402
from domain.breach import commands as c  # noqa: E402
from domain.breach.model import BreachCaseInput  # noqa: E402
from app.mailsink import free_port  # noqa: E402
from scripts import bench_bare  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.temporal_client import connect  # noqa: E402
from tests.support import KEY_PERSON, facts, report  # noqa: E402
from app.worker import build_worker, workflow_runner  # noqa: E402
from workflows.breach import BreachCaseWorkflow  # noqa: E402
from workflows.search_attributes import dev_server_args  # noqa: E402

NPROC = os.cpu_count()
STEPS = [
    ("assess_breach", lambda: c.AssessBreach(actor=KEY_PERSON, is_breach=True, reason="r")),
    ("contain", lambda: c.Contain(actor=KEY_PERSON, measures="m", system_stopped=False)),
    ("inform_management", lambda: c.InformManagement(actor=KEY_PERSON, crisis_team=["Leder"])),
    ("record_facts", lambda: c.RecordFacts(actor=KEY_PERSON, facts=facts())),
]
REGISTER_WRITES, MAILS = 1 + len(STEPS), bench_bare.OPENING_MAILS + sum(bench_bare.STEP_MAILS.values())
WARM_UP = 5


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def process_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


class Kind:
    """One kind of case as the benchmark drives it, and what its measured batches added up to."""

    def __init__(self, name: str, workflow: Any, settings: Settings, first: int,
                 finished: Callable[[], Awaitable[int]], per_case: int) -> None:
        self.name, self.workflow, self.settings = name, workflow, settings
        self.next_number = first  # case numbers: breach-2026-<first + n>
        self.finished, self.per_case = finished, per_case  # completed activities so far, and per case
        self.started = 0
        self.cases = 0
        self.ids: list[str] = []
        self.starts: list[float] = []
        self.updates: list[float] = []
        self.wall = self.updated = self.cpu = self.server_cpu = 0.0


async def run_batch(client: Client, kind: Kind, cases: int, concurrency: int, server_pid: int,
                    measured: bool = True) -> None:
    """Start `cases` cases, `concurrency` at a time, each with its four updates; wait until every activity
    of every case has finished (mails sent, register written), then add the figures to the kind's."""
    gate = asyncio.Semaphore(concurrency)
    ids = [f"breach-2026-{kind.next_number + i:06d}" for i in range(cases)]
    kind.next_number += cases
    kind.started += cases
    starts: list[float] = []
    updates: list[float] = []

    async def one(case_id: str) -> None:
        async with gate:
            inp = BreachCaseInput(case_id=case_id, policy=kind.settings.case_policy(),
                                  report=report(datetime.now(timezone.utc) - timedelta(hours=1)))
            t0 = time.perf_counter()
            handle = await client.start_workflow(kind.workflow, inp, id=case_id, task_queue=kind.settings.task_queue)
            starts.append(time.perf_counter() - t0)
            for name, command in STEPS:
                t0 = time.perf_counter()
                await handle.execute_update(name, command())
                updates.append(time.perf_counter() - t0)

    cpu0, server0, began = own_cpu(), process_cpu(server_pid), time.perf_counter()
    await asyncio.gather(*(one(case_id) for case_id in ids))
    updated = time.perf_counter() - began
    while await kind.finished() < kind.started * kind.per_case:
        await asyncio.sleep(0.1)
    wall = time.perf_counter() - began
    if not measured:
        return
    kind.cases += cases
    kind.ids += ids
    kind.starts += starts
    kind.updates += updates
    kind.wall += wall
    kind.updated += updated
    kind.cpu += own_cpu() - cpu0
    kind.server_cpu += process_cpu(server_pid) - server0


async def figures(client: Client, kind: Kind, concurrency: int) -> dict:
    sizes, events = [], []
    for case_id in kind.ids[:10]:
        history = await client.get_workflow_handle(case_id).fetch_history()
        sizes.append(len(history.to_json().encode()))
        events.append(len(history.events))
    starts, updates = kind.starts, kind.updates
    return {"bench": "cases", "kind": kind.name, "cases": kind.cases, "concurrency": concurrency, "nproc": NPROC,
            "wall_s": round(kind.wall, 2), "updates_done_s": round(kind.updated, 2),
            "cases_per_s": round(kind.cases / kind.wall, 2),
            "start_ms": {"p50": round(pct(starts, .5)), "p95": round(pct(starts, .95)), "p99": round(pct(starts, .99))},
            "update_ms": {"p50": round(pct(updates, .5)), "p95": round(pct(updates, .95)),
                          "p99": round(pct(updates, .99)), "mean": round(statistics.mean(updates) * 1000)},
            "worker_cpu_s": round(kind.cpu, 2), "server_cpu_s": round(kind.server_cpu, 2),
            "history_kb_per_case": round(statistics.mean(sizes) / 1024, 1),
            "history_events_per_case": round(statistics.mean(events), 1)}


def ratios(bare: dict, full: dict) -> dict:
    def r(key: str, sub: str | None = None) -> float:
        a, b = (full[key], bare[key]) if sub is None else (full[key][sub], bare[key][sub])
        return round(a / b, 2) if b else float("nan")

    return {"bench": "full/bare", "cases": full["cases"], "concurrency": full["concurrency"], "nproc": NPROC,
            "wall": r("wall_s"), "worker_cpu": r("worker_cpu_s"), "server_cpu": r("server_cpu_s"),
            "update_p50": r("update_ms", "p50"), "update_p95": r("update_ms", "p95"),
            "update_p99": r("update_ms", "p99"), "history": r("history_kb_per_case")}


async def bench(cases: int, concurrency: int, workdir: Path) -> None:
    port = free_port()
    temporal = shutil.which("temporal", path=str(Path(sys.executable).parent)) or "temporal"
    server = subprocess.Popen(
        [temporal, "server", "start-dev", "--headless", "--ip", "127.0.0.1", "--port", str(port),
         "--db-filename", str(workdir / "temporal.db"), "--sqlite-pragma", "journal_mode=wal",
         "--sqlite-pragma", "synchronous=normal", "--log-level", "error", *dev_server_args()],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    smtp_port = free_port()
    # A real SMTP server in its own process, as a mail server would be: its CPU is not the worker's.
    sink = subprocess.Popen([sys.executable, str(ROOT / "app/mailsink.py"), "--port", str(smtp_port),
                             "--dir", str(workdir / "mail")], stdout=subprocess.DEVNULL)
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
        engine = make_engine(settings.database_url)
        bare_activities = bench_bare.BareActivities()

        async def bare_finished() -> int:
            return bare_activities.finished

        async def full_finished() -> int:
            with engine.connect() as conn:
                written = conn.execute(select(func.count()).select_from(case_events)).scalar_one()
                sent = conn.execute(select(func.count()).select_from(outbox).where(outbox.c.status == "sent")).scalar_one()
            # Whole cases only: every step written and every mail sent.
            return min(written // REGISTER_WRITES, sent // MAILS) * (REGISTER_WRITES + MAILS)

        bare_settings = settings.model_copy(update={"task_queue": settings.task_queue + "-bare"})
        bare = Kind("bare", bench_bare.BareCaseWorkflow.run, bare_settings, 500_000, bare_finished,
                    bench_bare.ACTIVITIES_PER_CASE)
        full = Kind("full", BreachCaseWorkflow.run, settings, 0, full_finished, REGISTER_WRITES + MAILS)
        with ThreadPoolExecutor(max_workers=16) as executor:
            # The bare worker is the full one's twin: the same sandbox, executor and limits, its own task queue.
            bare_worker = Worker(client, task_queue=bare_settings.task_queue, workflows=[bench_bare.BareCaseWorkflow],
                                 activities=[bare_activities.bare_register, bare_activities.bare_mail],
                                 workflow_runner=workflow_runner(), activity_executor=executor,
                                 max_concurrent_activities=executor._max_workers)
            async with bare_worker, build_worker(client, settings, executor):
                for kind in (bare, full):
                    await run_batch(client, kind, WARM_UP, concurrency, server.pid, measured=False)
                # In turns, bare-full-full-bare, so a machine that gets busier or quieter during the run
                # weighs on both kinds alike.
                batches = [cases // 4 + (1 if n < cases % 4 else 0) for n in range(4)]
                for kind, batch in zip((bare, full, full, bare), (batches[0], batches[1], batches[2], batches[3])):
                    await run_batch(client, kind, batch, concurrency, server.pid)
                bare_figures, full_figures = await figures(client, bare, concurrency), await figures(client, full, concurrency)
                print(json.dumps(bare_figures), flush=True)
                print(json.dumps(full_figures), flush=True)
                print(json.dumps(ratios(bare_figures, full_figures)), flush=True)
                queries: list[float] = []
                for case_id in full.ids:
                    t0 = time.perf_counter()
                    await client.get_workflow_handle(case_id).query(BreachCaseWorkflow.view)
                    queries.append(time.perf_counter() - t0)
                print(json.dumps({"bench": "open_cases", "open": bare.started + full.started, "nproc": NPROC,
                                  "view_query_ms": {"p50": round(pct(queries, .5), 1),
                                                    "p99": round(pct(queries, .99), 1)},
                                  "worker_rss_mb": round(rss_mb(os.getpid())),
                                  "server_rss_mb": round(rss_mb(server.pid))}), flush=True)
        engine.dispose()
    finally:
        sink.terminate()
        sink.wait(timeout=30)
        server.terminate()
        server.wait(timeout=30)


def fill_case_index(engine, open_cases: int, closed_cases: int) -> None:
    """Index rows as the register activities write them: every state of both procedures, deadlines spread
    over the next weeks (some passed), a fifth of the open ones with the deadline already met."""
    from sqlalchemy import insert

    from activities.db import case_index
    from domain.breach.machine import STATE_INFO as BREACH_INFO
    from domain.requests.machine import STATE_INFO as REQUEST_INFO

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


def compile_bytecode() -> None:
    """Write the workflows' bytecode, as an installed worker has it (the Dockerfile compiles it): the sandbox
    imports a workflow's module for every new case, from source if no current bytecode is there (as with
    PYTHONDONTWRITEBYTECODE, or after an edit), which would add a compile to every case."""
    import compileall

    for folder in ("workflows", "scripts", "domain", "activities"):
        compileall.compile_dir(ROOT / folder, quiet=1)


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
    compile_bytecode()
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(bench(cases, concurrency, Path(tmp)))
        bench_lists(10_000, Path(tmp))
    bench_cli()
    sys.stdout.flush()
    os._exit(0)  # temporalio/sdk-python#300


if __name__ == "__main__":
    main()
