"""Benchmark: breach cases on a real dev server (SQLite file + WAL), one in-process worker.

    .venv/bin/python scripts/bench.py [cases=200] [concurrency=20]   # everything below, in one run
    .venv/bin/python scripts/bench.py lists [open=10000]   # only the workspace lists, no server
    .venv/bin/python scripts/bench.py cli [runs=10]        # only the command line's start-up, no server
    .venv/bin/python scripts/bench.py load [open=10000] [workers=2]   # only the open cases under load

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

Last, 10,000 breach cases left open on a fresh dev server, with two real workers (worker.py, configured by
GDPR_ variables as an operator configures it, as docker-compose.yml runs them) each in its own process, so
its RSS is its own, each caching its share of the open cases with a fifth to spare: how
long opening them took (at most LOAD_WINDOW opening at a time, each done when its register write and both
mails are), the view query and an update (assess_breach) on random samples of the open cases (p50/p95/p99/
max, ms, one after the other as people would), each worker's RSS after opening, at the end and at its
peak, the first page of `list_cases` and `gdpr cases`
against the case index the worker filled, and how late deadline reminders reached the SMTP sink: a few
cases among the open ones are aware 70 hours before a moment 20-60 s ahead, so their 2-hour reminder
falls due while the queries and updates run (real time: time skipping would hide lateness). One last
line, "load", puts each figure next to its target. GDPR_WORKER_* variables change the worker's settings
for a run (e.g. GDPR_WORKER_MAX_CACHED_WORKFLOWS=50 for a cache far smaller than the open cases, so
nearly every query and update replays its case; `load 10000 1` for one worker).
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
from app.temporal_client import connect, failure_message  # noqa: E402
from domain.kernel.deadlines import AUTHORITY_HOURS  # noqa: E402
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


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """A process's memory now (VmRSS) or at its peak (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
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


def start_services(workdir: Path) -> tuple[subprocess.Popen, subprocess.Popen, Settings]:
    """A dev server (SQLite file + WAL, as TEMPORAL-NOTES.md measured it), a real SMTP sink in its own process,
    and the settings that point at both (a fresh task queue, register and key database, master key)."""
    workdir.mkdir(parents=True, exist_ok=True)
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
    settings = Settings(_env_file=None, task_queue=f"bench-{uuid.uuid4().hex[:6]}", smtp_port=smtp_port,  # type: ignore[call-arg]
                        database_url=f"sqlite:///{workdir}/register.db", exports_dir=workdir / "exports",
                        temporal_address=f"127.0.0.1:{port}", master_key=new_master_key(),
                        key_database_url=f"sqlite:///{workdir}/keys.db")
    return server, sink, settings


def stop_services(*processes: subprocess.Popen) -> None:
    for process in processes:
        process.terminate()
        process.wait(timeout=60)


async def connect_when_up(settings: Settings) -> Client:
    for _ in range(150):
        try:
            return await connect(settings)
        except RuntimeError:
            await asyncio.sleep(0.2)
    return await connect(settings)


async def bench(cases: int, concurrency: int, workdir: Path) -> None:
    server, sink, settings = start_services(workdir)
    try:
        client = await connect_when_up(settings)
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
        stop_services(sink, server)


LOAD_WINDOW = 100  # cases opening at a time: started, their register write and two mails not all done yet
LOAD_WORKERS = 2  # as docker-compose.yml runs them
LOAD_SAMPLE = 500  # cases queried, and other cases updated, at random among the open ones
REMINDER_CASES = 10  # cases among the open ones whose deadline reminder falls due during the measurements
REMINDER_FIRST_S, REMINDER_STEP_S = 20.0, 4.0  # the first reminder due this long after they open, then one each step


def start_worker_process(settings: Settings, workdir: Path, name: str = "worker") -> subprocess.Popen:
    """The real worker (worker.py: build_worker, the sandbox, every activity) in its own process, configured
    as an operator configures it (GDPR_ variables), so its RSS is the worker's alone; its log is `name`.log."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GDPR_")}
    assert settings.master_key is not None
    env.update(GDPR_SETTINGS_FILE="/nonexistent", GDPR_TEMPORAL_ADDRESS=settings.temporal_address,
               GDPR_TASK_QUEUE=settings.task_queue, GDPR_SMTP_PORT=str(settings.smtp_port),
               GDPR_DATABASE_URL=settings.database_url, GDPR_KEY_DATABASE_URL=settings.key_database_url,
               GDPR_MASTER_KEY=settings.master_key.get_secret_value(), GDPR_EXPORTS_DIR=str(workdir / "exports"),
               GDPR_DATA_DIR=str(workdir),
               GDPR_WORKER_MAX_CACHED_WORKFLOWS=str(settings.worker_max_cached_workflows),
               GDPR_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS=str(settings.worker_max_concurrent_workflow_tasks),
               GDPR_WORKER_ACTIVITY_THREADS=str(settings.worker_activity_threads),
               GDPR_WORKER_SANDBOX=str(settings.worker_sandbox).lower())
    with open(workdir / f"{name}.log", "wb") as log:
        return subprocess.Popen([sys.executable, str(ROOT / "worker.py")], cwd=ROOT, env=env,
                                stdout=log, stderr=subprocess.STDOUT)


async def wait_for_worker(worker: subprocess.Popen, log: Path) -> None:
    for _ in range(600):
        if b"worker started" in log.read_bytes():
            return
        if worker.poll() is not None:
            raise RuntimeError("the worker stopped: " + log.read_text()[-2000:])
        await asyncio.sleep(0.1)
    raise RuntimeError("the worker did not start within 60 s")


def opened_cases(engine) -> int:
    """Cases whose opening is done: the register write and the two mails (to the DPO, the receipt)."""
    with engine.connect() as conn:
        written = conn.execute(select(func.count()).select_from(case_events)).scalar_one()
        sent = conn.execute(select(func.count()).select_from(outbox).where(outbox.c.status == "sent")).scalar_one()
    return min(written, sent // bench_bare.OPENING_MAILS)


async def open_cases(client: Client, settings: Settings, engine, cases: list[tuple[str, datetime]]) -> None:
    """Start the cases as fast as server and worker take them, at most LOAD_WINDOW opening at a time; return
    when every one of them (and every case before them) has its opening done."""
    before = opened_cases(engine)
    tasks: set[asyncio.Task] = set()
    done = 0

    async def start(case_id: str, aware_at: datetime) -> None:
        inp = BreachCaseInput(case_id=case_id, policy=settings.case_policy(), report=report(aware_at))
        await client.start_workflow(BreachCaseWorkflow.run, inp, id=case_id, task_queue=settings.task_queue)

    for n, (case_id, aware_at) in enumerate(cases):
        while n - done >= LOAD_WINDOW:
            await asyncio.sleep(0.05)
            done = opened_cases(engine) - before
        task = asyncio.create_task(start(case_id, aware_at))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    while tasks:
        await asyncio.gather(*tasks)
    while opened_cases(engine) - before < len(cases):
        await asyncio.sleep(0.1)


def latency(values: list[float]) -> dict[str, float]:
    return {"p50": round(pct(values, .5), 1), "p95": round(pct(values, .95), 1), "p99": round(pct(values, .99), 1),
            "max": round(max(values) * 1000, 1)}


def reminder_arrivals(mail_dir: Path, case_ids: list[str], hours_before: int) -> dict[str, float]:
    """When each case's deadline reminder reached the SMTP sink: the time its message file was written."""
    from email import message_from_bytes, policy

    arrived: dict[str, float] = {}
    for case_id in case_ids:
        for path in mail_dir.glob(f"{case_id}-*.eml"):
            message = message_from_bytes(path.read_bytes(), policy=policy.default)
            if f"Frist om {hours_before} timer" in str(message.get("Subject", "")):
                arrived[case_id] = path.stat().st_mtime
    return arrived


async def bench_load(open_total: int, workdir: Path, workers: int = 1) -> None:
    """`open_total` breach cases open at once on a real dev server, with `workers` real workers each in its
    own process: how long opening them takes, each worker's memory, query and update latency, the lists a
    person opens, and how late deadline reminders come under that load.

    Each worker's cache holds its share of the open cases with a fifth to spare (`load_cache`), unless
    GDPR_WORKER_MAX_CACHED_WORKFLOWS says otherwise (e.g. 50, to measure cases replayed on every touch)."""
    import random

    from activities.case_index import list_cases

    server, sink, settings = start_services(workdir)
    if "GDPR_WORKER_MAX_CACHED_WORKFLOWS" not in os.environ:
        settings = settings.model_copy(update={"worker_max_cached_workflows": load_cache(open_total, workers)})
    procs: list[subprocess.Popen] = []
    try:
        client = await connect_when_up(settings)
        procs = [start_worker_process(settings, workdir, f"worker-{n}") for n in range(workers)]
        for n, proc in enumerate(procs):
            await wait_for_worker(proc, workdir / f"worker-{n}.log")
        pids = [proc.pid for proc in procs]
        engine = make_engine(settings.database_url)
        reminder_count = min(REMINDER_CASES, max(1, open_total // 10))
        load_ids = [f"breach-2026-{n:06d}" for n in range(open_total - reminder_count)]
        now = datetime.now(timezone.utc)
        # Aware a day to a day and a half ago: the deadline and later reminders still ahead, none due in the run.
        aware = [now - timedelta(hours=24 + (n % 12)) for n in range(len(load_ids))]
        worker_cpu0, server_cpu0, began = sum(map(process_cpu, pids)), process_cpu(server.pid), time.perf_counter()
        await open_cases(client, settings, engine, list(zip(load_ids, aware)))
        opening = time.perf_counter() - began
        rss_open = [round(rss_mb(pid)) for pid in pids]
        print(json.dumps({"bench": "load_open", "open": len(load_ids), "window": LOAD_WINDOW, "nproc": NPROC,
                          "seconds": round(opening, 1), "cases_per_s": round(len(load_ids) / opening, 2),
                          "worker_cpu_s": round(sum(map(process_cpu, pids)) - worker_cpu0, 1),
                          "server_cpu_s": round(process_cpu(server.pid) - server_cpu0, 1),
                          "worker_rss_mb": rss_open, "server_rss_mb": round(rss_mb(server.pid)), "workers": workers,
                          "max_cached_workflows": settings.worker_max_cached_workflows}), flush=True)

        # Cases whose last reminder before the deadline falls due while the queries and updates below run.
        hours = min(settings.reminder_hours_before)
        reminder_ids = [f"breach-2026-{n:06d}" for n in range(len(load_ids), open_total)]
        first_due = datetime.now(timezone.utc) + timedelta(seconds=REMINDER_FIRST_S)
        due = {case_id: first_due + timedelta(seconds=REMINDER_STEP_S * n) for n, case_id in enumerate(reminder_ids)}
        await open_cases(client, settings, engine, [
            (case_id, at - timedelta(hours=AUTHORITY_HOURS - hours)) for case_id, at in due.items()])

        rng = random.Random(11)
        sample = rng.sample(load_ids, min(2 * LOAD_SAMPLE, len(load_ids)))
        queried, updated = sample[:len(sample) // 2], sample[len(sample) // 2:]  # different cases
        cached = set(load_ids[-workers * settings.worker_max_cached_workflows:])  # at most these can be in a cache
        queries: list[float] = []
        failed: dict[str, str] = {}  # a failure is a figure too (e.g. the SDK's 2 s deadlock detector on a starved CPU)
        for case_id in queried:
            t0 = time.perf_counter()
            try:
                await client.get_workflow_handle(case_id).query(BreachCaseWorkflow.view)
            except Exception as err:  # noqa: BLE001 - counted and named in the figures
                failed[case_id] = f"{type(err).__name__}: {failure_message(err)}"[:200]
            queries.append(time.perf_counter() - t0)
        print(json.dumps({"bench": "load_query", "open": open_total, "sample": len(queried), "nproc": NPROC,
                          "at_most_cached": len(cached & set(queried)), "view_query_ms": latency(queries),
                          "failed": len(failed), "failures": sorted(set(failed.values()))[:3]}), flush=True)
        updates: list[float] = []
        failed = {}
        for case_id in updated:
            t0 = time.perf_counter()
            try:
                await client.get_workflow_handle(case_id).execute_update(
                    BreachCaseWorkflow.assess_breach, c.AssessBreach(actor=KEY_PERSON, is_breach=True, reason="r"))
            except Exception as err:  # noqa: BLE001 - counted and named in the figures
                failed[case_id] = f"{type(err).__name__}: {failure_message(err)}"[:200]
            updates.append(time.perf_counter() - t0)
        print(json.dumps({"bench": "load_update", "open": open_total, "sample": len(updated), "nproc": NPROC,
                          "at_most_cached": len(cached & set(updated)), "action": "assess_breach",
                          "update_ms": latency(updates), "failed": len(failed),
                          "failures": sorted(set(failed.values()))[:3]}), flush=True)

        last_due = max(due.values())
        while True:
            arrived = reminder_arrivals(workdir / "mail", reminder_ids, hours)
            if len(arrived) == len(reminder_ids) or datetime.now(timezone.utc) > last_due + timedelta(seconds=60):
                break
            await asyncio.sleep(0.5)
        late = [arrived[case_id] - due[case_id].timestamp() for case_id in reminder_ids if case_id in arrived]
        print(json.dumps({"bench": "load_reminder", "open": open_total, "cases": len(reminder_ids), "nproc": NPROC,
                          "arrived": len(late), "hours_before": hours,
                          "late_s": {"p50": round(statistics.median(late), 2), "max": round(max(late), 2)}
                          if late else None}), flush=True)

        lists: dict[str, dict[str, Any]] = {"all open": {}, "role key_person": {"next_roles": {"key_person"}},
                                            "state containment": {"state": "containment"}}
        first_pages: dict[str, float] = {}
        for name, filters in lists.items():
            times, page = [], None
            for _ in range(20):
                t0 = time.perf_counter()
                page = list_cases(engine, limit=50, **filters)
                times.append(time.perf_counter() - t0)
            assert page is not None
            first_pages[name] = max(times)
            print(json.dumps({"bench": "load_first_page", "list": name, "open": open_total, "rows": len(page.rows),
                              "total": page.total, "median_ms": round(statistics.median(times) * 1000, 2),
                              "max_ms": round(max(times) * 1000, 2), "runs": 20, "nproc": NPROC}), flush=True)
        cli = statistics.median(_wall_times([sys.executable, str(STARTER), "cases"],
                                            _cli_env(GDPR_DATABASE_URL=settings.database_url,
                                                     GDPR_TEMPORAL_ADDRESS="127.0.0.1:9"), 10))
        rss_end, peak = [round(rss_mb(pid)) for pid in pids], [round(rss_mb(pid, "VmHWM")) for pid in pids]
        print(json.dumps({"bench": "load", "open": open_total, "nproc": NPROC, "workers": workers,
                          "max_cached_workflows": settings.worker_max_cached_workflows,
                          "worker_rss_mb": {"opened": rss_open, "end": rss_end, "peak": peak},
                          "server_rss_mb": round(rss_mb(server.pid)),
                          "view_query_p99_ms": round(pct(queries, .99), 1),
                          "update_p99_ms": round(pct(updates, .99), 1),
                          "first_page_max_ms": round(max(first_pages.values()) * 1000, 1),
                          "gdpr_cases_median_s": round(cli, 3),
                          "reminder_late_max_s": round(max(late), 2) if late else None,
                          "targets": {"worker_rss_mb": 1024, "p99_ms": 100, "list_s": 1, "reminder_late_s": 2}}),
              flush=True)
        engine.dispose()
    finally:
        stop_services(*procs)
        stop_services(sink, server)


def load_cache(open_total: int, workers: int) -> int:
    """Each worker's cache: its share of the open cases and a fifth more, since a case stays with the worker
    that first ran it (its sticky queue) and the shares are not exactly even."""
    return max(100, -(-open_total * 6 // (5 * workers)))


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
    args = sys.argv[1:]
    if args and args[0] == "cli":
        bench_cli(int(args[1]) if len(args) > 1 else 10)
    elif args and args[0] == "lists":
        with tempfile.TemporaryDirectory() as tmp:
            bench_lists(int(args[1]) if len(args) > 1 else 10_000, Path(tmp))
    elif args and args[0] == "load":
        compile_bytecode()
        with tempfile.TemporaryDirectory() as tmp:
            asyncio.run(bench_load(int(args[1]) if len(args) > 1 else 10_000, Path(tmp),
                                   int(args[2]) if len(args) > 2 else LOAD_WORKERS))
    else:
        cases = int(args[0]) if args else 200
        concurrency = int(args[1]) if len(args) > 1 else 20
        compile_bytecode()
        with tempfile.TemporaryDirectory() as tmp:
            asyncio.run(bench(cases, concurrency, Path(tmp) / "cases"))
            bench_lists(10_000, Path(tmp))
            bench_cli()
            asyncio.run(bench_load(10_000, Path(tmp) / "load", LOAD_WORKERS))
    sys.stdout.flush()
    os._exit(0)  # temporalio/sdk-python#300


if __name__ == "__main__":
    main()
