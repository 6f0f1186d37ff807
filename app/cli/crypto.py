"""`gdpr history` and `gdpr shred`: operators read a case's encrypted history, or destroy it for good.

Temporal stores every payload encrypted (app/codec.py), so the Web UI and `temporal workflow show`
display ciphertext. Operators with the master key read a history here; crypto-shredding deletes
the case's data key, after which nobody can.
"""

from __future__ import annotations

import json
from datetime import timezone
from typing import Any

from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHistory
from temporalio.converter import PayloadCodec
from temporalio.service import RPCError, RPCStatusCode

from app.codec import CodecError, KeyDestroyedError, destroy_case_key, key_engine
from app.settings import Settings


async def run(client: Client, settings: Settings, args: Any, user_error: type[Exception]) -> str:
    case_id = args.case_id.strip()
    if not case_id:
        raise user_error("give a case id, e.g. breach-2026-0001 or dsr-2026-0001")
    if args.command == "history":
        events = await decoded_history(client, case_id, user_error)
        return json.dumps(events, ensure_ascii=False, indent=2) if args.json else render_history(case_id, events)
    return await shred(client, settings, case_id, args.yes, user_error)


def _payloads(message: Message, path: str, found: list[tuple[str, Payload]]) -> None:
    """Every Payload in a history event, attributes and user metadata (summaries) alike, with a readable
    path (`input[0]`, `failure.encoded_attributes`, `user_metadata.summary`)."""
    for field, value in message.ListFields():
        if field.message_type is None:
            continue
        name = f"{path}.{field.name}" if path else field.name
        if field.message_type.GetOptions().map_entry:
            items = [(f"{name}[{key}]", item) for key, item in value.items()]
        elif field.is_repeated:
            items = [(f"{name}[{i}]", item) for i, item in enumerate(value)]
        else:
            items = [(name, value)]
        for item_path, item in items:
            if not isinstance(item, Message):
                continue
            if isinstance(item, Payload):
                readable = item_path.replace(".payloads[", "[").split("_event_attributes.", 1)[-1]
                found.append((readable, item))
            else:
                _payloads(item, item_path, found)


async def decrypted(history: WorkflowHistory, codec: PayloadCodec) -> WorkflowHistory:
    """The same history with every payload decrypted, e.g. to store a plaintext replay fixture."""
    events = []
    for original in history.events:
        event = HistoryEvent()
        event.CopyFrom(original)
        found: list[tuple[str, Payload]] = []
        _payloads(event, "", found)
        for _, payload in found:
            payload.CopyFrom((await codec.decode([payload]))[0])
        events.append(event)
    return WorkflowHistory(history.workflow_id, events)


async def decoded_history(client: Client, case_id: str, user_error: type[Exception]) -> list[dict[str, Any]]:
    try:
        history = await client.get_workflow_handle(case_id).fetch_history()
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise user_error(f"{case_id} findes ikke (or its history has passed Temporal's retention)") from None
        raise
    codec = client.data_converter.payload_codec
    converter = client.data_converter.payload_converter
    assert codec is not None, "the client must be built by app.temporal_client.connect"
    events = []
    for event in history.events:
        found: list[tuple[str, Payload]] = []
        _payloads(event, "", found)
        payloads: dict[str, Any] = {}
        for path, payload in found:
            try:
                plain = (await codec.decode([payload]))[0]
            except KeyDestroyedError as err:
                raise user_error(str(err)) from None
            except CodecError as err:
                raise user_error(f"event {event.event_id}: {err}") from None
            payloads[path] = _value(converter, plain)
        events.append({
            "event_id": event.event_id,
            "time": event.event_time.ToDatetime(tzinfo=timezone.utc).isoformat(),
            "type": EventType.Name(event.event_type).removeprefix("EVENT_TYPE_").lower(),
            "payloads": payloads,
        })
    return events


def _value(converter: Any, payload: Payload) -> Any:
    try:
        return converter.from_payload(payload)
    except Exception:  # not JSON (binary/null, protobuf): show what it is rather than fail the listing
        return f"<{payload.metadata.get('encoding', b'?').decode(errors='replace')}, {len(payload.data)} bytes>"


def render_history(case_id: str, events: list[dict[str, Any]]) -> str:
    lines = [f"{case_id}: {len(events)} hændelser (dekrypteret)"]
    for e in events:
        lines.append(f"{e['event_id']:>5}  {e['time'][:19]}Z  {e['type']}")
        for path, value in e["payloads"].items():
            lines.append(f"         {path}: {json.dumps(value, ensure_ascii=False, default=str)}")
    return "\n".join(lines)


async def shred(client: Client, settings: Settings, case_id: str, confirmed: bool,
                user_error: type[Exception]) -> str:
    status: WorkflowExecutionStatus | None = None
    try:
        status = (await client.get_workflow_handle(case_id).describe()).status
    except RPCError as err:
        if err.status != RPCStatusCode.NOT_FOUND:
            raise
    except KeyDestroyedError:
        return f"Nøglen til {case_id} er allerede destrueret."
    if status == WorkflowExecutionStatus.RUNNING:
        raise user_error(f"{case_id} kører stadig; en sag kan først makuleres, når den er afsluttet")
    if not confirmed:
        raise user_error(f"makulering af {case_id} kan ikke fortrydes: gentag med --yes")
    if destroy_case_key(key_engine(settings.key_database_url), case_id):
        return f"Nøglen til {case_id} er destrueret. Sagens historik i Temporal kan ikke længere læses."
    if status is None:
        raise user_error(f"{case_id} findes ikke")
    return f"{case_id} havde ingen nøgle (historikken er skrevet før krypteringen eller allerede makuleret)."
