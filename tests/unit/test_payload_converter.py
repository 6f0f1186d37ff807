"""The payload converter: pydantic JSON as upstream writes it, with type adapters kept for the process."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated

import pytest
from pydantic import Field
from temporalio import workflow
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, WorkflowSerializationContext

from app.codec import new_master_key
from app.payload_converter import CasePayloadConverter, PydanticJSONConverter
from app.settings import Settings
from app.temporal_client import data_converter
from domain.breach.facts import BreachFacts, BreachType
from domain.kernel.model import Actor, Role


def _converter() -> DataConverter:
    return DataConverter(payload_converter_class=CasePayloadConverter)


def test_values_round_trip_and_read_as_upstream_pydantic_writes_them() -> None:
    facts = BreachFacts(breach_types=[BreachType.INTEGRITY], started_at=datetime(2026, 3, 1, tzinfo=timezone.utc))
    values = [facts, None, b"raw", {"a": [1, 2]}, Actor(name="Mette", role=Role.DPO)]
    hints: list[type] = [BreachFacts, type(None), bytes, dict, Actor]
    ours = _converter().payload_converter.to_payloads(values)
    upstream = pydantic_data_converter.payload_converter.to_payloads(values)
    assert [p.SerializeToString() for p in ours] == [p.SerializeToString() for p in upstream]
    assert _converter().payload_converter.from_payloads(upstream, hints) == values
    assert pydantic_data_converter.payload_converter.from_payloads(ours, hints) == values


def test_refused_json_is_refused_as_upstream_refuses_it() -> None:
    payload = pydantic_data_converter.payload_converter.to_payloads([{"breach_types": []}])
    with pytest.raises(Exception, match="breach_types"):
        _converter().payload_converter.from_payloads(payload, [BreachFacts])


def test_every_converter_of_the_process_shares_one_adapter_per_type() -> None:
    """The SDK makes a converter per workflow instance: a replayed case must not build its adapters again."""
    first, second = PydanticJSONConverter(), PydanticJSONConverter()
    assert first.adapter(BreachFacts) is second.adapter(BreachFacts)
    assert first.adapter(list[Actor]) is second.adapter(list[Actor])


def test_the_data_converter_of_every_process_and_its_per_case_copies_share_them(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, master_key=new_master_key(),  # type: ignore[call-arg]
                        key_database_url=f"sqlite:///{tmp_path}/keys.db")
    converter = data_converter(settings)
    per_case = converter.with_context(WorkflowSerializationContext(namespace="default", workflow_id="breach-2026-0001"))
    assert per_case.payload_codec is not converter.payload_codec  # a case's own key
    assert converter.payload_converter_class is per_case.payload_converter_class is CasePayloadConverter
    # What the SDK makes for each workflow instance and each command it encodes:
    first, second = CasePayloadConverter(), CasePayloadConverter()
    json = [c.converters[b"json/plain"] for c in (first, second)]
    assert isinstance(json[0], PydanticJSONConverter) and isinstance(json[1], PydanticJSONConverter)
    assert json[0].adapter(BreachFacts) is json[1].adapter(BreachFacts)


def test_in_the_sandbox_each_converter_keeps_its_own_adapters(monkeypatch: pytest.MonkeyPatch) -> None:
    """A sandboxed workflow's own classes are new in every run; a process-wide cache would keep them all."""
    monkeypatch.setattr(workflow.unsafe, "in_sandbox", lambda: True)
    first, second = PydanticJSONConverter(), PydanticJSONConverter()
    assert first.adapter(BreachFacts) is first.adapter(BreachFacts)
    assert first.adapter(BreachFacts) is not second.adapter(BreachFacts)


def test_an_unhashable_type_hint_still_converts() -> None:
    unhashable = Annotated[int, Field(ge=0), {"not": "hashable"}]
    with pytest.raises(TypeError):
        hash(unhashable)
    assert PydanticJSONConverter().adapter(unhashable).validate_json(b"3") == 3
