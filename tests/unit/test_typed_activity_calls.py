"""Workflows call activities by their method (`workflow.execute_activity_method(MailActivities.send_mail, ...)`),
never by a name string, so mypy checks each call's argument and result against the activity's signature and a
renamed activity cannot be called by its old name."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
from temporalio import activity

ROOT = Path(__file__).parents[2]
WORKFLOWS = sorted((ROOT / "workflows").rglob("*.py"))
# The SDK's calls that take an activity's name as a string; their `_method` forms take the method.
BY_NAME = {"execute_activity", "start_activity", "execute_local_activity", "start_local_activity"}
# Calls whose first argument is the activity: the SDK's typed forms and the effects' helper (workflows/common.py).
BY_METHOD = {"execute_activity_method", "start_activity_method", "execute_local_activity_method",
             "start_local_activity_method", "run_effect_activity"}


def _called(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    if isinstance(node.func, ast.Name):
        return node.func.id
    return None


def _forwarded(first: ast.expr, function: ast.FunctionDef | ast.AsyncFunctionDef | None) -> bool:
    """A helper's own parameter, typed as a callable, passed on (`run_effect_activity(activity: Callable...)`):
    mypy checks the method at the helper's callers."""
    if not isinstance(first, ast.Name) or function is None:
        return False
    params = function.args.posonlyargs + function.args.args + function.args.kwonlyargs
    return any(p.arg == first.id and p.annotation is not None and "Callable" in ast.unparse(p.annotation)
               for p in params)


def untyped_calls(source: str) -> list[str]:
    """Every activity call in `source` that does not name the activity by `Class.method`."""
    found = []

    def visit(node: ast.AST, function: ast.FunctionDef | ast.AsyncFunctionDef | None) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            function = node
        if isinstance(node, ast.Call):
            name = _called(node)
            first = node.args[0] if node.args else None
            if name in BY_NAME:
                found.append(f"line {node.lineno}: {name}(...) calls an activity by name")
            elif name in BY_METHOD and not (
                    isinstance(first, ast.Attribute) and isinstance(first.value, ast.Name)
                    or first is not None and _forwarded(first, function)):
                found.append(f"line {node.lineno}: {name}(...) is not given an activity class's method")
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(ast.parse(source), None)
    return found


def activity_methods(path: Path) -> list[tuple[str, str]]:
    """(class, method) of every activity a workflow module calls."""
    calls = [node for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.Call)]
    return [(first.value.id, first.attr) for node in calls if _called(node) in BY_METHOD
            for first in node.args[:1] if isinstance(first, ast.Attribute) and isinstance(first.value, ast.Name)]


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_workflow_calls_an_activity_by_a_name_string(path: Path):
    assert untyped_calls(path.read_text()) == [], "call the activity by its method: execute_activity_method"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_activity_a_workflow_calls_is_a_defined_activity(path: Path):
    module = importlib.import_module(_module_name(path))
    for class_name, method in activity_methods(path):
        defn = activity._Definition.from_callable(getattr(getattr(module, class_name), method))
        assert defn is not None and defn.name, f"{class_name}.{method} is not an @activity.defn"


def test_the_workflows_call_activities_at_all():
    """The checks above look at something: the case workflows' effects and the scheduled workflows' work."""
    called = {method for path in WORKFLOWS for _, method in activity_methods(path)}
    assert {"send_mail", "record_step", "record_request_step", "record_dead_letter", "purge_case",
            "store_control_report", "perform_sql_action", "write_exports"} <= called


@pytest.mark.parametrize("source", [
    'await workflow.execute_activity("send_mail", mail, start_to_close_timeout=TIMEOUT)',
    "await workflow.start_activity(SEND_MAIL, mail)",
    'await run_effect_activity("record_step", record, "register")',
    "await workflow.execute_activity_method(activity_for(effect), effect)",
])
def test_the_check_refuses_a_call_by_name(source: str):
    assert len(untyped_calls(source)) == 1


def test_the_check_refuses_a_helper_that_forwards_a_name():
    assert len(untyped_calls("async def run(activity: str, arg: Any):\n"
                             "    return await workflow.execute_activity_method(activity, arg)")) == 1


def test_the_check_accepts_a_call_by_method():
    assert untyped_calls("await workflow.execute_activity_method(MailActivities.send_mail, mail)\n"
                         "await run_effect_activity(RegisterActivities.record_step, record, 'register')\n"
                         "async def run(activity: Callable[[Any, A], R], arg: A) -> R:\n"
                         "    return await workflow.execute_activity_method(activity, arg)") == []
