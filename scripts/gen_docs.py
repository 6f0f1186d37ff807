"""Regenerate the documents derived from code: the state diagram and the facts JSON Schema.

`make docs` runs it; tests/unit/test_docs.py fails when a generated part is stale.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from domain.breach.facts import BreachFacts  # noqa: E402
from app.cli.offline import DIAGRAM_DOC  # noqa: E402
from domain.breach.machine import mermaid  # noqa: E402
from domain.requests.machine import mermaid as request_mermaid  # noqa: E402

REQUEST_DOC = """# Data-subject request states

Generated from the transition table in `domain/requests/machine.py` by `make docs`; a unit
test fails when this file and the table disagree. Nothing that touches data is
reachable before `verify_identity` (seed 001 §3.5).

```mermaid
{diagram}```
"""

SCHEMA_START, SCHEMA_END = "<!-- facts-schema:start -->", "<!-- facts-schema:end -->"


def facts_schema_json() -> str:
    return json.dumps(BreachFacts.model_json_schema(), ensure_ascii=False, indent=2)


def readme_with_schema(readme: str) -> str:
    block = f"{SCHEMA_START}\n```json\n{facts_schema_json()}\n```\n{SCHEMA_END}"
    return re.sub(re.escape(SCHEMA_START) + ".*?" + re.escape(SCHEMA_END), lambda _: block, readme, flags=re.S)


def main() -> None:
    (ROOT / "docs" / "breach-states.md").write_text(DIAGRAM_DOC.format(diagram=mermaid()))
    (ROOT / "docs" / "request-states.md").write_text(REQUEST_DOC.format(diagram=request_mermaid()))
    (ROOT / "docs" / "breach-facts.schema.json").write_text(facts_schema_json() + "\n")
    readme = ROOT / "README.md"
    readme.write_text(readme_with_schema(readme.read_text()))


if __name__ == "__main__":
    main()
