"""Determinism: a stored history of a finished case must replay against the current code.

If a code change would break cases that are running in production, this fails. Then
put the change behind `workflow.patched()`; regenerate the fixture only for changes that
are deliberately incompatible (GDPR_WRITE_FIXTURES=1 make test).
"""

from __future__ import annotations

import json

from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from app.settings import Settings
from app.temporal_client import data_converter
from tests.workflows.support import BREACH_FIXTURE as FIXTURE, REQUEST_FIXTURE
from app.worker import workflow_runner
from workflows.breach import BreachCaseWorkflow
from workflows.request import DataSubjectRequestWorkflow


async def test_the_stored_history_of_a_finished_case_replays_on_the_current_code():
    history = WorkflowHistory.from_json("breach-fixture", json.loads(FIXTURE.read_text()))
    kinds = {e.event_type for e in history.events}
    assert len(history.events) > 100 and kinds  # a real, complete case: updates, activities, timers
    replayer = Replayer(workflows=[BreachCaseWorkflow], data_converter=data_converter(Settings(_env_file=None)),
                        workflow_runner=workflow_runner())
    result = await replayer.replay_workflow(history)
    assert result.replay_failure is None


async def test_the_stored_history_of_a_finished_erasure_request_replays_on_the_current_code():
    history = WorkflowHistory.from_json("request-fixture", json.loads(REQUEST_FIXTURE.read_text()))
    replayer = Replayer(workflows=[DataSubjectRequestWorkflow], data_converter=data_converter(Settings(_env_file=None)),
                        workflow_runner=workflow_runner())
    assert (await replayer.replay_workflow(history)).replay_failure is None
