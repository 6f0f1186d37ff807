"""The worker: registers the case workflows and their activities on one task queue."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker import UnsandboxedWorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.case_index import backfill_case_index
from activities.connectors import ConnectorActivities
from activities.exports import ExportActivities
from activities.controls import ControlActivities
from activities.db import make_engine
from activities.deadletters import DeadLetterActivities
from activities.drafts import DraftActivities
from activities.mail import MailActivities, SmtpSettings
from activities.register import RegisterActivities
from activities.retention import RetentionActivities
from app.codec import key_engine
from app.logging_setup import configure_logging, flush_workflow_logs
from app.settings import Settings, load_settings
from app.temporal_client import connect, ensure_search_attributes
from workflows.breach import BreachCaseWorkflow
from app.schedules import ensure_namespace_retention, ensure_schedules
from workflows.controls import MonthlyRequestControlWorkflow, QuarterlyBreachReviewWorkflow
from workflows.request import DataSubjectRequestWorkflow
from workflows.retention import RetentionPurgeWorkflow

WORKFLOWS = [BreachCaseWorkflow, DataSubjectRequestWorkflow, MonthlyRequestControlWorkflow,
             QuarterlyBreachReviewWorkflow, RetentionPurgeWorkflow]

# Deterministic, side-effect-free modules shared with the sandbox instead of re-imported
# per workflow run; email_validator and idna are pydantic's EmailStr, loaded lazily. The
# workflows' shared helpers (effects, update factory, search attributes) hold no state of
# their own and read no clock: passed through, a new case no longer executes them again.
PASSTHROUGH = ("domain", "email_validator", "idna", "pydantic", "transitions", "workflows.common",
               "workflows.search_attributes")


def workflow_runner() -> SandboxedWorkflowRunner:
    return SandboxedWorkflowRunner(restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH))


def build_activities(settings: Settings) -> list[Callable[..., Any]]:
    """Every activity the workflows call, bound to the settings' databases, mail server and directories."""
    engine = make_engine(settings.database_url)
    mail = MailActivities(SmtpSettings(host=settings.smtp_host, port=settings.smtp_port,
                                       sender=settings.mail_from), engine)
    register = RegisterActivities(engine, settings.organisation_id)
    drafts = DraftActivities(settings.templates_dir)
    connectors = ConnectorActivities(engine)
    exports = ExportActivities(settings.exports_dir, engine, mail)
    controls = ControlActivities(engine, settings.inventory_file)
    # The key database holds only case_keys (codec.key_engine); the register's migrations are not for it.
    retention = RetentionActivities(engine, key_engine(settings.key_database_url), settings.exports_dir)
    dead_letters = DeadLetterActivities(engine, mail, settings.operator_email, settings.public_url)
    return [mail.send_mail, register.record_step, register.record_steps, register.record_request_step,
            register.record_request_steps, drafts.render_draft,
            connectors.perform_sql_action, connectors.verify_sql_effect, connectors.resolve_person,
            exports.write_exports, exports.send_export_password,
            controls.requests_in_period, controls.breaches_in_period, controls.current_inventory,
            controls.store_control_report, retention.expired_cases, retention.purge_case,
            dead_letters.record_dead_letter, dead_letters.alert_operator, dead_letters.set_dead_letter_status]


def build_worker(client: Client, settings: Settings, executor: ThreadPoolExecutor) -> Worker:
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=WORKFLOWS,
        workflow_runner=workflow_runner() if settings.worker_sandbox else UnsandboxedWorkflowRunner(),
        activities=build_activities(settings),
        activity_executor=executor,
        max_concurrent_activities=executor._max_workers,
        max_cached_workflows=settings.worker_max_cached_workflows,
        max_concurrent_workflow_tasks=settings.worker_max_concurrent_workflow_tasks,
    )


async def run_worker(settings: Settings) -> None:
    client = await connect(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await ensure_namespace_retention(client, settings)
    await ensure_search_attributes(client, settings.temporal_namespace)
    await ensure_schedules(client, settings)
    added = backfill_case_index(make_engine(settings.database_url), settings.organisation_id)
    if added:
        logging.getLogger("worker").info("case index backfilled", extra={"cases": added})
    with ThreadPoolExecutor(max_workers=settings.worker_activity_threads) as executor:
        worker = build_worker(client, settings, executor)
        async with worker:
            logging.getLogger("worker").info("worker started", extra={"task_queue": settings.task_queue})
            await stop.wait()
    logging.getLogger("worker").info("worker stopped")


def main() -> None:
    configure_logging()
    code = 0
    try:
        asyncio.run(run_worker(load_settings()))
    except Exception:
        logging.getLogger("worker").exception("worker failed")
        code = 1
    flush_workflow_logs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # temporalio/sdk-python#300: avoid the exit-time crash


if __name__ == "__main__":
    main()
