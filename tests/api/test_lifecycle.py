# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The generated lifecycle helpers answer what the state enums' comments say.

turboci.utils.lifecycle (Python) and go/utils/lifecycle (Go) are written by
`./build.py gen` from the `Next states:` comments; here both are asked about
every value of every lifecycle enum, and one number past them, and compared
with the reader that draws docs/lifecycles.md.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest
from google.protobuf import descriptor_pool
from turboci.graph.orchestrator.v1.check_state_pb2 import CheckState
from turboci.graph.orchestrator.v1.stage_attempt_state_pb2 import StageAttemptState
from turboci.utils import lifecycle
from turboci.utils.lifecycle import Lifecycle

from core.layout import REPO as LAYOUT
from tests.api.conftest import Documented
from tests.api.support import REPO
from tools import env

NO_STATE = 1000  # no value of any lifecycle enum


def value_names(enum: str) -> dict[int, str]:
    values = descriptor_pool.Default().FindEnumTypeByName(enum).values
    return {v.number: v.name for v in values}


@pytest.fixture(scope="module")
def go_answers() -> dict[str, Any]:
    proc = subprocess.run(
        ["go", "run", "./internal/cmd/lifecycles"],
        cwd=REPO / "go",
        env=env.go_env(LAYOUT, GOFLAGS="-mod=readonly"),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    answers: dict[str, Any] = json.loads(proc.stdout)
    return answers


def expected(doc: Documented, names: dict[int, str]) -> dict[str, Any]:
    """What go/internal/cmd/lifecycles prints when the helpers are right."""
    everything = [*names.values(), str(NO_STATE)]
    return {
        "initial": list(doc.initial),
        "final": [s for s in names.values() if s in doc.next and not doc.next[s]],
        "next": {s: list(doc.next.get(s, ())) for s in everything},
        "transitions": [[a, b] for a in everything for b in everything if b in doc.next.get(a, ())],
    }


def test_python_has_a_lifecycle_for_every_documented_one(
    lifecycles: dict[str, Documented],
) -> None:
    assert set(lifecycle.LIFECYCLES) == set(lifecycles)
    for name, cycle in lifecycle.LIFECYCLES.items():
        assert cycle.enum == name


def test_python_answers_what_the_comments_say(lifecycles: dict[str, Documented]) -> None:
    for enum, doc in lifecycles.items():
        cycle = lifecycle.LIFECYCLES[enum]
        names = value_names(enum)
        number = {n: i for i, n in names.items()}

        def name(state: int, names: dict[int, str] = names) -> str:
            return names.get(state, str(state))

        assert [name(s) for s in cycle.states] == list(doc.states)
        assert [name(s) for s in cycle.initial_states] == list(doc.initial)
        for state in [*names, NO_STATE]:
            want = doc.next.get(name(state))
            assert [name(s) for s in cycle.next_states(state)] == list(want or ()), name(state)
            assert cycle.is_final(state) == (want == ()), name(state)
            assert cycle.is_initial(state) == (name(state) in doc.initial), name(state)
            for to in [*names, NO_STATE]:
                allowed = to in [number[t] for t in want or ()]
                assert cycle.can_transition(state, to) == allowed, (name(state), name(to))


def test_go_answers_what_the_comments_say(
    lifecycles: dict[str, Documented], go_answers: dict[str, Any]
) -> None:
    assert set(go_answers) == set(lifecycles)
    for enum, doc in lifecycles.items():
        names = value_names(enum)
        got = go_answers[enum]
        want = expected(doc, names)
        # Go lists the values in declaration order, which the pool keeps.
        got["final"] = got["final"] or []
        got["transitions"] = got["transitions"] or []
        assert got == want, enum


def test_a_retry_starts_awaiting_retry() -> None:
    attempt = lifecycle.stage_attempt
    assert attempt.initial_states == (
        StageAttemptState.STAGE_ATTEMPT_STATE_PENDING,
        StageAttemptState.STAGE_ATTEMPT_STATE_AWAITING_RETRY,
    )
    assert attempt.is_initial(StageAttemptState.STAGE_ATTEMPT_STATE_AWAITING_RETRY)
    assert not attempt.is_initial(StageAttemptState.STAGE_ATTEMPT_STATE_RUNNING)


def test_the_zero_value_is_no_state() -> None:
    zero = CheckState.CHECK_STATE_UNKNOWN
    assert not lifecycle.check.is_final(zero)
    assert not lifecycle.check.is_initial(zero)
    assert lifecycle.check.next_states(zero) == ()
    assert not lifecycle.check.can_transition(zero, CheckState.CHECK_STATE_PLANNING)


def test_a_lifecycle_refuses_a_successor_that_is_no_state() -> None:
    with pytest.raises(ValueError, match="7 is named but is no state"):
        Lifecycle("x.State", initial=[1], next={1: [7]})


def test_generated_go_is_gofmt_clean() -> None:
    goroot = subprocess.run(
        ["go", "env", "GOROOT"],
        env=env.go_env(LAYOUT),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    proc = subprocess.run(
        [f"{goroot}/bin/gofmt", "-l", "utils/lifecycle"],
        cwd=REPO / "go",
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "", "gen writes Go that gofmt would change"
