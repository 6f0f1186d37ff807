"""Encrypted Temporal history: AES-256-GCM with one data key per case, wrapped by a master key.

Every payload the SDK hands to Temporal (workflow input and result, activity arguments and
results, updates, queries, failure messages and stack traces, summaries) passes through
`CaseCodec`. The serialization context names the workflow, and the workflow id is the case id,
so each case's history is encrypted under its own data key. Data keys live only wrapped by the
master key, in `case_keys` in the key database; the master key comes from settings and never
enters a history. Deleting a case's key (`destroy_case_key`) makes its history unreadable for
good: crypto-shredding.

Encrypted payload: metadata `encoding=binary/encrypted`, `encryption-key-id=<case id>`,
`encryption-key-check=<fingerprint>`; data = 12-byte nonce || AES-GCM(serialized payload),
with the key id as associated data so a payload cannot be moved to another case.
Unencrypted payloads (histories written before encryption) decode unchanged.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import os
import threading
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Engine, create_engine, delete, event, insert, select
from sqlalchemy.exc import IntegrityError
from temporalio.api.common.v1 import Payload
from temporalio.converter import (
    ActivitySerializationContext, PayloadCodec, SerializationContext, WithSerializationContext,
    WorkflowSerializationContext,
)

from activities.db import case_keys

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
KEY_CHECK = "encryption-key-check"
CIPHER = "encryption-cipher"
# Payloads encoded without a workflow (rare client calls) share one key; it is never shredded.
SHARED_KEY_ID = "shared"
NONCE_BYTES = 12
# How long a process may use a data key it has already unwrapped. Bounds how long a worker
# that did not do the shredding can still decrypt a destroyed case (the key is then only in memory).
KEY_CACHE_SECONDS = 60.0


class CodecError(Exception):
    """Encryption cannot work as configured, or a payload cannot be decrypted; the message says why."""


class MasterKeyError(CodecError):
    pass


class KeyDestroyedError(CodecError):
    pass


def load_master_key(master_key: str | None, master_key_file: Path) -> bytes:
    """The 32-byte master key from the setting (base64) or, failing that, the key file."""
    if master_key:
        text, source = master_key, "GDPR_MASTER_KEY"
    elif master_key_file.is_file():
        text, source = master_key_file.read_text(encoding="ascii", errors="replace"), str(master_key_file)
    else:
        raise MasterKeyError(f"no master key: set GDPR_MASTER_KEY or create {master_key_file} "
                             "(make run creates it on first start; see docs/encryption.md)")
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise MasterKeyError(f"the master key in {source} is not base64") from None
    if len(key) != 32:
        raise MasterKeyError(f"the master key in {source} must be 32 bytes (base64 of 32 random bytes), "
                             f"not {len(key)}")
    return key


def new_master_key() -> str:
    return base64.b64encode(os.urandom(32)).decode("ascii")


def key_engine(url: str) -> Engine:
    """The key database: only `case_keys`, so keys and the register can be kept and backed up apart."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA busy_timeout=5000")  # first, so switching to WAL waits for a busy file too
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA secure_delete=ON")  # a shredded key is overwritten, not left in a free page
            cursor.close()
    case_keys.create(engine, checkfirst=True)
    return engine


def _fingerprint(key: bytes) -> str:
    """Tells a destroyed-and-recreated key from the one a payload was written with; reveals nothing."""
    return hashlib.sha256(b"gdpr-key-check:" + key).hexdigest()[:16]


def _wrap_aad(case_id: str) -> bytes:
    return b"gdpr-case-key:" + case_id.encode()


@dataclass(frozen=True)
class _DataKey:
    key: bytes
    check: str
    loaded_at: float


_STORES: "weakref.WeakSet[CaseKeyStore]" = weakref.WeakSet()


class CaseKeyStore:
    """Get-or-create data keys per case, shared by every process through the key database."""

    def __init__(self, engine: Engine, master_key: bytes) -> None:
        if len(master_key) != 32:
            raise MasterKeyError("the master key must be 32 bytes")
        self.engine = engine
        self._master = AESGCM(master_key)
        self._cache: dict[str, _DataKey] = {}
        self._lock = threading.Lock()
        _STORES.add(self)

    def _cached(self, case_id: str) -> _DataKey | None:
        with self._lock:
            found = self._cache.get(case_id)
            if found and time.monotonic() - found.loaded_at < KEY_CACHE_SECONDS:
                return found
            self._cache.pop(case_id, None)
            return None

    def _remember(self, case_id: str, key: bytes) -> _DataKey:
        data_key = _DataKey(key, _fingerprint(key), time.monotonic())
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[case_id] = data_key
        return data_key

    def forget(self, case_id: str) -> None:
        with self._lock:
            self._cache.pop(case_id, None)

    def _unwrap(self, case_id: str, wrapped: str) -> bytes:
        raw = base64.b64decode(wrapped)
        try:
            return self._master.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _wrap_aad(case_id))
        except InvalidTag:
            raise MasterKeyError(f"the data key of {case_id} does not open with this master key "
                                 "(wrong GDPR_MASTER_KEY or key file?)") from None

    def _read(self, case_id: str) -> bytes | None:
        with self.engine.connect() as conn:
            wrapped = conn.execute(select(case_keys.c.wrapped_key).where(case_keys.c.case_id == case_id)).scalar()
        return None if wrapped is None else self._unwrap(case_id, wrapped)

    def key_for_encoding(self, case_id: str) -> _DataKey:
        """The case's data key, created on first use. Two processes racing both insert; the
        primary key lets one win and the other reads the winner's key."""
        found = self._cached(case_id)
        if found:
            return found
        existing = self._read(case_id)
        if existing is not None:
            return self._remember(case_id, existing)
        key = AESGCM.generate_key(bit_length=256)
        nonce = os.urandom(NONCE_BYTES)
        wrapped = base64.b64encode(nonce + self._master.encrypt(nonce, key, _wrap_aad(case_id))).decode()
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(case_keys).values(case_id=case_id, wrapped_key=wrapped,
                                                      created_at=datetime.now(timezone.utc)))
        except IntegrityError:
            existing = self._read(case_id)
            if existing is None:  # inserted and destroyed in between: try once more
                return self.key_for_encoding(case_id)
            return self._remember(case_id, existing)
        return self._remember(case_id, key)

    def key_for_decoding(self, case_id: str, check: str) -> _DataKey:
        found = self._cached(case_id)
        if found is None or found.check != check:
            existing = self._read(case_id)
            if existing is None:
                raise KeyDestroyedError(f"key destroyed: the data key of {case_id} no longer exists "
                                        "(crypto-shredded), so this history cannot be decrypted")
            found = self._remember(case_id, existing)
        if found.check != check:
            raise KeyDestroyedError(f"key destroyed: the data key this payload of {case_id} was encrypted with "
                                    "was destroyed (crypto-shredded) and replaced; it cannot be decrypted")
        return found


def destroy_case_key(engine: Engine, case_id: str) -> bool:
    """Crypto-shred a case: delete its data key. True if there was one. Irreversible by design."""
    with engine.begin() as conn:
        deleted = conn.execute(delete(case_keys).where(case_keys.c.case_id == case_id)).rowcount
    if engine.dialect.name == "sqlite":  # the write-ahead log still holds the page with the key: fold it in
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    for store in list(_STORES):
        store.forget(case_id)
    return bool(deleted)


def _case_of(context: SerializationContext) -> str | None:
    if isinstance(context, (WorkflowSerializationContext, ActivitySerializationContext)):
        return context.workflow_id or None
    return None


class CaseCodec(PayloadCodec, WithSerializationContext):
    """AES-256-GCM per case. Without a context (no workflow), payloads use the shared key."""

    def __init__(self, keys: CaseKeyStore, case_id: str | None = None) -> None:
        self.keys = keys
        self.case_id = case_id

    def with_context(self, context: SerializationContext) -> CaseCodec:
        case_id = _case_of(context)
        return self if case_id == self.case_id else CaseCodec(self.keys, case_id)

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        if not payloads:
            return []
        key_id = self.case_id or SHARED_KEY_ID
        data_key = self.keys._cached(key_id)
        if data_key is None:
            data_key = await asyncio.to_thread(self.keys.key_for_encoding, key_id)
        return [encrypt_payload(p, key_id, data_key) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        out = []
        for payload in payloads:
            if payload.metadata.get("encoding") != ENCODING:
                out.append(payload)  # written before encryption, or not ours: pass through
                continue
            key_id = payload.metadata.get(KEY_ID, b"").decode()
            check = payload.metadata.get(KEY_CHECK, b"").decode()
            cached = self.keys._cached(key_id)
            data_key = cached if cached and cached.check == check else await asyncio.to_thread(
                self.keys.key_for_decoding, key_id, check)
            out.append(decrypt_payload(payload, key_id, data_key))
        return out


def encrypt_payload(payload: Payload, key_id: str, data_key: _DataKey) -> Payload:
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(data_key.key).encrypt(nonce, payload.SerializeToString(), key_id.encode())
    return Payload(
        metadata={"encoding": ENCODING, CIPHER: b"AES-256-GCM", KEY_ID: key_id.encode(),
                  KEY_CHECK: data_key.check.encode()},
        data=nonce + sealed,
    )


def decrypt_payload(payload: Payload, key_id: str, data_key: _DataKey) -> Payload:
    try:
        plain = AESGCM(data_key.key).decrypt(payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:], key_id.encode())
    except InvalidTag:
        raise CodecError(f"a payload of {key_id} failed authentication: it was altered, "
                         "or moved from another case") from None
    inner = Payload()
    inner.ParseFromString(plain)
    return inner
