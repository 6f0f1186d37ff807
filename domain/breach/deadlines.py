"""The breach workflow's deadline for one case: Datatilsynet's 72 hours or, as processor, the controller's.

The counting itself (real hours, no roll-over) is the kernel's (domain/kernel/deadlines.py), which `gdpr deadline`
uses without loading the case models.
"""

from __future__ import annotations

from datetime import datetime, timezone

from domain.kernel.deadlines import AUTHORITY_HOURS, breach_deadline
from domain.breach.model import BreachReport, CasePolicy, OrgRole


def authority_deadline(report: BreachReport, policy: CasePolicy) -> datetime:
    """The breach workflow's deadline, in UTC: Datatilsynet (72 h) or, as processor, the controller."""
    hours = policy.processor_deadline_hours if report.org_role is OrgRole.PROCESSOR else AUTHORITY_HOURS
    return breach_deadline(report.aware_at, hours).due.astimezone(timezone.utc)
