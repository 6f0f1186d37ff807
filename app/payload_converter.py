"""Pydantic JSON payloads, with one cache of type adapters for the whole worker process.

What `temporalio.contrib.pydantic.PydanticPayloadConverter` does (pydantic's `to_json` out, a `TypeAdapter`
in), built for what the SDK does with a converter here, measured in a profile of the worker at 400 open
cases with a cache of 50 (`scripts/bench.py load`):

- The SDK builds a new payload converter for every workflow instance, and pydantic's converter keeps its
  adapters per instance. So each case the worker replays (after a restart, or back after leaving the cache)
  built an adapter again for its input, every update's argument and every activity's result: about 5 ms
  each, over half the replay of an uncached case. Here adapters are kept per type for the process.
- The SDK builds a data converter, and so a payload converter, for every command whose payloads it encodes
  under a serialization context (ours: the per-case key of `app.codec.CaseCodec`). pydantic's converter
  builds a schema serializer when made; this one costs nothing to make.

Inside the sandbox (the tests' workers) a workflow module's own classes are new objects in every run, so a
process-wide cache would keep every run's copy alive; there each converter keeps its own, as upstream does.
"""

from __future__ import annotations

import functools
from typing import Any

from pydantic import TypeAdapter
from pydantic_core import to_json
from temporalio import workflow
from temporalio.api.common.v1 import Payload
from temporalio.converter import (
    CompositePayloadConverter, DefaultPayloadConverter, EncodingPayloadConverter, JSONPlainPayloadConverter,
)

ENCODING = "json/plain"

_process_adapter = functools.lru_cache(maxsize=1024)(TypeAdapter)  # thread-safe: an adapter is immutable


def _adapter(type_hint: Any, cached: Any) -> TypeAdapter[Any]:
    try:
        return cached(type_hint)
    except TypeError:
        try:
            hash(type_hint)
        except TypeError:  # an unhashable hint cannot be cached
            return TypeAdapter(type_hint)
        raise  # the hint was hashable: building its adapter failed


class PydanticJSONConverter(EncodingPayloadConverter):
    def __init__(self) -> None:
        self._sandbox_adapter: Any = None  # made at first use in the sandbox

    @property
    def encoding(self) -> str:
        return ENCODING

    def to_payload(self, value: Any) -> Payload | None:
        return Payload(metadata={"encoding": ENCODING.encode()}, data=to_json(value))

    def from_payload(self, payload: Payload, type_hint: type | None = None) -> Any:
        return self.adapter(Any if type_hint is None else type_hint).validate_json(payload.data)

    def adapter(self, type_hint: Any) -> TypeAdapter[Any]:
        if not workflow.unsafe.in_sandbox():
            return _adapter(type_hint, _process_adapter)
        if self._sandbox_adapter is None:
            self._sandbox_adapter = functools.lru_cache(maxsize=64)(TypeAdapter)
        return _adapter(type_hint, self._sandbox_adapter)


class CasePayloadConverter(CompositePayloadConverter):
    """The SDK's default encodings, with pydantic for JSON (nullary: the SDK makes one per instance)."""

    def __init__(self) -> None:
        super().__init__(*(PydanticJSONConverter() if isinstance(c, JSONPlainPayloadConverter) else c
                           for c in DefaultPayloadConverter.default_encoding_payload_converters))
