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
