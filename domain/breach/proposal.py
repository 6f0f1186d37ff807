"""The engine's proposal at the 'assess notification' step, and what departing from it requires."""

from __future__ import annotations

from domain.breach.facts import BreachFacts
from domain.breach.model import RiskLevel, RiskProposal
from domain.breach.risk import EXCEPTION_DA, LEVEL_DA, assess

LEVEL_LABEL_DA = {RiskLevel.NO_RISK: "ingen risiko", RiskLevel.RISK: "risiko", RiskLevel.HIGH_RISK: "høj risiko"}


def propose(facts: BreachFacts) -> RiskProposal:
    result = assess(facts)
    high = result.notify_subjects or result.exception is not None
    level = RiskLevel.HIGH_RISK if high else RiskLevel.RISK if result.notify_authority else RiskLevel.NO_RISK
    return RiskProposal(
        level=level, severity=result.severity, severity_level=LEVEL_DA[result.level],
        notify_authority=result.notify_authority, notify_subjects=result.notify_subjects,
        exception=result.exception, reasons_da=[f"{r.da} [{r.source}]" for r in result.reasons],
        reasons_en=[f"{r.en} [{r.source}]" for r in result.reasons], unknown_facts=result.unknown_facts,
    )


def summary_da(proposal: RiskProposal) -> str:
    exception = f", undtagelse art. 34, stk. 3: {EXCEPTION_DA[proposal.exception]}" if proposal.exception else ""
    return (f"Forslag: {LEVEL_LABEL_DA[proposal.level]} (ENISA {proposal.severity:g}, {proposal.severity_level}"
            f"{exception})")
