"""The one way this project connects to Temporal: pydantic payloads, encrypted per case.

Worker, CLI and tests all build their data converter here, so no process can write a
plaintext payload by accident: pydantic converts, `codec.CaseCodec` encrypts (AES-256-GCM,
a data key per case), and failure messages and stack traces are moved into an encoded
payload too, because refusals and validation errors can quote what a person typed.
"""

from __future__ import annotations

from temporalio.client import Client
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes

from app.codec import CaseCodec, CaseKeyStore, key_engine, load_master_key
from app.payload_converter import CasePayloadConverter
from app.settings import Settings


def key_store(settings: Settings) -> CaseKeyStore:
    master = settings.master_key.get_secret_value() if settings.master_key else None
    return CaseKeyStore(key_engine(settings.key_database_url), load_master_key(master, settings.master_key_file))


def data_converter(settings: Settings) -> DataConverter:
    return DataConverter(
        payload_converter_class=CasePayloadConverter,
        payload_codec=CaseCodec(key_store(settings)),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


async def connect(settings: Settings) -> Client:
    return await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace,
                                data_converter=data_converter(settings))


async def ensure_search_attributes(client: Client, namespace: str) -> list[str]:
    """Register the case search attributes (workflows/search_attributes.py) the server does not know yet;
    the worker does this before it polls, since a workflow upserting an unknown one cannot progress."""
    from temporalio.api.enums.v1 import IndexedValueType
    from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest, ListSearchAttributesRequest

    from workflows.search_attributes import ALL

    kinds = {"KEYWORD": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
             "DATETIME": IndexedValueType.INDEXED_VALUE_TYPE_DATETIME}
    known = await client.operator_service.list_search_attributes(ListSearchAttributesRequest(namespace=namespace))
    missing = {key.name: kinds[key.indexed_value_type.name] for key in ALL if key.name not in known.custom_attributes}
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=namespace, search_attributes=missing))
    return sorted(missing)


def failure_message(error: BaseException) -> str:
    """The most specific message in a Temporal failure chain.

    A refused update arrives as WorkflowUpdateFailedError -> ApplicationError; a payload
    that does not fit the command model adds "Failed decoding arguments" -> the pydantic
    ValidationError that names each field. People need the innermost one.
    """
    messages: list[str] = []
    current: BaseException | None = error
    while current is not None:
        message = getattr(current, "message", None) or str(current)
        if message:
            messages.append(message)
        current = getattr(current, "cause", None) or current.__cause__
    return messages[-1] if messages else repr(error)
