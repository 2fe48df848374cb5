# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

from __future__ import annotations

import io
import threading
import time

from tests.conftest import output_of
from tools.engine.context import Context
from tools.engine.steps import run_steps
from tools.engine.steps import summary
from tools.errors import BuildError


def ctx() -> Context:
    return Context(out=io.StringIO())


def output(c: Context) -> list[str]:
    return output_of(c).splitlines()


def test_each_step_prints_its_name_status_and_its_output_indented() -> None:
    def ok(c: Context) -> None:
        c.say("did it")

    def bad(c: Context) -> None:
        raise BuildError("turboci/a.proto:1:2: broken")

    c = ctx()
    outcomes = run_steps(c, [("first", ok)], [("second", bad)])
    assert [(o.name, o.ok) for o in outcomes] == [("first", True), ("second", False)]
    lines = output(c)
    assert lines[0].split()[:2] == ["first", "ok"]
    assert lines[1] == "  did it"
    assert lines[2].split()[:2] == ["second", "FAIL"]
    assert lines[3] == "  turboci/a.proto:1:2: broken"


def test_a_failure_does_not_stop_the_others_and_the_summary_names_it() -> None:
    ran: list[str] = []

    def fail(c: Context) -> None:
        ran.append("fail")
        raise BuildError("no")

    def later(c: Context) -> None:
        ran.append("later")

    c = ctx()
    started = time.perf_counter()
    outcomes = run_steps(c, [("fail", fail), ("later", later)], [("side", later)])
    assert ran == ["fail", "later", "later"]
    assert summary(c, outcomes, started) == 1
    assert output(c)[-1].startswith("FAILED: fail (")
    c = ctx()
    assert summary(c, [o for o in outcomes if o.ok], started) == 0
    assert output(c)[-1].startswith("all 2 steps ok (")


def test_parallel_steps_run_side_by_side() -> None:
    # Each waits for the other: only finishes if both run at once.
    both = threading.Barrier(2, timeout=10)

    def meet(c: Context) -> None:
        both.wait()

    outcomes = run_steps(ctx(), [], [("a", meet), ("b", meet)])
    assert sorted((o.name, o.ok) for o in outcomes) == [("a", True), ("b", True)]


def test_a_step_that_rewrote_the_sources_says_so() -> None:
    outcomes = run_steps(ctx(), [("format", lambda c: True), ("lint", lambda c: None)], [])
    assert [o.rewrote for o in outcomes] == [True, False]
