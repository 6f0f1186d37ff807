"""The periodic controls as workflows, started by Temporal Schedules (seed 001 "Kontrol").

Monthly: were last month's requests answered in time, and are erasures and restrictions
really in effect (the SQL systems are queried again)? Quarterly: a review of the breach
register (seed 001 §3.18). Each report is stored and mailed to the responsible person.
"""

from __future__ import annotations

import json

from temporalio import workflow

from workflows.common import ACTIVITY_TIMEOUT, MAIL_RETRY, STORE_RETRY

with workflow.unsafe.imports_passed_through():
    import email_validator  # noqa: F401

    from activities.connectors import ConnectorActivities, SqlActionRequest
    from activities.controls import ControlActivities
    from activities.mail import MailActivities
    from domain.controls import (
        ControlReport, EffectCheck, Period, monthly_request_report, previous_month, previous_quarter,
        quarterly_breach_report,
    )
    from domain.kernel.mail import OutgoingMail
    from domain.kernel.model import Contact, Strict


class ControlInput(Strict):
    responsible: Contact
    dpo: Contact
    period: Period | None = None  # default: the previous month / quarter


VERIFY_FOR_TYPE = {"erasure": "verify_erased", "restriction": "verify_restricted"}


async def _deliver(report: ControlReport, inp: ControlInput) -> ControlReport:
    await workflow.execute_activity_method(ControlActivities.store_control_report, report,
                                           start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=STORE_RETRY)
    subject = f"[{report.report_id}] Kontrol: {len(report.findings)} afvigelse(r)"
    mail = OutgoingMail(key=f"control-{report.report_id}.report", case_id=f"control-{report.report_id}",
                        to=sorted({inp.responsible.email, inp.dpo.email}), subject=subject, body=report.text)
    await workflow.execute_activity_method(MailActivities.send_mail, mail, start_to_close_timeout=ACTIVITY_TIMEOUT,
                                           retry_policy=MAIL_RETRY)
    return report


@workflow.defn(name="MonthlyRequestControl")
class MonthlyRequestControlWorkflow:
    @workflow.run
    async def run(self, inp: ControlInput) -> ControlReport:
        period = inp.period or previous_month(workflow.now())
        rows = await workflow.execute_activity_method(
            ControlActivities.requests_in_period, period, start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=STORE_RETRY)
        inventory = await workflow.execute_activity_method(
            ControlActivities.current_inventory, start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=STORE_RETRY)
        checks: list[EffectCheck] = []
        for row in rows:
            action = VERIFY_FOR_TYPE.get(row.type)
            if action is None or row.answered_at is None or row.refusal_ground:
                continue
            if action == "verify_restricted" and row.state == "closed":
                continue  # the restriction was lifted by a decision
            done = json.loads(row.systems)
            for system in inventory.systems:
                tables = done.get(system.id, {}).get("acted_tables", [])
                if system.connector.kind != "sql" or not tables:
                    continue
                result = await workflow.execute_activity_method(
                    ConnectorActivities.verify_sql_effect, SqlActionRequest(
                        request_id=row.request_id, action=action, system=system, tables=tables,
                        identifiers=json.loads(row.identifiers), at=workflow.now()),
                    start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=STORE_RETRY)
                checks.append(EffectCheck(request_id=row.request_id, system_id=system.id, ok=result.ok,
                                          details=result.details))
        report = monthly_request_report(period, rows, checks, workflow.now())
        workflow.logger.info("monthly control done", extra={"findings": len(report.findings)})
        return await _deliver(report, inp)


@workflow.defn(name="QuarterlyBreachReview")
class QuarterlyBreachReviewWorkflow:
    @workflow.run
    async def run(self, inp: ControlInput) -> ControlReport:
        period = inp.period or previous_quarter(workflow.now())
        rows = await workflow.execute_activity_method(
            ControlActivities.breaches_in_period, period, start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=STORE_RETRY)
        report = quarterly_breach_report(period, rows, workflow.now())
        workflow.logger.info("quarterly review done", extra={"findings": len(report.findings)})
        return await _deliver(report, inp)
