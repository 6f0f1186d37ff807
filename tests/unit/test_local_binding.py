"""`make run` listens on localhost only: nobody on the network reaches Temporal, its UI or the mail sink."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

ROOT = Path(__file__).parents[2]


def _commands(script: str) -> list[list[str]]:
    """The commands that start a service (temporal, python), with backslash-continued lines joined."""
    joined = script.replace("\\\n", " ")
    return [shlex.split(line, comments=True) for line in joined.splitlines()
            if line.lstrip().startswith(("temporal ", "python "))]


def _option(words: list[str], name: str) -> str | None:
    return words[words.index(name) + 1] if name in words else None


def test_make_run_binds_temporal_its_ui_and_the_mail_sink_to_localhost():
    commands = _commands((ROOT / "scripts" / "run.sh").read_text())
    temporal = [w for w in commands if w[:3] == ["temporal", "server", "start-dev"]]
    sink = [w for w in commands if w[:2] == ["python", "app/mailsink.py"]]
    assert len(temporal) == 1 and len(sink) == 1
    # --ui-ip defaults to --ip today; saying it keeps the UI local if that default changes.
    assert _option(temporal[0], "--ip") == "127.0.0.1" and _option(temporal[0], "--ui-ip") == "127.0.0.1"
    assert _option(sink[0], "--host") == "127.0.0.1"


def test_the_mail_sink_defaults_to_localhost():
    source = (ROOT / "app/mailsink.py").read_text()
    assert re.search(r'add_argument\("--host", default="127\.0\.0\.1"\)', source)
