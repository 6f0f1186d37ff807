"""Temporal stores ciphertext only; operators decrypt with `gdpr history`; `gdpr shred` makes it unreadable."""

from __future__ import annotations

import base64
import io
import json
import shutil
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.testing import TimeSkippingConfig, WorkflowEnvironment

from app.codec import CaseCodec, CaseKeyStore, KeyDestroyedError
from app.cli.crypto import _payloads, decoded_history
from app.logging_setup import configure_logging
from app.settings import Settings
from app.temporal_client import data_converter
from tests.support import REPORTER, TIME_SKIPPING_ARGS, CaseDriver, RequestDriver
from tests.workflows.support import run_high_risk_case
from tests.workspace import gdpr
from app.worker import build_worker
from workflows.breach import FOLLOW_UP_MAIL, REOPEN_AFTER_CLOSE, REPORTER_RECEIPT
from workflows.common import BASELINE, INDEPENDENT_EFFECTS
from workflows.search_attributes import ALL as CASE_SEARCH_ATTRIBUTES, SEARCH_ATTRIBUTES

# Patch markers carry only these ids (workflow.patched); the SDK writes them outside the codec.
PATCH_IDS = {BASELINE, FOLLOW_UP_MAIL, INDEPENDENT_EFFECTS, REOPEN_AFTER_CLOSE, REPORTER_RECEIPT, SEARCH_ATTRIBUTES}

CPR = "170514-1234"
WHAT = f"Elevliste med CPR-nummer {CPR} sendt til forkert forældregruppe"
# Everything a person typed or the systems returned that must not be readable in Temporal or the logs.
PERSONAL = [REPORTER.name, REPORTER.email, "+45 11 22 33 44", CPR, "Mille Nordstrand", "Karen Jensen",
            "karen.jensen@example.dk", "Emil Jensen", "Skolevej 12", "indskrivningsblanket"]


async def _access_request(requests: RequestDriver) -> str:
    handle = await requests.open("access", description=f"Alt om mit barn, CPR {CPR}")
    await requests.verify(handle)
    await requests.wait_state(handle, "processing")
    await requests.complete_archive(handle, result="Én mappe: indskrivningsblanket for Emil Jensen")
    await requests.approve(handle)
    await handle.result()
    return handle.id


async def test_the_temporal_database_and_the_worker_log_hold_no_names_emails_or_cpr_numbers(
        tmp_path: Path, settings: Settings, school_db: Path):
    temporal = shutil.which("temporal", path=str(Path(sys.executable).parent)) or shutil.which("temporal")
    database = tmp_path / "temporal" / "temporal.db"
    database.parent.mkdir()
    env = await WorkflowEnvironment.start_time_skipping_v2(
        ts_config=TimeSkippingConfig(max_session_skip_count=100), dev_server_existing_path=temporal,
        dev_server_extra_args=[*TIME_SKIPPING_ARGS, "--db-filename", str(database)],
        data_converter=data_converter(settings))
    log = io.StringIO()
    configure_logging(stream=log)
    try:
        with ThreadPoolExecutor(max_workers=8) as executor:
            async with build_worker(env.client, settings, executor):
                breach = await CaseDriver(env, settings).open(what_happened=WHAT)
                await run_high_risk_case(CaseDriver(env, settings), breach)
                request_id = await _access_request(RequestDriver(env, settings, school_db))
                # The operator's view still has it all: the data is there, only encrypted.
                shown = json.dumps([await decoded_history(env.client, case, AssertionError)
                                    for case in (breach.id, request_id)], ensure_ascii=False)
    finally:
        configure_logging()
        await env.shutdown()

    stored = b"".join(f.read_bytes() for f in database.parent.glob("temporal.db*"))
    assert breach.id.encode() in stored and request_id.encode() in stored  # the histories are in this file
    assert b"binary/encrypted" in stored
    worker_log = log.getvalue()
    assert request_id in worker_log and "mail sent" in worker_log
    for value in PERSONAL:
        assert value in shown, f"the operator view lacks {value}: the test would prove nothing"
        assert stored.count(value.encode()) == 0, f"{value} in plaintext in temporal.db"
        assert value not in worker_log, f"{value} in the worker log"


async def test_gdpr_history_shows_the_decrypted_history_to_operators(env: WorkflowEnvironment, settings: Settings,
                                                                      driver: CaseDriver):
    handle = await driver.open(what_happened=WHAT)
    await driver.to_fact_finding(handle)
    run = await gdpr(env, settings, "history", handle.id)
    assert run.returncode == 0, run.stderr
    assert REPORTER.name in run.stdout and CPR in run.stdout and "workflow_execution_started" in run.stdout
    assert "workflow_execution_update_accepted" in run.stdout and "user_metadata.summary" in run.stdout
    run = await gdpr(env, settings, "history", handle.id, "--json")
    events = json.loads(run.stdout)
    started = events[0]["payloads"]["input[0]"]
    assert started["report"]["reporter"]["email"] == REPORTER.email
    # The raw history, as the Web UI and `temporal workflow show` get it, is ciphertext.
    raw = (await handle.fetch_history()).events[0].SerializeToString()
    assert REPORTER.name.encode() not in raw and CPR.encode() not in raw
    run = await gdpr(env, settings, "history", "breach-2026-99999999")
    assert run.returncode == 2 and "findes ikke" in run.stderr and "Traceback" not in run.stderr
    # Its worker stops with this test; an open case without one would stall `gdpr cases` in later tests.
    await handle.terminate("test done")


async def test_after_shredding_no_payload_of_the_case_decodes(env: WorkflowEnvironment, settings: Settings,
                                                              driver: CaseDriver, master_key: str):
    handle = await driver.open(what_happened=WHAT)
    await driver.to_fact_finding(handle)
    run = await gdpr(env, settings, "shred", handle.id, "--yes")
    assert run.returncode == 2 and "kører stadig" in run.stderr  # a running case needs its key
    await handle.terminate("test: the case is over")
    run = await gdpr(env, settings, "shred", handle.id)
    assert run.returncode == 2 and "--yes" in run.stderr  # irreversible: asks for confirmation
    run = await gdpr(env, settings, "shred", handle.id, "--yes")
    assert run.returncode == 0 and "destrueret" in run.stdout, run.stderr

    run = await gdpr(env, settings, "history", handle.id)
    assert run.returncode == 2 and "key destroyed" in run.stderr and "Traceback" not in run.stderr
    found: list[tuple[str, Payload]] = []
    for event in (await handle.fetch_history()).events:
        _payloads(event, "", found)
    assert len(found) > 10 and any(path == "user_metadata.summary" for path, _ in found)
    # A process that never saw the key (this one cached it for a minute), on the key database the case used.
    used = env.client.data_converter.payload_codec
    assert isinstance(used, CaseCodec)
    codec = CaseCodec(CaseKeyStore(used.keys.engine, base64.b64decode(master_key)))
    for path, payload in found:
        if path.startswith("details[patch-data]"):  # the SDK's own patch markers: a patch id, never case data
            assert json.loads(payload.data)["id"] in PATCH_IDS
            continue
        if path == "search_attributes.indexed_fields[TemporalChangeVersion]":  # the same patch ids, for visibility
            assert set(json.loads(payload.data)) <= PATCH_IDS
            continue
        if path in {f"search_attributes.indexed_fields[{key.name}]" for key in CASE_SEARCH_ATTRIBUTES}:
            # Plain by necessity (the UI filters on them): kind, state, role, deadline, organisation; no person.
            assert not any(value in payload.data.decode() for value in PERSONAL), (path, payload.data)
            continue
        with pytest.raises(KeyDestroyedError, match="key destroyed"):
            await codec.decode([payload])
    # An id no other test used: asking about an unknown case elsewhere may already have given it a key.
    run = await gdpr(env, settings, "shred", f"dsr-2026-{uuid.uuid4().int % 10**8:08d}", "--yes")
    assert run.returncode == 2 and "findes ikke" in run.stderr
