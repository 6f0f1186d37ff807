"""Test helpers: drive a breach case as its people would, read the mail that arrived, and find the internal
codes in what people read."""

from __future__ import annotations

import asyncio
import enum
import importlib
import pkgutil
import re
import sqlite3
import uuid
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from sqlalchemy import select
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

import domain
from activities.inventory_file import load_inventory
from domain.breach import commands as c
from domain.case_index import CaseKind
from domain.requests.model import CompleteManualTask, RequestInput, RequestView, ReviewAnswer, VerifyIdentity
from domain.requests.inventory import Inventory
from domain.kernel.model import ActionResult, Actor, Contact, Role
from domain.breach.facts import BreachFacts
from domain.breach.model import BreachCaseInput, BreachReport, CaseResult, CaseView
from app.mailsink import KeepingHandler
from app.settings import Settings, request_policy
from workflows.breach import BreachCaseWorkflow
from workflows.request import DataSubjectRequestWorkflow
from workflows.search_attributes import dev_server_args

ROOT = Path(__file__).resolve().parents[1]

KEY_PERSON = Actor(name="Mille Nordstrand", role=Role.KEY_PERSON)
DPO = Actor(name="Dorthe DPO", role=Role.DPO)
REPORTER = Contact(name="Rasmus Pedersen", email="rasmus@eksempel-skole.dk", phone="+45 11 22 33 44")

# The dev server's settings for server-side time skipping (TIME-SKIPPING.md): the session fixture's, and the
# encryption tests' own servers.
TIME_SKIPPING_ARGS = [
    "--dynamic-config-value", "frontend.WorkflowTimeSkippingEnabled=true",
    "--dynamic-config-value", 'history.timerProcessorMaxTimeShift="10ms"',
    *dev_server_args(),  # the case search attributes (workflows/search_attributes.py)
]


# --- what people read: words, not internal codes ----------------------------------------------------------


class _Text(HTMLParser):
    """The text a browser shows: tags and attributes dropped, <script> and <style> left out, entities read."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1
        self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


# Values of the domain's enums that are also Danish words, or that people do read: "system" (it-system),
# "mail" (e-mail), "register" (brudregister), and the case kinds, which begin the case numbers people quote.
DANISH_TOO = {"system", "mail", "register"} | {kind.value for kind in CaseKind}


def _enum_values() -> set[str]:
    """Every value of every enum in the domain: states, triggers, roles, options. Read from the code, so the
    list cannot go stale when a state or an option is added."""
    values: set[str] = set()
    for info in pkgutil.walk_packages(domain.__path__, "domain."):
        module = importlib.import_module(info.name)
        for thing in vars(module).values():
            if isinstance(thing, type) and issubclass(thing, enum.Enum) and thing.__module__ == module.__name__:
                values |= {str(member.value) for member in thing if isinstance(member.value, str)}
    return values - DANISH_TOO


CODES = _enum_values()
SNAKE_CASE = re.compile(r"\b[a-z]+_[a-z_]+\b")
SOURCES = re.compile(r"\b(seed|issue)\b|#\d", re.IGNORECASE)
CLI = re.compile(r"\bgdpr\s+[a-z]")
CODE_WORD = re.compile(r"\b(" + "|".join(sorted(map(re.escape, CODES), key=len, reverse=True)) + r")\b")
# Addresses are data, not words: an e-mail address or a link may hold anything.
ADDRESSES = re.compile(r"\S+@\S+|https?://\S+")


def internal_codes(text: str) -> list[str]:
    """The internal codes in a text a person reads: snake_case identifiers, enum values (states, roles,
    options), source references ('seed 001', 'issue #3') and CLI hints ('gdpr case ...')."""
    text = ADDRESSES.sub(" ", text)
    found = [m.group(0) for pattern in (SNAKE_CASE, SOURCES, CLI, CODE_WORD) for m in pattern.finditer(text)]
    return sorted(set(found))


def report(aware_at: datetime, **overrides: Any) -> BreachReport:
    fields: dict[str, Any] = dict(
        reporter=REPORTER, aware_at=aware_at,
        what_happened="Elevliste med CPR-numre sendt til forkert forældregruppe på Aula",
        how_discovered="En forælder gjorde opmærksom på fejlen",
        affected_people="Elever i 7.A og deres forældre",
        affected_data="Navn, CPR-nummer, klasse",
    )
    fields.update(overrides)
    return BreachReport(**fields)


def facts(**overrides: Any) -> BreachFacts:
    fields: dict[str, Any] = dict(
        breach_types=["confidentiality"], data_categories=["identity", "national_id", "children"],
        subject_categories=["elever", "forældre"], approx_subjects=24, approx_records=24,
        systems=["Aula"], suppliers=["Netcompany"], measures_in_place="Ingen kryptering af vedhæftning",
        cause="Forkert modtagergruppe valgt", vulnerable_subjects=True, encrypted=False,
    )
    fields.update(overrides)
    return BreachFacts(**fields)


class MailBox:
    def __init__(self, handler: KeepingHandler) -> None:
        self._handler = handler

    def for_case(self, case_id: str) -> list[EmailMessage]:
        return [m for m in self._handler.snapshot() if m.get("X-GDPR-Case") == case_id]

    async def wait_for(self, case_id: str, count: int, timeout: float = 20.0) -> list[EmailMessage]:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            mails = self.for_case(case_id)
            if len(mails) >= count or asyncio.get_running_loop().time() > deadline:
                return mails
            await asyncio.sleep(0.1)


class CaseDriver:
    def __init__(self, env: WorkflowEnvironment, settings: Settings) -> None:
        self.env = env
        self.settings = settings

    async def open(self, aware_hours_ago: float = 1.0, **overrides: Any) -> WorkflowHandle:
        """Start a case with time skipping disabled; aware_at is relative to the server's clock."""
        case_id = f"breach-2026-{uuid.uuid4().int % 10**8:08d}"
        aware = datetime.now(timezone.utc) - timedelta(hours=aware_hours_ago)
        inp = BreachCaseInput(case_id=case_id, report=report(aware, **overrides), policy=self.settings.case_policy())
        with self.env.with_time_skipping_disabled():
            return await self.env.client.start_workflow(
                BreachCaseWorkflow.run, inp, id=case_id, task_queue=self.settings.task_queue)

    @staticmethod
    async def act(handle: WorkflowHandle, update: str, cmd: c.Command) -> CaseView:
        """The action, then the case's view (an action returns only its step and the new state)."""
        await handle.execute_update(update, cmd, result_type=ActionResult)
        return await handle.query("view", result_type=CaseView)

    @staticmethod
    async def settle(handle: WorkflowHandle, timeout: float = 20.0) -> CaseView:
        """Wait until the case's outbox (mail, register) is empty: the history is then quiet."""
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while True:
            view = await handle.query("view", result_type=CaseView)
            if view.pending_effects == 0 or loop.time() > end:
                return view
            await asyncio.sleep(0.05)

    async def closed_for_good(self, handle: WorkflowHandle) -> CaseResult:
        """A closed case waits for reopening and follow-ups: move its clock past that window, take the result."""
        await self.env.fast_forward(handle, timedelta(days=self.settings.breach_reopen_window_days, hours=1))
        result = await handle.result()
        return result if isinstance(result, CaseResult) else CaseResult.model_validate(result)

    async def to_fact_finding(self, handle: WorkflowHandle) -> None:
        await self.act(handle, "assess_breach", c.AssessBreach(actor=KEY_PERSON, is_breach=True,
                                                               reason="Personoplysninger videregivet til uvedkommende"))
        await self.act(handle, "contain", c.Contain(actor=KEY_PERSON, measures="Beskeden slettet i Aula",
                                                    system_stopped=False))
        await self.act(handle, "inform_management", c.InformManagement(actor=KEY_PERSON,
                                                                       crisis_team=["Skoleleder", "DPO"]))
        await self.act(handle, "record_facts", c.RecordFacts(actor=KEY_PERSON, facts=facts()))


class RequestDriver:
    """Drive a data-subject request against the example school database."""

    def __init__(self, env: WorkflowEnvironment, settings: Settings, school_db: Path) -> None:
        self.env = env
        self.settings = settings
        self.school_db = school_db

    def inventory(self) -> Inventory:
        return load_inventory(ROOT / "examples" / "inventory.yaml")

    async def open(self, type: str, received_days_ago: float = 0.01, **overrides: Any) -> WorkflowHandle:
        request_id = f"dsr-2026-{uuid.uuid4().int % 10**8:08d}"
        fields: dict[str, Any] = dict(
            request_id=request_id, type=type, channel="email",
            received_at=datetime.now(timezone.utc) - timedelta(days=received_days_ago),
            requester={"name": "Karen Jensen", "email": "karen.jensen@example.dk"}, subject_name="Karen Jensen",
            identifiers={"email": "karen.jensen@example.dk", "elevnummer": "E1001"},
            policy=request_policy(self.settings), inventory=self.inventory())
        if type == "restriction":
            fields["restriction_ground"] = "accuracy_contested"  # Art. 18(1)(a): the common case
        fields.update(overrides)
        inp = RequestInput.receive(fields)
        with self.env.with_time_skipping_disabled():
            return await self.env.client.start_workflow(
                DataSubjectRequestWorkflow.run, inp, id=request_id, task_queue=self.settings.task_queue)

    @staticmethod
    async def act(handle: WorkflowHandle, update: str, cmd: Any) -> RequestView:
        """The action, then the request's view (an action returns only its step and the new state)."""
        await handle.execute_update(update, cmd, result_type=ActionResult)
        return await handle.query("view", result_type=RequestView)

    @staticmethod
    async def wait_state(handle: WorkflowHandle, state: str, timeout: float = 30.0) -> RequestView:
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while True:
            view = await handle.query("view", result_type=RequestView)
            if view.state == state and view.pending_effects == 0:
                return view
            if loop.time() > end:
                raise AssertionError(f"request stayed in {view.state} (wanted {state}): {view.timeline[-3:]}")
            await asyncio.sleep(0.1)

    async def verify(self, handle: WorkflowHandle, method: str = "registered_address", **extra: Any) -> RequestView:
        """Verify as the key person; by default the proved address is Karen's e-mail in the school's records."""
        extra.setdefault("verified_email", "karen.jensen@example.dk")
        return await self.act(handle, "verify_identity", VerifyIdentity(
            actor=KEY_PERSON, method=method, details="Navn og e-mail svarer til elevadministrationen", **extra))

    async def complete_archive(self, handle: WorkflowHandle, result: str = "Ingen papirsager fundet",
                               **extra: Any) -> RequestView:
        owner = Actor(name="Hanne Holm", role=Role.SYSTEM_OWNER)
        return await self.act(handle, "complete_manual_task", CompleteManualTask(
            actor=owner, system_id="papirarkiv", result=result, **extra))

    async def approve(self, handle: WorkflowHandle) -> RequestView:
        await self.wait_state(handle, "answer_review")
        return await self.act(handle, "review_answer", ReviewAnswer(actor=DPO, approve=True))

    def register_row(self, request_id: str) -> dict[str, Any]:
        """The request's row in the register database, as the monthly control reads it."""
        from activities.db import dsr_register, make_engine

        with make_engine(self.settings.database_url).connect() as conn:
            row = conn.execute(select(dsr_register).where(dsr_register.c.request_id == request_id)).mappings().one()
        return dict(row)

    def rows(self, sql: str, *params: Any) -> list[tuple]:
        with sqlite3.connect(self.school_db) as db:
            return db.execute(sql, params).fetchall()
