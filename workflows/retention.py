"""The daily purge (started by a Temporal Schedule): closed cases past their retention period are removed.

The periods travel in the input, so the history shows which rule each purge applied; "now" is
the workflow's clock. One activity per case, so one case that cannot be purged today does not
hold back the others; it is logged and tried again by tomorrow's run.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

from workflows.common import ACTIVITY_TIMEOUT, STORE_RETRY

with workflow.unsafe.imports_passed_through():
    from activities.retention import (
        ExpiredCasesQuery, PurgeCaseRequest, PurgedCase, RetentionActivities, RetentionPeriods,
    )
    from domain.kernel.model import Strict

# Bounded: a case that still fails after this is left for the next daily run.
PURGE_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), backoff_coefficient=2.0,
                          maximum_interval=timedelta(minutes=1), maximum_attempts=10)


class PurgeReport(Strict):
    purged: list[PurgedCase]
    failed: list[str]  # case ids left for the next run


@workflow.defn(name="RetentionPurge")
class RetentionPurgeWorkflow:
    @workflow.run
    async def run(self, periods: RetentionPeriods) -> PurgeReport:
        expired: list[str] = await workflow.execute_activity_method(
            RetentionActivities.expired_cases, ExpiredCasesQuery(now=workflow.now(), **periods.model_dump()),
            start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=STORE_RETRY)
        report = PurgeReport(purged=[], failed=[])
        for case_id in expired:
            try:
                done: PurgedCase = await workflow.execute_activity_method(
                    RetentionActivities.purge_case,
                    PurgeCaseRequest(case_id=case_id, now=workflow.now(), **periods.model_dump()),
                    start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=PURGE_RETRY)
                report.purged.append(done)
            except ActivityError:
                workflow.logger.warning("purge failed; left for the next run", extra={"purged_case": case_id})
                report.failed.append(case_id)
        workflow.logger.info("retention purge done", extra={"purged": len(report.purged), "failed": len(report.failed)})
        return report
