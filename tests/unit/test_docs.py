"""Generated documents match the code they are generated from (`make docs`)."""

from __future__ import annotations

from pathlib import Path

from scripts.gen_docs import facts_schema_json, readme_with_schema

ROOT = Path(__file__).parents[2]


def test_readme_holds_the_current_facts_json_schema():
    readme = (ROOT / "README.md").read_text()
    assert "<!-- facts-schema:start -->" in readme
    assert readme_with_schema(readme) == readme, "README facts schema is stale: run `make docs`"


def test_the_schema_file_is_current():
    assert (ROOT / "docs" / "breach-facts.schema.json").read_text() == facts_schema_json() + "\n"


def test_the_request_state_diagram_is_current():
    from domain.requests.machine import mermaid
    assert mermaid() in (ROOT / "docs" / "request-states.md").read_text(), "run `make docs`"
