"""What the worker sets up in Temporal when it starts: the Schedules for the periodic controls and the
daily retention purge, and the namespace's retention of closed workflow histories."""

from __future__ import annotations

from datetime import timedelta

from google.protobuf.duration_pb2 import Duration
from temporalio.api.namespace.v1 import NamespaceConfig
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest, UpdateNamespaceRequest
from temporalio.client import (
    Client, Schedule, ScheduleActionStartWorkflow, ScheduleAlreadyRunningError, ScheduleCalendarSpec, ScheduleRange,
    ScheduleSpec, ScheduleUpdate, ScheduleUpdateInput,
)

from app.settings import Settings
from activities.retention import RetentionPeriods
from workflows.controls import ControlInput, MonthlyRequestControlWorkflow, QuarterlyBreachReviewWorkflow
from workflows.retention import RetentionPurgeWorkflow

MONTHLY_ID = "gdpr-monthly-request-control"
QUARTERLY_ID = "gdpr-quarterly-breach-review"
RETENTION_ID = "gdpr-retention-purge"
TIME_ZONE = "Europe/Copenhagen"
# What each schedule does, as the operations page (/drift) names it.
SCHEDULE_DA = {
    MONTHLY_ID: "Månedlig kontrol af anmodninger (den 1. kl. 06.00)",
    QUARTERLY_ID: "Kvartalsvis gennemgang af brud (den 1. i kvartalet kl. 06.00)",
    RETENTION_ID: "Sletning efter opbevaringsperioden (hver nat kl. 03.00)",
}


def _schedule(settings: Settings, workflow_run, workflow_id: str, months: list[int]) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            workflow_run, ControlInput(responsible=settings.key_person, dpo=settings.dpo),
            id=workflow_id, task_queue=settings.task_queue),
        spec=ScheduleSpec(
            calendars=[ScheduleCalendarSpec(
                hour=[ScheduleRange(6)], minute=[ScheduleRange(0)], second=[ScheduleRange(0)],
                day_of_month=[ScheduleRange(1)], month=[ScheduleRange(m) for m in months])],
            time_zone_name=TIME_ZONE),
    )


def _daily_purge(settings: Settings) -> Schedule:
    """Every night at 03:00 Copenhagen time, with the periods the settings hold at worker start."""
    periods = RetentionPeriods(breach_retention_days=settings.breach_retention_days,
                               request_retention_days=settings.request_retention_days)
    return Schedule(
        action=ScheduleActionStartWorkflow(RetentionPurgeWorkflow.run, periods, id="retention-purge",
                                           task_queue=settings.task_queue),
        spec=ScheduleSpec(
            calendars=[ScheduleCalendarSpec(hour=[ScheduleRange(3)], minute=[ScheduleRange(0)],
                                            second=[ScheduleRange(0)])],
            time_zone_name=TIME_ZONE),
    )


def schedules(settings: Settings) -> dict[str, Schedule]:
    """At 06:00 Copenhagen time on the 1st of every month, and of every quarter; the purge daily."""
    return {
        MONTHLY_ID: _schedule(settings, MonthlyRequestControlWorkflow.run, "monthly-request-control",
                              list(range(1, 13))),
        QUARTERLY_ID: _schedule(settings, QuarterlyBreachReviewWorkflow.run, "quarterly-breach-review",
                                [1, 4, 7, 10]),
        RETENTION_ID: _daily_purge(settings),
    }


async def ensure_schedules(client: Client, settings: Settings) -> list[str]:
    """Idempotent: create the schedules, or bring existing ones up to date with the settings."""
    for schedule_id, schedule in schedules(settings).items():
        try:
            await client.create_schedule(schedule_id, schedule)
        except ScheduleAlreadyRunningError:
            async def replace(_: ScheduleUpdateInput, new: Schedule = schedule) -> ScheduleUpdate:
                return ScheduleUpdate(schedule=new)
            await client.get_schedule_handle(schedule_id).update(replace)
    return list(schedules(settings))


async def ensure_namespace_retention(client: Client, settings: Settings) -> bool:
    """Idempotent: keep closed workflow histories `temporal_retention_days`; True if it had to change.

    The audit trail does not depend on this (it lives in the register database); the setting only
    bounds how long Temporal itself keeps closed histories.
    """
    wanted = timedelta(days=settings.temporal_retention_days)
    namespace = settings.temporal_namespace
    described = await client.workflow_service.describe_namespace(DescribeNamespaceRequest(namespace=namespace))
    if described.config.workflow_execution_retention_ttl.ToTimedelta() == wanted:
        return False
    ttl = Duration()
    ttl.FromTimedelta(wanted)
    await client.workflow_service.update_namespace(UpdateNamespaceRequest(
        namespace=namespace, config=NamespaceConfig(workflow_execution_retention_ttl=ttl)))
    return True
