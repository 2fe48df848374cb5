# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tools.docs.docs_protos import compile_protos
from tests.tools.docs.docs_protos import compile_shop
from tools.docs import lifecycle
from tools.docs import model
from tools.errors import BuildError

JOB_STATE = """\
syntax = "proto3";

package jobs.v1;

// A job's lifecycle.
enum JobState {
  JOB_STATE_UNKNOWN = 0;
  // Waiting in the queue.
  // Next states: {queued_next}
  JOB_STATE_QUEUED = 1;
  // Running.
  // Next states: {running_next}
  JOB_STATE_RUNNING = 2;
  // Finished.
  // Next states: none.
  JOB_STATE_DONE = 3;
}
"""


def _jobs(tmp_path: Path, queued_next: str, running_next: str = "JOB_STATE_DONE.") -> model.Api:
    src = JOB_STATE.replace("{queued_next}", queued_next).replace("{running_next}", running_next)
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs" / "job.proto").write_text(src)
    out = compile_protos(tmp_path, ("jobs/job.proto",))
    return model.load(out)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> dict[str, lifecycle.Lifecycle]:
    out = compile_shop(tmp_path_factory)
    return lifecycle.lifecycles(model.load(out))


def test_only_enums_with_next_states_are_lifecycles(shop: dict[str, lifecycle.Lifecycle]) -> None:
    assert list(shop) == ["shop.orders.v1.OrderState"]


def test_states_in_order_with_short_names(shop: dict[str, lifecycle.Lifecycle]) -> None:
    lc = shop["shop.orders.v1.OrderState"]
    assert lc.initial.name == "PENDING"
    assert [(s.name, s.next) for s in lc.states] == [
        ("PENDING", ("THROTTLED", "SHIPPED", "CANCELLED")),
        ("THROTTLED", ("PENDING", "CANCELLED")),
        ("SHIPPED", ("DELIVERED",)),
        ("DELIVERED", ()),
        ("CANCELLED", ()),
    ]
    # The Next states line (and the blank line before it) is not part of the text.
    assert lc.states[0].comment == "Accepted, waiting for stock."


def test_mermaid_has_the_cycle_and_the_terminal_states(
    shop: dict[str, lifecycle.Lifecycle],
) -> None:
    assert shop["shop.orders.v1.OrderState"].mermaid() == [
        "stateDiagram-v2",
        "    [*] --> PENDING",
        "    PENDING --> THROTTLED",
        "    PENDING --> SHIPPED",
        "    PENDING --> CANCELLED",
        "    THROTTLED --> PENDING",
        "    THROTTLED --> CANCELLED",
        "    SHIPPED --> DELIVERED",
        '    state "ended" as ENDED {',
        "        DELIVERED",
        "        CANCELLED",
        "    }",
        "    ENDED --> [*]",
    ]


def test_a_state_nothing_leads_to_is_initial_too(tmp_path: Path) -> None:
    # RUNNING is entered only from outside the lifecycle, like a retry.
    (lc,) = lifecycle.lifecycles(_jobs(tmp_path, "JOB_STATE_DONE.")).values()
    assert [s.name for s in lc.initials] == ["QUEUED", "RUNNING"]
    assert lc.mermaid() == [
        "stateDiagram-v2",
        "    [*] --> QUEUED",
        "    [*] --> RUNNING",
        "    RUNNING --> DONE",
        "    QUEUED --> DONE",
        "    DONE --> [*]",
    ]


def test_unknown_state_points_at_the_name_in_the_comment(tmp_path: Path) -> None:
    api = _jobs(tmp_path, "JOB_STATE_RUNNING, JOB_STATE_FINISHED.")
    with pytest.raises(BuildError) as err:
        lifecycle.lifecycles(api)
    line9 = (tmp_path / "jobs" / "job.proto").read_text().splitlines()[8]
    assert line9.index("JOB_STATE_FINISHED") + 1 == 38
    assert err.value.message == (
        'jobs/job.proto:9:38: "Next states:" names JOB_STATE_FINISHED, which is not a value '
        "of jobs.v1.JobState"
    )


def test_a_typo_gets_a_hint(tmp_path: Path) -> None:
    api = _jobs(tmp_path, "JOB_STATE_RUNING.")
    with pytest.raises(BuildError, match=r"did you mean JOB_STATE_RUNNING\?\)$"):
        lifecycle.lifecycles(api)


def test_a_short_name_gets_a_hint_with_the_full_name(tmp_path: Path) -> None:
    api = _jobs(tmp_path, "RUNNING.")
    with pytest.raises(
        BuildError, match=r"^jobs/job\.proto:9:19: .*did you mean JOB_STATE_RUNNING\?"
    ):
        lifecycle.lifecycles(api)


def test_every_problem_is_reported_once(tmp_path: Path) -> None:
    api = _jobs(tmp_path, "JOB_STATE_NOPE.", running_next="none, JOB_STATE_DONE.")
    with pytest.raises(BuildError) as err:
        lifecycle.lifecycles(api)
    lines = err.value.message.splitlines()
    assert [ln.split(": ", 1)[0] for ln in lines] == ["jobs/job.proto:9:19", "jobs/job.proto:12:19"]
    assert "cannot be listed with other states" in lines[1]


def test_the_zero_value_is_not_a_state(tmp_path: Path) -> None:
    api = _jobs(tmp_path, "JOB_STATE_UNKNOWN.")
    with pytest.raises(BuildError, match=r"the zero value of jobs\.v1\.JobState"):
        lifecycle.lifecycles(api)


def test_an_empty_next_states_list_is_an_error(tmp_path: Path) -> None:
    api = _jobs(tmp_path, "JOB_STATE_RUNNING.", running_next="")
    # Points at the start of `Next states:` on line 12.
    with pytest.raises(
        BuildError, match=r'^jobs/job\.proto:12:6: .*names no state; write "none\."'
    ):
        lifecycle.lifecycles(api)


def test_missing_line_in_a_lifecycle_enum(tmp_path: Path) -> None:
    src = JOB_STATE.replace("  // Next states: {running_next}\n", "").replace(
        "{queued_next}", "JOB_STATE_RUNNING."
    )
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs" / "job.proto").write_text(src)
    out = compile_protos(tmp_path, ("jobs/job.proto",))
    with pytest.raises(
        BuildError, match=r"^jobs/job\.proto:12:3: JOB_STATE_RUNNING: every non-zero"
    ):
        lifecycle.lifecycles(model.load(out))


def test_a_wrapped_list_is_read_to_the_end(tmp_path: Path) -> None:
    api = _jobs(tmp_path, "JOB_STATE_RUNNING,\n  // JOB_STATE_DONE.")
    lc = lifecycle.lifecycles(api)["jobs.v1.JobState"]
    assert lc.states[0].next == ("RUNNING", "DONE")


@pytest.mark.parametrize(
    ("names", "want"),
    [
        (["A_STATE_UNKNOWN", "A_STATE_ON"], ["UNKNOWN", "ON"]),
        # Whole words only: PRIORITY_LOW and PRIORITY_LATE share `PRIORITY_L`.
        (["PRIORITY_LOW", "PRIORITY_LATE"], ["LOW", "LATE"]),
        # A name that is all prefix keeps one word.
        (["STATE_A", "STATE_A_B"], ["A", "A_B"]),
        # Leading digits and Mermaid keywords cannot be state ids.
        (["S_1", "S_TWO"], ["S_1", "S_TWO"]),
        (["S_END", "S_GO"], ["S_END", "S_GO"]),
    ],
)
def test_short_names(names: list[str], want: list[str]) -> None:
    assert list(lifecycle.short_names(names).values()) == want


def test_text_after_the_list_is_an_error(tmp_path: Path) -> None:
    api = _jobs(tmp_path, "JOB_STATE_RUNNING.\n  // More words about queueing.")
    with pytest.raises(BuildError, match=r"^jobs/job\.proto:9:6: .*must end the comment"):
        lifecycle.lifecycles(api)


def _jobs_starting(tmp_path: Path, line: str) -> model.Api:
    src = JOB_STATE.replace("{queued_next}", "JOB_STATE_RUNNING.")
    src = src.replace("{running_next}", "JOB_STATE_DONE.")
    src = src.replace("// A job's lifecycle.\n", f"// A job's lifecycle.\n//\n// {line}\n")
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs" / "job.proto").write_text(src)
    return model.load(compile_protos(tmp_path, ("jobs/job.proto",)))


def test_an_initial_states_line_names_where_a_node_may_start(tmp_path: Path) -> None:
    api = _jobs_starting(tmp_path, "Initial states: JOB_STATE_QUEUED, JOB_STATE_RUNNING.")
    lc = lifecycle.lifecycles(api)["jobs.v1.JobState"]
    assert [s.name for s in lc.initials] == ["QUEUED", "RUNNING"]
    assert lc.mermaid()[1:3] == ["    [*] --> QUEUED", "    [*] --> RUNNING"]


def test_an_initial_states_line_must_name_values(tmp_path: Path) -> None:
    api = _jobs_starting(tmp_path, "Initial states: JOB_STATE_QUEUED, RUNNING, JOB_STATE_UNKNOWN.")
    with pytest.raises(BuildError) as info:
        lifecycle.lifecycles(api)
    assert info.value.message == (
        'jobs/job.proto:7:38: "Initial states:" of jobs.v1.JobState must name its non-zero '
        "values by their full names, e.g. JOB_STATE_QUEUED (not RUNNING, JOB_STATE_UNKNOWN)"
    )
