"""Draft rendering: Jinja2 templates as files an organisation can adapt.

The defaults live in activities/templates/; a folder named by GDPR_TEMPLATES_DIR with
files of the same names overrides them one by one. Rendering is an activity because
the files are outside the workflow's deterministic world; the rendered text is stored
in the case with the draft version, so what the DPO approved is exactly what is kept.

Override templates are written by whoever administers the folder, not by us, and render
inside the worker with the whole case in reach: they run in Jinja's immutable sandbox,
so `{{ ''.__class__.__mro__ }}`-style access to Python internals, calls to unsafe
methods and changes to the case raise `SecurityError` instead of running.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from temporalio import activity

from domain.breach.model import BreachCase
from domain.kernel.model import Strict
from domain.breach.notifications import NOT_YET_KNOWN_DA, NOT_YET_KNOWN_EN, draft_context, template_name

DEFAULT_TEMPLATES = Path(__file__).parent / "templates"


class RenderRequest(Strict):
    case: BreachCase
    draft_index: int


class RenderedDraft(Strict):
    text_da: str
    text_en: str


def _environment(override: Path | None) -> ImmutableSandboxedEnvironment:
    loaders = [FileSystemLoader(str(override))] if override else []
    loaders.append(FileSystemLoader(str(DEFAULT_TEMPLATES)))
    # StrictUndefined: a template that names a field the case does not have fails loudly, never blank.
    return ImmutableSandboxedEnvironment(loader=ChoiceLoader(loaders), undefined=StrictUndefined,
                                         keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
                                         autoescape=False)


class DraftActivities:
    def __init__(self, templates_dir: Path | None = None) -> None:
        self._env = _environment(templates_dir)

    def render(self, case: BreachCase, draft_index: int, lang: str) -> str:
        unknown = NOT_YET_KNOWN_DA if lang == "da" else NOT_YET_KNOWN_EN
        template = self._env.get_template(f"{template_name(case.drafts[draft_index].kind)}.{lang}.j2")
        return template.render(
            **draft_context(case, draft_index, lang),
            number=lambda n: unknown if n is None else (f"ca. {n}" if lang == "da" else f"about {n}"),
            known=lambda value: value or unknown,
        )

    @activity.defn(name="render_draft")
    def render_draft(self, request: RenderRequest) -> RenderedDraft:
        return RenderedDraft(text_da=self.render(request.case, request.draft_index, "da"),
                             text_en=self.render(request.case, request.draft_index, "en"))
