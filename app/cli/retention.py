"""`gdpr register verify`: recompute the audit chain and name the first record that does not hold.

Exit 0 when the chain is intact, 1 when it is not (app/cli/main.py maps `ChainBroken` to exit 1).
"""

from __future__ import annotations

import argparse

from activities.audit import ChainReport, verify_chain
from activities.db import make_engine
from app.settings import Settings


class ChainBroken(Exception):
    """The audit chain does not verify; the message says where."""


def verify_command(args: argparse.Namespace, settings: Settings) -> str:
    report = verify_chain(make_engine(settings.database_url))
    text = report.model_dump_json(indent=2) if args.json else render(report)
    if not report.ok:
        raise ChainBroken(text)
    return text


def render(report: ChainReport) -> str:
    if report.ok:
        return (f"Revisionssporet er intakt: {report.records} poster, seneste kontrolsum {report.head_hash}.\n"
                "Notér kontrolsummen et andet sted; så kan også en omskrivning af hele sporet opdages.")
    return (f"Revisionssporet er brudt ved post {report.broken_at} af {report.records}: {_reason_da(report)}.\n"
            "Poster før denne er intakte. Kontakt den databeskyttelsesansvarlige.")


def _reason_da(report: ChainReport) -> str:
    reason = report.reason or ""
    if "missing" in reason or "newest" in reason:
        return "en eller flere poster er slettet"
    if "content removed" in reason:
        return "indholdet er fjernet, uden at sagen er slettet efter reglerne for opbevaring"
    return "posten er ændret"
