"""The payload codec without a server: per-case keys, authenticity, shredding, the master key."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from temporalio.api.common.v1 import Payload
from temporalio.api.failure.v1 import Failure
from temporalio.converter import ActivitySerializationContext, WorkflowSerializationContext
from temporalio.exceptions import ApplicationError

from activities.db import case_keys
from app.codec import (
    KEY_ID, SHARED_KEY_ID, CaseCodec, CaseKeyStore, CodecError, KeyDestroyedError, MasterKeyError, destroy_case_key,
    key_engine, load_master_key, new_master_key,
)
from app.settings import Settings
from app.temporal_client import data_converter

ROOT = Path(__file__).parents[2]
PERSONAL = b'{"name": "Karen Jensen", "email": "karen.jensen@example.dk", "cpr": "170514-1234"}'


def _plain(data: bytes = PERSONAL) -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=data)


def _store(tmp_path: Path, master: bytes | None = None) -> CaseKeyStore:
    return CaseKeyStore(key_engine(f"sqlite:///{tmp_path}/keys.db"), master or base64.b64decode(new_master_key()))


def _codec(store: CaseKeyStore, case_id: str) -> CaseCodec:
    return CaseCodec(store).with_context(WorkflowSerializationContext(namespace="default", workflow_id=case_id))


async def test_a_payload_is_encrypted_under_its_case_and_decrypts_to_the_original(tmp_path: Path):
    codec = _codec(_store(tmp_path), "dsr-2026-0001")
    [sealed] = await codec.encode([_plain()])
    assert sealed.metadata["encoding"] == b"binary/encrypted" and sealed.metadata[KEY_ID] == b"dsr-2026-0001"
    assert b"Karen" not in sealed.SerializeToString() and b"170514" not in sealed.SerializeToString()
    assert await CaseCodec(codec.keys).decode([sealed]) == [_plain()]  # decoding needs no context: the id is in it


async def test_activity_payloads_use_the_key_of_the_workflow_that_runs_them(tmp_path: Path):
    store = _store(tmp_path)
    context = ActivitySerializationContext(namespace="default", activity_id="1", activity_type="send_mail",
                                           activity_task_queue="q", workflow_id="breach-2026-0007",
                                           workflow_type="BreachCase", is_local=False)
    [sealed] = await CaseCodec(store).with_context(context).encode([_plain()])
    assert sealed.metadata[KEY_ID] == b"breach-2026-0007"
    [no_case] = await CaseCodec(store).encode([_plain()])
    assert no_case.metadata[KEY_ID] == SHARED_KEY_ID.encode()


async def test_two_cases_get_different_data_keys(tmp_path: Path):
    store = _store(tmp_path)
    first = store.key_for_encoding("dsr-2026-0001")
    second = store.key_for_encoding("dsr-2026-0002")
    assert first.key != second.key and len(first.key) == 32
    assert store.key_for_encoding("dsr-2026-0001").key == first.key


async def test_tampering_with_the_ciphertext_fails_authentication(tmp_path: Path):
    codec = _codec(_store(tmp_path), "dsr-2026-0001")
    [sealed] = await codec.encode([_plain()])
    data = bytearray(sealed.data)
    data[20] ^= 0x01
    tampered = Payload(metadata=dict(sealed.metadata), data=bytes(data))
    with pytest.raises(CodecError, match="failed authentication"):
        await codec.decode([tampered])


async def test_a_payload_relabelled_as_another_case_does_not_decrypt(tmp_path: Path):
    store = _store(tmp_path)
    [sealed] = await _codec(store, "dsr-2026-0001").encode([_plain()])
    other = store.key_for_encoding("dsr-2026-0002")
    moved = Payload(metadata={**sealed.metadata, KEY_ID: b"dsr-2026-0002", "encryption-key-check": other.check.encode()},
                    data=sealed.data)
    with pytest.raises(CodecError):
        await CaseCodec(store).decode([moved])


async def test_unencrypted_payloads_from_older_histories_pass_through(tmp_path: Path):
    assert await CaseCodec(_store(tmp_path)).decode([_plain()]) == [_plain()]


async def test_data_keys_are_stored_only_wrapped_by_the_master_key(tmp_path: Path):
    store = _store(tmp_path)
    key = store.key_for_encoding("breach-2026-0001").key
    with store.engine.connect() as conn:
        wrapped = conn.execute(select(case_keys.c.wrapped_key)).scalar_one()
    assert key not in base64.b64decode(wrapped)
    stranger = CaseKeyStore(store.engine, base64.b64decode(new_master_key()))
    with pytest.raises(MasterKeyError, match="does not open with this master key"):
        stranger.key_for_encoding("breach-2026-0001")


async def test_processes_racing_to_create_a_case_key_agree_on_one(tmp_path: Path):
    master = base64.b64decode(new_master_key())
    stores = [_store(tmp_path, master) for _ in range(6)]  # one per process: each its own engine and cache
    keys: list[bytes] = []
    start = threading.Barrier(len(stores))

    def create(store: CaseKeyStore) -> None:
        start.wait()
        keys.append(store.key_for_encoding("dsr-2026-0042").key)

    threads = [threading.Thread(target=create, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(keys) == len(stores) and len(set(keys)) == 1
    with stores[0].engine.connect() as conn:
        assert len(conn.execute(select(case_keys)).all()) == 1


async def test_after_the_case_key_is_destroyed_its_payloads_cannot_be_decrypted(tmp_path: Path):
    master = base64.b64decode(new_master_key())
    store = _store(tmp_path, master)
    [sealed] = await _codec(store, "dsr-2026-0001").encode([_plain()])
    reader = _store(tmp_path, master)  # another process, which had the key in its cache
    assert await CaseCodec(reader).decode([sealed]) == [_plain()]
    assert destroy_case_key(store.engine, "dsr-2026-0001") is True
    assert destroy_case_key(store.engine, "dsr-2026-0001") is False
    with pytest.raises(KeyDestroyedError, match="key destroyed"):
        await CaseCodec(reader).decode([sealed])
    # A new key for the same case (e.g. a later query) does not open what the old one sealed.
    store.key_for_encoding("dsr-2026-0001")
    with pytest.raises(KeyDestroyedError, match="destroyed .* and replaced"):
        await CaseCodec(store).decode([sealed])


def test_a_destroyed_key_leaves_no_copy_in_the_key_database_files(tmp_path: Path):
    store = _store(tmp_path)
    for n in range(1, 4):
        store.key_for_encoding(f"dsr-2026-000{n}")
    with store.engine.connect() as conn:
        wrapped = conn.execute(select(case_keys.c.wrapped_key).where(case_keys.c.case_id == "dsr-2026-0002")).scalar_one()
    assert destroy_case_key(store.engine, "dsr-2026-0002")
    raw = base64.b64decode(wrapped)
    for file in tmp_path.glob("keys.db*"):  # the database, its write-ahead log and shared memory
        content = file.read_bytes()
        assert wrapped.encode() not in content and raw not in content, file.name


def test_the_master_key_comes_from_the_setting_or_the_key_file_and_must_be_32_bytes(tmp_path: Path):
    key = new_master_key()
    assert load_master_key(key, tmp_path / "absent") == base64.b64decode(key)
    (tmp_path / "master.key").write_text(key + "\n")
    assert load_master_key(None, tmp_path / "master.key") == base64.b64decode(key)
    with pytest.raises(MasterKeyError, match="no master key"):
        load_master_key(None, tmp_path / "absent")
    with pytest.raises(MasterKeyError, match="must be 32 bytes"):
        load_master_key(base64.b64encode(b"short").decode(), tmp_path / "absent")
    with pytest.raises(MasterKeyError, match="not base64"):
        load_master_key("not base64!", tmp_path / "absent")


async def test_failure_messages_and_stack_traces_are_encrypted_too(tmp_path: Path):
    settings = Settings(_env_file=None, master_key=new_master_key(),  # type: ignore[call-arg]
                        key_database_url=f"sqlite:///{tmp_path}/keys.db")
    converter = data_converter(settings).with_context(
        WorkflowSerializationContext(namespace="default", workflow_id="dsr-2026-0001"))
    failure = Failure()
    try:
        raise ApplicationError("karen.jensen@example.dk er ikke en gyldig adresse")
    except ApplicationError as err:
        await converter.encode_failure(err, failure)
    assert b"karen" not in failure.SerializeToString() and failure.message == "Encoded failure"
    decoded = await converter.decode_failure(failure)
    assert "karen.jensen@example.dk" in str(decoded)


def test_the_cli_without_a_master_key_says_so_in_one_line(tmp_path: Path):
    variables = {**os.environ, "GDPR_MASTER_KEY": "", "GDPR_MASTER_KEY_FILE": str(tmp_path / "absent.key"),
                 "GDPR_SETTINGS_FILE": "/nonexistent"}
    run = subprocess.run([sys.executable, str(ROOT / "starter.py"), "history", "breach-2026-0001"], cwd=ROOT,
                         env=variables, capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines() == [
        f"gdpr: no master key: set GDPR_MASTER_KEY or create {tmp_path / 'absent.key'} "
        "(make run creates it on first start; see docs/encryption.md)"]
