"""Logs never carry personal data, even when a library puts it into an error message."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest
import structlog
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert
from sqlalchemy.exc import IntegrityError

from activities.db import make_engine
from app.logging_setup import configure_logging, scrub_text

NAME, EMAIL, CPR = "Emil Jensen", "karen.jensen@example.dk", "010203-1234"
pupils = Table("pupils", MetaData(), Column("id", Integer, primary_key=True), Column("name", String),
               Column("email", String), Column("cpr", String))


def _integrity_error(engine) -> IntegrityError:
    pupils.metadata.create_all(engine)
    with engine.begin() as db:
        db.execute(insert(pupils).values(id=1, name=NAME, email=EMAIL, cpr=CPR))
    try:
        with engine.begin() as db:
            db.execute(insert(pupils).values(id=1, name=NAME, email=EMAIL, cpr=CPR))
    except IntegrityError as err:
        return err
    raise AssertionError("the duplicate row was accepted")


@pytest.fixture
def log_stream():
    stream = io.StringIO()
    configure_logging(stream=stream)
    yield stream
    configure_logging()


def test_an_sql_error_logged_with_its_parameters_shows_none_of_them(tmp_path: Path, log_stream: io.StringIO):
    # An engine that does not hide its parameters: the processor alone must keep them out.
    err = _integrity_error(create_engine(f"sqlite:///{tmp_path}/plain.db"))
    assert NAME in str(err) and EMAIL in str(err), "SQLAlchemy quotes the parameters in its message"
    try:
        raise err
    except IntegrityError:
        logging.getLogger("activities.register").exception("register write failed")
    structlog.get_logger("activities.mail").error("mail failed", error=str(err), to=[EMAIL])
    text = log_stream.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]
    assert [line["event"] for line in lines] == ["register write failed", "mail failed"]
    assert "IntegrityError" in lines[0]["exception"] and "[parameters: hidden]" in lines[0]["exception"]
    for personal in (NAME, EMAIL, CPR, "0102031234"):
        assert personal not in text, personal


def test_every_engine_the_engine_makes_hides_its_parameters(tmp_path: Path):
    err = _integrity_error(make_engine(f"sqlite:///{tmp_path}/register.db"))
    assert "parameters hidden" in str(err)
    for personal in (NAME, EMAIL, CPR):
        assert personal not in str(err)


def test_scrubbing_keeps_ids_and_times_but_not_addresses_cpr_or_quoted_rows():
    kept = ("breach-2026-0001 dsr-2026-00001234 2026-12-02T04:27:22+00:00 attempt 3 of 10 "
            "<breach-2026-0001.1733cff4f7881a9512b2@gdpr.local>")  # the engine's own Message-IDs
    assert scrub_text(kept) == kept
    assert scrub_text(f"to {EMAIL}, cpr {CPR} / 0102031234") == "to <e-mail>, cpr <cpr> / <cpr>"
    assert scrub_text("x@gdpr.local.example.dk") == "<e-mail>"
    postgres = f"DETAIL:  Key (email)=({EMAIL}) already exists.\nDETAIL:  Failing row contains (1, {NAME}, null)."
    assert NAME not in scrub_text(postgres) and EMAIL not in scrub_text(postgres)
    assert scrub_text(f"[SQL: UPDATE pupils SET name = '{NAME}' WHERE id = ?]") == \
        "[SQL: UPDATE pupils SET name = '?' WHERE id = ?]"
