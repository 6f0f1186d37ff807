"""The one way this project connects to Temporal: pydantic payloads on every message.

A payload codec (encryption of personal data) plugs in here, in one place, for the
worker, the CLI and the tests alike.
"""

from __future__ import annotations

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

DATA_CONVERTER = pydantic_data_converter


async def connect(address: str, namespace: str) -> Client:
    return await Client.connect(address, namespace=namespace, data_converter=DATA_CONVERTER)


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
