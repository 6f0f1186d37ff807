"""Temporal Schedules for the periodic controls; created (or updated) when the worker starts."""

from __future__ import annotations

from temporalio.client import (
    Client, Schedule, ScheduleActionStartWorkflow, ScheduleAlreadyRunningError, ScheduleCalendarSpec, ScheduleRange,
    ScheduleSpec, ScheduleUpdate, ScheduleUpdateInput,
)

from settings import Settings
from workflows.controls import ControlInput, MonthlyRequestControlWorkflow, QuarterlyBreachReviewWorkflow

MONTHLY_ID = "gdpr-monthly-request-control"
QUARTERLY_ID = "gdpr-quarterly-breach-review"
TIME_ZONE = "Europe/Copenhagen"


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


def schedules(settings: Settings) -> dict[str, Schedule]:
    """At 06:00 Copenhagen time on the 1st of every month, and of every quarter."""
    return {
        MONTHLY_ID: _schedule(settings, MonthlyRequestControlWorkflow.run, "monthly-request-control",
                              list(range(1, 13))),
        QUARTERLY_ID: _schedule(settings, QuarterlyBreachReviewWorkflow.run, "quarterly-breach-review",
                                [1, 4, 7, 10]),
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
