"""The worker takes its cache, its concurrency and its runner from the settings (app/worker.py: build_worker).

What these settings do to memory and latency is measured by `scripts/bench.py load`, not here.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

from app.settings import Settings
from app.worker import build_worker


async def test_the_worker_is_built_with_the_cache_and_concurrency_the_settings_name(env: WorkflowEnvironment,
                                                                                    settings: Settings):
    tuned = settings.model_copy(update={"worker_max_cached_workflows": 1234,
                                        "worker_max_concurrent_workflow_tasks": 7, "worker_sandbox": False})
    with ThreadPoolExecutor(max_workers=3) as executor:
        config = build_worker(env.client, tuned, executor).config()
    assert config["max_cached_workflows"] == 1234
    assert config["max_concurrent_workflow_tasks"] == 7
    assert config["max_concurrent_activities"] == 3
    assert isinstance(config["workflow_runner"], UnsandboxedWorkflowRunner)


async def test_the_tests_run_the_workflows_in_the_sandbox_and_the_cache_is_bounded_by_default(
        env: WorkflowEnvironment, settings: Settings):
    with ThreadPoolExecutor(max_workers=2) as executor:
        config = build_worker(env.client, settings, executor).config()
    assert isinstance(config["workflow_runner"], SandboxedWorkflowRunner)  # tests/conftest.py asks for it
    assert config["max_cached_workflows"] == Settings.model_fields["worker_max_cached_workflows"].default
    assert config["max_concurrent_workflow_tasks"] == Settings.model_fields["worker_max_concurrent_workflow_tasks"].default
