"""Generated junk for the input models: wrong types, huge numbers, NaN, control characters,
long strings, impossible dates and nested nonsense, alone or planted in an otherwise valid payload.
"""

from __future__ import annotations

import copy
from typing import Any, Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

NASTY_STRINGS = st.sampled_from([
    "", " ", "\x00", "Navn\x00", "\x1b[31m", "linje\nBcc: alle@skole.dk", "\u202egnp.exe", "\ud800", "\t",
    "Infinity", "NaN", "-0", "1e400", "null", "true", "[]", "{}",
    "1900-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00Z", "2026-02-30T10:00:00Z",
    "2026-11-20T10:00:00", "2099-12-31T23:59:59+00:00", "2100-01-01T00:00:00+00:00",
    "breach-2026-0001", "dsr-2026-0001", "key_person", "dpo", "system", "no_risk", "high_risk",
    "a@b", "x@example.dk", "ikke-en-mail", "../../etc/passwd", "{{ 7*7 }}", "'; DROP TABLE x; --",
])
NUMBERS = st.one_of(
    st.integers(),
    st.sampled_from([0, -1, 2**31, 2**63, 2**64, -2**63, 10**9, 10**9 + 1, 10**100,
                     float("inf"), float("-inf"), float("nan"), 1e308, -0.0, 0.5]),
    st.floats(allow_nan=True, allow_infinity=True),
)
LONG_STRINGS = st.builds(lambda ch, n: ch * n, st.characters(), st.sampled_from([501, 2_001, 20_001, 60_000]))
TEXT = st.one_of(st.text(max_size=30), NASTY_STRINGS, LONG_STRINGS,
                 st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zl", "Zp"]), min_size=1, max_size=5))
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT)
JSON_JUNK = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in a JSON value where junk can be planted."""
    found: list[tuple] = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _planted(baseline: dict, path: tuple, junk: Any) -> dict:
    result = copy.deepcopy(baseline)
    target: Any = result
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = junk
    return result


# Planted in every field in turn (the sweep), so each value meets each field at least once.
NASTY_VALUES: list[Any] = [
    None, True, 0, -1, 2**64, -2**63, 10**100, float("inf"), float("-inf"), float("nan"), 1e308, 0.5,
    "", "\x00", "Navn\x00", "linje\nBcc: x@y.dk", "\u202e", "\ud800", "x" * 20_001, "Infinity", "NaN",
    "1900-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00", "2026-11-20T10:00:00", "2100-01-01T00:00:00+00:00",
    "dsr-2026-0001", "system", [], {}, [None], {"": None}, [[[[[]]]]],
]


def sweep(baseline: dict, skip: tuple[str, ...] = ()) -> list[Any]:
    """Every field of `baseline` (except those under `skip`) replaced by every value of NASTY_VALUES."""
    return [_planted(baseline, path, value) for path in _paths(baseline) if path[0] not in skip
            for value in NASTY_VALUES]


def junk_for(baseline: dict, keep: tuple[str, ...] = ()) -> st.SearchStrategy[Any]:
    """Junk shaped like `baseline`: one field replaced, a field added, fields shuffled, or plain junk.

    `keep` names top-level fields left valid in planted junk (e.g. the actor, so a payload
    gets past the role check and reaches the deeper rules).
    """
    paths = [p for p in _paths(baseline) if p[0] not in keep] or _paths(baseline)
    planted = st.tuples(st.sampled_from(paths), st.one_of(SCALARS, NUMBERS, JSON_JUNK)).map(
        lambda pj: _planted(baseline, *pj))
    added = st.tuples(st.text(max_size=10), JSON_JUNK).map(lambda kv: {**copy.deepcopy(baseline), kv[0]: kv[1]})
    reshuffled = st.dictionaries(st.sampled_from(sorted(baseline)), JSON_JUNK, max_size=len(baseline))
    return st.one_of(planted, planted, planted, added, reshuffled, JSON_JUNK)


def draw(strategy: st.SearchStrategy[Any], count: int) -> list[Any]:
    """`count` examples from hypothesis, for tests that must send them asynchronously."""
    examples: list[Any] = []

    @settings(max_examples=count, database=None, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
    @given(strategy)
    def collect(value: Any) -> None:
        examples.append(value)

    collect()
    return examples[:count]


def run_fuzz(strategy: st.SearchStrategy[Any], count: int, check: Callable[[Any], None]) -> int:
    """Run `check` on `count` generated examples (with shrinking on failure); return how many ran."""
    ran = 0

    @settings(max_examples=count, database=None, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
    @given(strategy)
    def fuzz(value: Any) -> None:
        nonlocal ran
        ran += 1
        check(value)

    fuzz()
    return ran
