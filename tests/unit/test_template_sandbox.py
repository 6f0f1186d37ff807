"""Override templates render in a sandbox: no way from a template into Python's internals or the case."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2.exceptions import SecurityError

from activities.drafts import DraftActivities
from domain.breach.machine import BreachState as S
from tests.unit.cases import case_in

ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ d.__class__.__init__.__globals__ }}",
    "{{ number.__globals__['__builtins__'] }}",
    "{{ cycler.__init__.__globals__.os.environ }}",
    "{% set _ = d.subject_categories.append('injected') %}{{ d.subject_categories }}",
    "{{ organisation.format.__self__.__class__ }}",
]


@pytest.mark.parametrize("template", ESCAPES)
def test_an_override_template_reaching_for_python_internals_is_refused(tmp_path: Path, template: str):
    case = case_in(S.NOTIFICATION_REVIEW)
    (tmp_path / "authority_notification.da.j2").write_text(template + "\n")
    with pytest.raises(SecurityError):
        DraftActivities(tmp_path).render(case, 0, "da")


def test_a_harmless_override_still_renders_in_the_sandbox(tmp_path: Path):
    case = case_in(S.NOTIFICATION_REVIEW)
    (tmp_path / "authority_notification.da.j2").write_text(
        "{{ organisation | upper }}: {{ d.nature[:10] }} {{ number(d.approx_subjects) }}\n")
    text = DraftActivities(tmp_path).render(case, 0, "da")
    assert text.startswith("EKSEMPEL SKOLE: ") and "ca. 24" in text
