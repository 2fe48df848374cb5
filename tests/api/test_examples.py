# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The example workplans parse against the API and keep its promises.

Beyond parsing, the checks here are what a reader of the example relies on:
every reference (dependency edge, assignment, result owner, edit actor,
value digest) points at something that exists; revisions grow with time;
every node's history follows the lifecycle documented on its state enum and
is recorded as edits; no write lands in a state that the API's `writable`
field options forbid; retries stay within the execution policy, are born
in the write that ends the failed attempt and wait their delay; no attempt
runs past its run timeout; a cancelled attempt ends with the orchestrator's
cancel cause; every digest names its algorithm; no node waits for itself
through edges, assignments and groups; and every FINAL check says why it is
FINAL.

Each promise is a function that returns the problems it finds. The tests
run them on the examples, and on broken copies of the presubmit example, to
show that each one catches what it is about.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

import pytest
from google.protobuf import descriptor_pool
from google.protobuf import symbol_database
from google.protobuf import text_format
from google.protobuf.any_pb2 import Any
from google.protobuf.message import Message
from turboci.graph.ids.v1.check_id_pb2 import CheckId
from turboci.graph.ids.v1.stage_id_pb2 import StageId
from turboci.graph.orchestrator.v1.check_conclusion_pb2 import CheckConclusion
from turboci.graph.orchestrator.v1.check_edit_pb2 import CheckEdit
from turboci.graph.orchestrator.v1.check_pb2 import Check
from turboci.graph.orchestrator.v1.check_state_pb2 import CheckState
from turboci.graph.orchestrator.v1.check_write_pb2 import CheckWrite
from turboci.graph.orchestrator.v1.dependency_group_pb2 import DependencyGroup
from turboci.graph.orchestrator.v1.digest_pb2 import DigestAlgorithm
from turboci.graph.orchestrator.v1.edge_pb2 import Edge
from turboci.graph.orchestrator.v1.failure_kind_pb2 import FailureKind
from turboci.graph.orchestrator.v1.field_options_pb2 import writable
from turboci.graph.orchestrator.v1.resolution_pb2 import Resolution
from turboci.graph.orchestrator.v1.revision_pb2 import Revision
from turboci.graph.orchestrator.v1.stage_attempt_pb2 import StageAttempt
from turboci.graph.orchestrator.v1.stage_attempt_state_pb2 import StageAttemptState
from turboci.graph.orchestrator.v1.stage_edit_pb2 import StageEdit
from turboci.graph.orchestrator.v1.stage_pb2 import Stage
from turboci.graph.orchestrator.v1.stage_state_pb2 import StageState
from turboci.graph.orchestrator.v1.stage_write_pb2 import StageWrite
from turboci.graph.orchestrator.v1.value_ref_pb2 import ValueRef
from turboci.graph.orchestrator.v1.work_plan_pb2 import WorkPlan
from turboci.graph.orchestrator.v1.write_nodes_request_pb2 import WriteNodesRequest
from turboci.utils import ids
from turboci.utils import lifecycle
from turboci.utils import value as values
from turboci.utils.lifecycle import Lifecycle

from tests.api.support import EXAMPLES
from tests.api.support import field_behaviors
from tests.api.support import import_all_stubs
from turboci.stages.test.v1 import test_stage_args_pb2

import_all_stubs()

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.txtpb"))
PRESUBMIT = EXAMPLES / "presubmit_workplan.txtpb"
CANCELLED = EXAMPLES / "cancelled_workplan.txtpb"
AS = StageAttemptState
ENDED = {AS.STAGE_ATTEMPT_STATE_COMPLETE, AS.STAGE_ATTEMPT_STATE_INCOMPLETE}
# Failures only the orchestrator can notice: the attempt is gone or silent,
# so it cannot report them itself (FailureKind's documentation).
ORCHESTRATOR_FAILURES = {
    FailureKind.FAILURE_KIND_LOST,
    FailureKind.FAILURE_KIND_START_TIMEOUT,
    FailureKind.FAILURE_KIND_STOP_TIMEOUT,
}
NEVER_RETRIED = {FailureKind.FAILURE_KIND_REJECTED, FailureKind.FAILURE_KIND_CANCELLED}

Node = Check | Stage
S = TypeVar("S", bound=int)


def load(path: Path) -> WorkPlan:
    return text_format.Parse(path.read_text(encoding="utf-8"), WorkPlan())


@pytest.fixture(params=EXAMPLE_FILES, ids=lambda p: p.name)
def plan(request: pytest.FixtureRequest) -> WorkPlan:
    path: Path = request.param
    return load(path)


def test_presubmit_example_exists() -> None:
    assert PRESUBMIT in EXAMPLE_FILES
    assert CANCELLED in EXAMPLE_FILES


# ---------------------------------------------------------------- walking


def all_nodes(plan: WorkPlan) -> list[Node]:
    return [*plan.checks, *plan.stages]


def name(ident: Message) -> str:
    return ids.format(ident)  # type: ignore[arg-type]


def edges(group: DependencyGroup) -> Iterator[Edge]:
    yield from group.edges
    for sub in group.groups:
        yield from edges(sub)


def groups(group: DependencyGroup) -> Iterator[DependencyGroup]:
    yield group
    for sub in group.groups:
        yield from groups(sub)


def messages(message: Message) -> Iterator[Message]:
    """message and every message inside it, value_data and Any excluded."""
    yield message
    for field, value in message.ListFields():
        if field.message_type is None or field.message_type.GetOptions().map_entry:
            continue
        for item in value if field.is_repeated else [value]:
            if not isinstance(item, Any):
                yield from messages(item)


def value_refs(message: Message) -> Iterator[ValueRef]:
    return (m for m in messages(message) if isinstance(m, ValueRef))


def writable_in(
    message_type: type[Message], field: str
) -> tuple[set[int], set[int], set[int], bool]:
    """The `writable` option of a write message's field (check states, stage
    states, stage attempt states) and whether it is IMMUTABLE (AIP-203:
    set only when the node is created)."""
    descriptor = message_type.DESCRIPTOR.fields_by_name[field]
    rule = descriptor.GetOptions().Extensions[writable]
    return (
        set(rule.check_states),
        set(rule.stage_states),
        set(rule.stage_attempt_states),
        "IMMUTABLE" in field_behaviors(message_type, field),
    )


def state_before(node: Node, revision: int) -> int | None:
    """The node's state just before the write `revision`; None before it existed."""
    state = None
    for edit in node.edits:
        if edit.revision.number < revision:
            state = edit.state
    return state


def final_edit(node: Node) -> CheckEdit | StageEdit | None:
    final = (
        CheckState.CHECK_STATE_FINAL if isinstance(node, Check) else StageState.STAGE_STATE_FINAL
    )
    return next((e for e in node.edits if e.state == final), None)


def attempt_state_before(attempt: StageAttempt, revision: int) -> int | None:
    state = None
    for t in attempt.transitions:
        if t.revision.number < revision:
            state = t.state
    return state


def writing_state(attempt: StageAttempt, revision: int) -> int | None:
    """The state an attempt's node writes of `revision` are judged in: a
    claim in the same request (a move to RUNNING, or to COMPLETE from PENDING
    or SCHEDULED) applies first (WriteNodesRequest)."""
    before = attempt_state_before(attempt, revision)
    for t in attempt.transitions:
        if t.revision.number != revision:
            continue
        claims = t.state == AS.STAGE_ATTEMPT_STATE_RUNNING or (
            t.state == AS.STAGE_ATTEMPT_STATE_COMPLETE
            and before in (AS.STAGE_ATTEMPT_STATE_PENDING, AS.STAGE_ATTEMPT_STATE_SCHEDULED)
        )
        if claims:
            return AS.STAGE_ATTEMPT_STATE_RUNNING
    return before


def state_name(state: int | None) -> str:
    return AS.DESCRIPTOR.values_by_number[state or 0].name


def find_attempt(plan: WorkPlan, ident: Message) -> StageAttempt | None:
    for stage in plan.stages:
        for attempt in stage.attempts:
            if attempt.id == ident:
                return attempt
    return None


def assigned_with_goal(plan: WorkPlan, check: Check, goal: int) -> list[Stage]:
    return [
        s
        for s in plan.stages
        for a in s.assignments
        if a.check == check.id and (a.goal_state or CheckState.CHECK_STATE_FINAL) == goal
    ]


# ---------------------------------------------------------------- promises


def revisions_grow_with_time(plan: WorkPlan) -> list[str]:
    """Revision numbers order the workplan's history: each number has one
    commit time, and a later number never has an earlier time."""
    problems: list[str] = []
    times: dict[int, set[int]] = {}
    for m in messages(plan):
        if isinstance(m, Revision):
            times.setdefault(m.number, set()).add(m.commit_time.ToNanoseconds())
    for number, seen in sorted(times.items()):
        if len(seen) > 1:
            problems.append(f"r{number} has {len(seen)} different commit times")
        if number > plan.revision.number:
            problems.append(f"r{number} is after the workplan's revision r{plan.revision.number}")
    ordered = [(n, min(t)) for n, t in sorted(times.items())]
    for (n1, t1), (n2, t2) in itertools.pairwise(ordered):
        if t2 <= t1:
            problems.append(f"r{n2} is not later in time than r{n1}")
    return problems


def histories_follow_the_lifecycles(plan: WorkPlan) -> list[str]:
    """Every state change is a move the state enum documents, as the
    generated turboci.utils.lifecycle helpers tell, an attempt starts in an
    initial state of its lifecycle, and every attempt transition is recorded
    by a stage edit of the same revision."""
    problems: list[str] = []

    def follows(cycle: Lifecycle[S], path: Sequence[S], where: str) -> None:
        names = [cycle_name(cycle, s) for s in path]
        if not path or not cycle.is_initial(path[0]):
            problems.append(f"{where}: starts in {names[:1]}, not an initial state")
            return
        for (a, b), (a_name, b_name) in zip(
            itertools.pairwise(path), itertools.pairwise(names), strict=True
        ):
            if a != b and not cycle.can_transition(a, b):
                problems.append(f"{where}: {a_name} -> {b_name} is not documented")

    for check in plan.checks:
        follows(lifecycle.check, [e.state for e in check.edits], name(check.id))
    for stage in plan.stages:
        follows(lifecycle.stage, [e.state for e in stage.edits], name(stage.id))
        edit_revisions = {
            e.revision.number for e in stage.edits if "attempts" in e.changed_fields.paths
        }
        for attempt in stage.attempts:
            where = name(attempt.id)
            steps = [t.state for t in attempt.transitions]
            # Both are initial states; which one it is follows from the number.
            first = (
                AS.STAGE_ATTEMPT_STATE_PENDING
                if attempt.id.number == 1
                else AS.STAGE_ATTEMPT_STATE_AWAITING_RETRY
            )
            if not steps or steps[0] != first or not lifecycle.stage_attempt.is_initial(first):
                problems.append(f"{where}: starts {steps[:1]}, not {AS.Name(first)}")
            follows(lifecycle.stage_attempt, steps, where)
            if steps and steps[-1] != attempt.state:
                problems.append(f"{where}: state is not its last transition")
            numbers = [t.revision.number for t in attempt.transitions]
            if numbers != sorted(numbers):
                problems.append(f"{where}: transitions out of order")
            for t in attempt.transitions:
                if t.revision.number not in edit_revisions:
                    problems.append(
                        f"{where}: {AS.Name(t.state)} at r{t.revision.number} has no stage edit"
                    )
    return problems


def cycle_name(cycle: Lifecycle[S], state: S) -> str:
    enum = descriptor_pool.Default().FindEnumTypeByName(cycle.enum)
    value = enum.values_by_number.get(state)
    return value.name if value is not None else str(state)


def edits_are_consistent(plan: WorkPlan) -> list[str]:
    """Edits are numbered, ordered, belong to their node, and agree with the
    node's create/update revisions and state; resolving dependencies shows
    only in the edit that resolves the whole group (CheckEdit, StageEdit)."""
    problems: list[str] = []
    for node in all_nodes(plan):
        where = name(node.id)
        for edit in node.edits:
            resolved = node.dependencies.resolve_revision.number
            resolving = edit.actor.HasField("orchestrator") and (
                "dependencies" in edit.changed_fields.paths
            )
            if resolving and edit.revision.number != resolved:
                problems.append(
                    f"{name(edit.id)}: an edit for dependencies at r{edit.revision.number}, "
                    f"but the group resolved at r{resolved}"
                )
        if [e.id.number for e in node.edits] != list(range(1, len(node.edits) + 1)):
            problems.append(f"{where}: edits are not numbered 1..n")
        revisions = [e.revision.number for e in node.edits]
        if revisions != sorted(set(revisions)):
            problems.append(f"{where}: two edits share a revision or are out of order")
        for edit in node.edits:
            edited = edit.id.check if isinstance(edit, CheckEdit) else edit.id.stage
            if edited != node.id:
                problems.append(f"{name(edit.id)} is filed under {where}")
        if node.edits:
            if node.edits[0].revision != node.create_revision:
                problems.append(f"{where}: create_revision is not its first edit's")
            if node.edits[-1].revision != node.update_revision:
                problems.append(f"{where}: update_revision is not its last edit's")
            if node.edits[-1].state != node.state:
                problems.append(f"{where}: state is not its last edit's")
    return problems


def writes_land_in_allowed_states(plan: WorkPlan) -> list[str]:
    """No edit sets a field while its node is in a state that the field's
    `writable` option forbids, IMMUTABLE fields are set only when the
    node is created, and stage attempts write nodes only in the attempt
    states WriteNodesRequest allows, and never after they ended."""
    problems: list[str] = []
    for node in all_nodes(plan):
        write_type: type[Message] = CheckWrite if isinstance(node, Check) else StageWrite
        fields = write_type.DESCRIPTOR.fields_by_name
        node_edits: list[CheckEdit | StageEdit] = list(node.edits)
        for i, edit in enumerate(node_edits):
            where = f"{name(edit.id)} (r{edit.revision.number})"
            if edit.actor.HasField("orchestrator"):
                continue
            before = state_before(node, edit.revision.number)
            for path in edit.changed_fields.paths:
                if path not in fields:
                    continue
                check_states, stage_states, _, immutable = writable_in(write_type, path)
                if immutable and i > 0:
                    problems.append(f"{where}: {path} is IMMUTABLE but changed later")
                allowed = check_states if isinstance(node, Check) else stage_states
                if i > 0 and allowed and before not in allowed:
                    enum = CheckState if isinstance(node, Check) else StageState
                    was = enum.DESCRIPTOR.values_by_number[before or 0].name
                    problems.append(f"{where}: {path} written while {was}")
    for node in all_nodes(plan):
        is_check = isinstance(node, Check)
        _, _, attempt_states, _ = writable_in(WriteNodesRequest, "checks" if is_check else "stages")
        for edit in node.edits:
            if not edit.actor.HasField("stage_attempt"):
                continue
            if not is_check and edit.actor.stage_attempt.stage == node.id:
                continue  # an attempt's report about itself, checked below
            attempt = find_attempt(plan, edit.actor.stage_attempt)
            if attempt is None:
                continue
            state = writing_state(attempt, edit.revision.number)
            if state not in attempt_states:
                problems.append(
                    f"{name(edit.id)}: written by {name(attempt.id)} while "
                    f"{state_name(state) if state else 'it did not exist'}"
                )
    for stage in plan.stages:
        for edit in stage.edits:
            if edit.actor.HasField("stage_attempt") and edit.actor.stage_attempt.stage == stage.id:
                attempt = find_attempt(plan, edit.actor.stage_attempt)
                before = attempt_state_before(attempt, edit.revision.number) if attempt else None
                if before in ENDED or before is None:
                    problems.append(
                        f"{name(edit.id)}: authored by an attempt that had ended or did not exist"
                    )
            for attempt in stage.attempts:
                last = attempt.transitions[-1] if attempt.transitions else None
                if (
                    last is not None
                    and last.revision == edit.revision
                    and attempt.failure.kind in ORCHESTRATOR_FAILURES
                    and attempt.state == AS.STAGE_ATTEMPT_STATE_INCOMPLETE
                    and not edit.actor.HasField("orchestrator")
                ):
                    kind = FailureKind.Name(attempt.failure.kind)
                    problems.append(
                        f"{name(attempt.id)}: its {kind} end is recorded by "
                        f"{edit.actor.WhichOneof('kind')}"
                    )
    for check in plan.checks:
        for result in check.results:
            attempt = find_attempt(plan, result.owner)
            where = name(result.id)
            if attempt is None:
                continue
            opened = result.create_revision.number
            if writing_state(attempt, opened) not in writable_in(WriteNodesRequest, "checks")[2]:
                problems.append(
                    f"{where}: opened while its owner was "
                    f"{state_name(writing_state(attempt, opened))}"
                )
            if state_before(check, opened) != CheckState.CHECK_STATE_WAITING:
                problems.append(f"{where}: opened while the check was not WAITING")
            end = next((t.revision.number for t in attempt.transitions if t.state in ENDED), None)
            closed = result.final_revision.number
            if end is not None and not result.HasField("final_revision"):
                problems.append(f"{where}: its owner ended but it is still open")
            if result.HasField("final_revision") and (
                closed < opened or (end is not None and closed > end)
            ):
                problems.append(f"{where}: closed at r{closed}, outside r{opened}..r{end}")
    return problems


def dependencies_resolve(plan: WorkPlan) -> list[str]:
    """Every edge points at a node of the workplan; a finished workplan has
    no pending edge or group; a satisfied edge's target met the condition by
    the edge's resolve revision; a node moves on when its dependencies
    resolve, not before."""
    problems: list[str] = []
    checks = {name(c.id): c for c in plan.checks}
    stages = {name(s.id): s for s in plan.stages}
    seen = 0
    for node in all_nodes(plan):
        where = name(node.id)
        for edge in edges(node.dependencies):
            seen += 1
            kind = edge.target.WhichOneof("type")
            target = name(edge.target)
            if kind not in ("check", "stage"):
                problems.append(f"{where}: edge to a {kind}")
                continue
            if target == where:
                problems.append(f"{where} depends on itself")
            found = (checks if kind == "check" else stages).get(target)
            if found is None:
                problems.append(f"{where} depends on {target}, which is not in the workplan")
                continue
            if edge.resolution == Resolution.RESOLUTION_SATISFIED and isinstance(found, Check):
                want = edge.condition.check_state or CheckState.CHECK_STATE_FINAL
                at = edge.resolve_revision.number
                reached = next((e.revision.number for e in found.edits if e.state >= want), None)
                if reached is None or reached > at:
                    problems.append(
                        f"{where}: edge to {target} satisfied at r{at} "
                        f"before it was {CheckState.Name(want)}"
                    )
                have = {
                    d.type_url
                    for r in found.results
                    if r.create_revision.number <= at
                    for d in r.data
                }
                for type_url in edge.condition.result_types:
                    if type_url not in have:
                        problems.append(
                            f"{where}: edge to {target} satisfied without a {type_url} result"
                        )
        for group in groups(node.dependencies):
            pending = (Resolution.RESOLUTION_UNKNOWN, Resolution.RESOLUTION_PENDING)
            unresolved = group.resolution in pending and bool(group.edges or group.groups)
            if plan.HasField("finish_revision") and unresolved:
                problems.append(f"{where}: a dependency group is unresolved in a finished workplan")
            for edge in group.edges:
                if edge.resolution == Resolution.RESOLUTION_PENDING and plan.HasField(
                    "finish_revision"
                ):
                    problems.append(
                        f"{where}: edge to {name(edge.target)} is pending in a finished workplan"
                    )
        root = node.dependencies
        if root.resolution == Resolution.RESOLUTION_SATISFIED:
            moved_to = (
                CheckState.CHECK_STATE_WAITING
                if isinstance(node, Check)
                else StageState.STAGE_STATE_ATTEMPTING
            )
            moved = next((e.revision.number for e in node.edits if e.state == moved_to), None)
            if moved is not None and moved != root.resolve_revision.number:
                problems.append(
                    f"{where}: moved on at r{moved}, its dependencies resolved "
                    f"at r{root.resolve_revision.number}"
                )
    if not seen:
        problems.append("the example should show dependencies")
    return problems


def references_resolve(plan: WorkPlan) -> list[str]:
    problems: list[str] = []
    checks = {name(c.id) for c in plan.checks}
    stage_ids = [s.id for s in plan.stages]
    attempts = {name(a.id) for s in plan.stages for a in s.attempts}
    for stage in plan.stages:
        for assigned in stage.assignments:
            if name(assigned.check) not in checks:
                problems.append(
                    f"{name(stage.id)}: assigned {name(assigned.check)}, "
                    "which is not in the workplan"
                )
        for member in stage.group_stages:
            if member not in stage_ids:
                problems.append(
                    f"{name(stage.id)}: group member {name(member)} is not in the workplan"
                )
    for check in plan.checks:
        for result in check.results:
            owner = name(result.owner)
            if owner not in attempts:
                problems.append(f"{name(result.id)}: owner {owner} not found")
                continue
            owner_stage = next(s for s in plan.stages if s.id == result.owner.stage)
            if check.id not in [a.check for a in owner_stage.assignments]:
                problems.append(f"{owner} wrote {name(check.id)} without being assigned to it")
    for node in all_nodes(plan):
        for edit in node.edits:
            if (
                edit.actor.HasField("stage_attempt")
                and name(edit.actor.stage_attempt) not in attempts
            ):
                problems.append(
                    f"{name(edit.id)}: actor {name(edit.actor.stage_attempt)} not found"
                )
    return problems


def retries_follow_the_policy(plan: WorkPlan) -> list[str]:
    """Only the last attempt of a stage may be unfinished; every earlier one
    ended INCOMPLETE with a failure its budget allowed to retry; a stage
    whose last attempt failed retryably got no further attempt only because
    the budget was spent."""
    problems: list[str] = []
    for stage in plan.stages:
        where = name(stage.id)
        budgets = {b.kind: b.retries for b in stage.execution_policy.retry.budgets}
        max_attempts = stage.execution_policy.retry.max_attempts
        if [a.id.number for a in stage.attempts] != list(range(1, len(stage.attempts) + 1)):
            problems.append(f"{where}: attempts are not numbered 1..n")
        failures: dict[int, int] = {}
        for attempt in stage.attempts[:-1]:
            if attempt.state != AS.STAGE_ATTEMPT_STATE_INCOMPLETE or not attempt.HasField(
                "failure"
            ):
                problems.append(
                    f"{name(attempt.id)}: retried without ending INCOMPLETE with a failure"
                )
                continue
            kind = attempt.failure.kind
            failures[kind] = failures.get(kind, 0) + 1
            if kind in NEVER_RETRIED or failures[kind] > budgets.get(kind, 0):
                problems.append(
                    f"{name(attempt.id)}: {FailureKind.Name(kind)} retried beyond its budget"
                )
        if max_attempts and len(stage.attempts) > max_attempts:
            problems.append(f"{where}: more than max_attempts attempts")
        if stage.state == StageState.STAGE_STATE_FINAL and stage.attempts:
            last = stage.attempts[-1]
            if last.state not in ENDED:
                problems.append(f"{name(last.id)}: unfinished in a FINAL stage")
            kind = last.failure.kind
            if last.state == AS.STAGE_ATTEMPT_STATE_INCOMPLETE and kind not in NEVER_RETRIED:
                spent = failures.get(kind, 0) >= budgets.get(kind, 0)
                capped = bool(max_attempts) and len(stage.attempts) >= max_attempts
                if not (spent or capped):
                    problems.append(
                        f"{name(last.id)}: {FailureKind.Name(kind)} had budget left "
                        "but got no retry"
                    )
        for attempt in stage.attempts:
            if attempt.state == AS.STAGE_ATTEMPT_STATE_INCOMPLETE and not attempt.HasField(
                "failure"
            ):
                problems.append(f"{name(attempt.id)}: INCOMPLETE without a failure")
            if attempt.state != AS.STAGE_ATTEMPT_STATE_INCOMPLETE and attempt.HasField("failure"):
                problems.append(f"{name(attempt.id)}: a failure outside INCOMPLETE")
            if attempt.failure.kind == FailureKind.FAILURE_KIND_LOST:
                interval = stage.execution_policy.heartbeat.running.ToNanoseconds()
                end = attempt.transitions[-1].revision.commit_time.ToNanoseconds()
                if not interval or attempt.heartbeat_time.ToNanoseconds() + 2 * interval > end:
                    problems.append(
                        f"{name(attempt.id)}: LOST before two heartbeat intervals passed"
                    )
    return problems


def checks_conclude(plan: WorkPlan) -> list[str]:
    """Every FINAL check has a conclusion from the write that made it FINAL;
    a stage attempt finalizes a check only when no other unfinished stage
    shares the assignment (shards close their own results instead); the
    orchestrator concludes a check once every assigned stage is FINAL."""
    problems: list[str] = []
    reasons = CheckConclusion.Reason
    for check in plan.checks:
        where = name(check.id)
        final = final_edit(check)
        if final is None:
            if check.HasField("conclusion"):
                problems.append(f"{where}: a conclusion before it is FINAL")
            continue
        conclusion = check.conclusion
        at = final.revision.number
        if not check.HasField("conclusion") or conclusion.revision != final.revision:
            problems.append(f"{where}: no conclusion from r{at}, the write that made it FINAL")
            continue
        if conclusion.actor != final.actor:
            problems.append(f"{where}: the conclusion's actor is not the final edit's")
        assigned = assigned_with_goal(plan, check, CheckState.CHECK_STATE_FINAL)
        if conclusion.reason == reasons.REASON_FINALIZED:
            writer = final.actor.stage_attempt
            for stage in assigned:
                done = final_edit(stage)
                if stage.id != writer.stage and (done is None or done.revision.number > at):
                    problems.append(
                        f"{where}: finalized by {name(writer)} "
                        f"while {name(stage.id)} was still assigned"
                    )
        elif conclusion.reason in (reasons.REASON_STAGES_ENDED, reasons.REASON_STAGES_FAILED):
            if not final.actor.HasField("orchestrator"):
                problems.append(
                    f"{where}: concluded for its stages by {final.actor.WhichOneof('kind')}"
                )
            if not assigned:
                problems.append(f"{where}: concluded for its stages but none is assigned")
            for stage in assigned:
                done = final_edit(stage)
                if done is None or done.revision.number > at:
                    problems.append(f"{where}: concluded before {name(stage.id)} was FINAL")
            failed = [
                s.id
                for s in assigned
                if not any(a.state == AS.STAGE_ATTEMPT_STATE_COMPLETE for a in s.attempts)
            ]
            if (conclusion.reason == reasons.REASON_STAGES_FAILED) != (
                len(failed) == len(assigned)
            ):
                problems.append(
                    f"{where}: {reasons.Name(conclusion.reason)} does not match its stages"
                )
            if (
                conclusion.reason == reasons.REASON_STAGES_FAILED
                and list(conclusion.stages) != failed
            ):
                problems.append(
                    f"{where}: the conclusion names {list(conclusion.stages)}, "
                    "not the failed stages"
                )
        if plan.HasField("finish_revision") and not check.conclusion.reason:
            problems.append(f"{where}: no reason in the conclusion")
    return problems


def groups_hold_the_stage(plan: WorkPlan) -> list[str]:
    """A stage's group holds the stages its attempts created; the stage waits
    in AWAITING_GROUP and becomes FINAL only once they all are."""
    problems: list[str] = []
    stages = {name(s.id): s for s in plan.stages}
    for stage in plan.stages:
        where = name(stage.id)
        done = final_edit(stage)
        for member_id in stage.group_stages:
            member = stages.get(name(member_id))
            if member is None or not member.edits:
                continue
            creator = member.edits[0].actor
            if creator.stage_attempt.stage != stage.id:
                problems.append(
                    f"{where}: group member {name(member_id)} was not created by its attempts"
                )
            member_done = final_edit(member)
            if done is not None and (
                member_done is None or member_done.revision.number > done.revision.number
            ):
                problems.append(f"{where}: FINAL before its group member {name(member_id)}")
        if stage.group_stages and done is not None:
            states = [e.state for e in stage.edits]
            if StageState.STAGE_STATE_AWAITING_GROUP not in states:
                problems.append(f"{where}: has a group but never waited for it")
    return problems


def transition_at(attempt: StageAttempt, state: int) -> StageAttempt.Transition | None:
    return next((t for t in attempt.transitions if t.state == state), None)


def seconds(revision: Revision) -> float:
    return revision.commit_time.ToNanoseconds() / 1e9


def retries_are_born_and_wait(plan: WorkPlan) -> list[str]:
    """A retry is born AWAITING_RETRY in the write that ends the attempt
    before it, and becomes PENDING no sooner than the policy's retry delay
    after that write (StageAttemptState, ExecutionPolicy.Retry.delay)."""
    problems: list[str] = []
    for stage in plan.stages:
        delay = stage.execution_policy.retry.delay.ToNanoseconds() / 1e9
        for before, retry in itertools.pairwise(stage.attempts):
            ended = transition_at(before, AS.STAGE_ATTEMPT_STATE_INCOMPLETE)
            born = retry.transitions[0] if retry.transitions else None
            if ended is None or born is None:
                continue
            if born.revision.number != ended.revision.number:
                problems.append(
                    f"{name(retry.id)}: born at r{born.revision.number}, not in the write "
                    f"that ended {name(before.id)} (r{ended.revision.number})"
                )
            pending = transition_at(retry, AS.STAGE_ATTEMPT_STATE_PENDING)
            if pending is not None and seconds(pending.revision) < seconds(ended.revision) + delay:
                waited = seconds(pending.revision) - seconds(ended.revision)
                problems.append(
                    f"{name(retry.id)}: PENDING {waited:.0f}s after the failure, "
                    f"before the {delay:.0f}s retry delay"
                )
    return problems


def run_timeouts_hold(plan: WorkPlan) -> list[str]:
    """No attempt stays RUNNING longer than its stage's run timeout, and an
    attempt cancelled for its run timeout ran at least that long."""
    problems: list[str] = []
    for stage in plan.stages:
        limit = stage.execution_policy.timeouts.run.ToNanoseconds() / 1e9
        for attempt in stage.attempts:
            steps = list(attempt.transitions)
            for here, after in itertools.pairwise(steps):
                if here.state != AS.STAGE_ATTEMPT_STATE_RUNNING:
                    continue
                ran = seconds(after.revision) - seconds(here.revision)
                if limit and ran > limit:
                    problems.append(
                        f"{name(attempt.id)}: RUNNING for {ran:.0f}s, "
                        f"beyond the {limit:.0f}s run timeout"
                    )
                timed_out = attempt.cancel_cause.kind == FailureKind.FAILURE_KIND_RUN_TIMEOUT
                if timed_out and (not limit or ran < limit):
                    problems.append(
                        f"{name(attempt.id)}: cancelled for its run timeout "
                        f"after {ran:.0f}s of a {limit:.0f}s timeout"
                    )
    return problems


def cancels_are_owned(plan: WorkPlan) -> list[str]:
    """A cancelled attempt carries the orchestrator's cancel cause and ends
    INCOMPLETE with that kind; only a cancelled workplan concludes checks
    REASON_CANCELLED, in the write that cancelled it; after that write only
    the orchestrator and the attempts reporting about themselves write
    (CancelWorkPlanRequest)."""
    problems: list[str] = []
    cancelled_at = plan.cancellation.revision.number if plan.HasField("cancellation") else None
    for stage in plan.stages:
        for attempt in stage.attempts:
            where = name(attempt.id)
            states = [t.state for t in attempt.transitions]
            cancelled = AS.STAGE_ATTEMPT_STATE_CANCELLING in states
            if cancelled and not attempt.HasField("cancel_cause"):
                problems.append(f"{where}: CANCELLING without a cancel cause")
            if attempt.HasField("cancel_cause"):
                if attempt.state == AS.STAGE_ATTEMPT_STATE_COMPLETE:
                    problems.append(f"{where}: COMPLETE after a cancel")
                ended = attempt.state == AS.STAGE_ATTEMPT_STATE_INCOMPLETE
                if ended and attempt.failure.kind != attempt.cancel_cause.kind:
                    problems.append(
                        f"{where}: ends {FailureKind.Name(attempt.failure.kind)}, "
                        f"not its cancel cause {FailureKind.Name(attempt.cancel_cause.kind)}"
                    )
    for check in plan.checks:
        if check.conclusion.reason != CheckConclusion.Reason.REASON_CANCELLED:
            continue
        if cancelled_at is None:
            problems.append(
                f"{name(check.id)}: REASON_CANCELLED, but the workplan is not cancelled"
            )
        elif check.conclusion.revision.number != cancelled_at:
            problems.append(
                f"{name(check.id)}: REASON_CANCELLED at r{check.conclusion.revision.number}, "
                f"not in the cancel's write r{cancelled_at}"
            )
    if cancelled_at is not None:
        for node in all_nodes(plan):
            for edit in node.edits:
                if edit.revision.number <= cancelled_at or edit.actor.HasField("orchestrator"):
                    continue
                own_report = (
                    isinstance(node, Stage)
                    and edit.actor.stage_attempt.stage == node.id
                    and list(edit.changed_fields.paths) == ["attempts"]
                )
                if not own_report:
                    problems.append(
                        f"{name(edit.id)}: a write by {edit.actor.WhichOneof('kind')} "
                        "after the workplan was cancelled"
                    )
    return problems


def digests_name_their_algorithm(plan: WorkPlan) -> list[str]:
    """Every digest names the one algorithm there is (Digest.algorithm is
    required): a reader cannot check a digest of an unknown algorithm."""
    problems: list[str] = []
    for ref in value_refs(plan):
        algorithm = ref.digest.algorithm
        if algorithm != DigestAlgorithm.DIGEST_ALGORITHM_CANONICAL_SHA256:
            known = algorithm in DigestAlgorithm.values()
            said = DigestAlgorithm.Name(algorithm) if known else f"number {algorithm}"
            problems.append(f"{ref.type_url} {ref.digest.sha256[:12]}: algorithm {said}")
    return problems


def waits_for(plan: WorkPlan) -> dict[str, set[str]]:
    """Whom each node waits for, as DependencyGroup defines it."""
    assigned: dict[str, list[tuple[str, int]]] = {}
    for stage in plan.stages:
        for a in stage.assignments:
            goal = a.goal_state or CheckState.CHECK_STATE_FINAL
            assigned.setdefault(name(a.check), []).append((name(stage.id), goal))
    graph: dict[str, set[str]] = {name(n.id): set() for n in all_nodes(plan)}
    for node in all_nodes(plan):
        out = graph[name(node.id)]
        for edge in edges(node.dependencies):
            target = name(edge.target)
            if edge.target.WhichOneof("type") == "stage":
                out.add(target)
                continue
            wanted = edge.condition.check_state or CheckState.CHECK_STATE_FINAL
            if wanted >= CheckState.CHECK_STATE_WAITING:
                out.add(target)
            out.update(stage for stage, goal in assigned.get(target, []) if goal <= wanted)
        if isinstance(node, Stage):
            out.update(name(member) for member in node.group_stages)
    return graph


def nobody_waits_in_circles(plan: WorkPlan) -> list[str]:
    """No node waits for itself through edges, assignments and groups
    (DependencyGroup), the deadlock the API refuses to write."""
    graph = waits_for(plan)
    problems: list[str] = []
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            circle = [*path[path.index(node) :], node]
            problems.append("waits in a circle: " + " -> ".join(circle))
            return
        if node in done:
            return
        for after in sorted(graph.get(node, ())):
            visit(after, [*path, node])
        done.add(node)

    for node in sorted(graph):
        visit(node, [])
    return problems


PROMISES: list[Callable[[WorkPlan], list[str]]] = [
    revisions_grow_with_time,
    histories_follow_the_lifecycles,
    edits_are_consistent,
    writes_land_in_allowed_states,
    dependencies_resolve,
    references_resolve,
    retries_follow_the_policy,
    checks_conclude,
    groups_hold_the_stage,
    retries_are_born_and_wait,
    run_timeouts_hold,
    cancels_are_owned,
    digests_name_their_algorithm,
    nobody_waits_in_circles,
]


@pytest.mark.parametrize("promise", PROMISES, ids=lambda f: f.__name__)
def test_example_keeps_the_promise(
    plan: WorkPlan, promise: Callable[[WorkPlan], list[str]]
) -> None:
    assert promise(plan) == []


# ---------------------------------------------------------------- broken copies


def _stage(plan: WorkPlan, stage_id: str) -> Stage:
    return next(s for s in plan.stages if s.id.id == stage_id)


def _check(plan: WorkPlan, check_id: str) -> Check:
    return next(c for c in plan.checks if c.id.id == check_id)


def _swap_times(plan: WorkPlan) -> None:
    # r31 claims to be committed before r25, as r25 and r26 once did.
    for m in messages(plan):
        if isinstance(m, Revision) and m.number == 31:
            m.commit_time.seconds -= 600


def _result_after_teardown(plan: WorkPlan) -> None:
    # Shard 2 tears down one write before it writes its result.
    attempt = _stage(plan, "test-linux-shard-2").attempts[0]
    teardown = next(
        t for t in attempt.transitions if t.state == AS.STAGE_ATTEMPT_STATE_TEARING_DOWN
    )
    teardown.revision.number -= 1
    for m in messages(_stage(plan, "test-linux-shard-2")):
        if isinstance(m, StageEdit) and m.revision.number == 33:
            m.revision.number = 32


def _crash_reported_by_the_lost_attempt(plan: WorkPlan) -> None:
    stage = _stage(plan, "build-android")
    edit = next(e for e in stage.edits if e.revision.number == 11)
    edit.actor.stage_attempt.CopyFrom(stage.attempts[0].id)


def _scheduled_without_edit(plan: WorkPlan) -> None:
    stage = _stage(plan, "build-linux")
    del stage.edits[2]  # r7: SCHEDULED
    for i, edit in enumerate(stage.edits):
        edit.id.number = i + 1


def _old_awaiting_retry(plan: WorkPlan) -> None:
    # The failed attempt itself ends AWAITING_RETRY, the retry starts PENDING.
    stage = _stage(plan, "build-android")
    first, second = stage.attempts
    first.transitions[-1].state = first.state = AS.STAGE_ATTEMPT_STATE_AWAITING_RETRY
    del second.transitions[0]


def _dangling_dependency(plan: WorkPlan) -> None:
    _check(plan, "build/linux").dependencies.edges[0].target.check.id = "sources"


def _first_shard_finalizes(plan: WorkPlan) -> None:
    check = _check(plan, "test/linux-unit")
    at = next(i for i, e in enumerate(check.edits) if e.revision.number == 31)
    edit = check.edits[at]
    edit.state = CheckState.CHECK_STATE_FINAL
    check.conclusion.CopyFrom(
        CheckConclusion(
            reason=CheckConclusion.Reason.REASON_FINALIZED, actor=edit.actor, revision=edit.revision
        )
    )
    del check.edits[at + 1 :]
    check.update_revision.CopyFrom(edit.revision)


def _options_changed_while_waiting(plan: WorkPlan) -> None:
    check = _check(plan, "test/linux-unit")
    edit = next(e for e in check.edits if e.revision.number == 31)
    edit.changed_fields.paths.append("options")


def _retried_beyond_budget(plan: WorkPlan) -> None:
    budget = _stage(plan, "build-android").execution_policy.retry.budgets
    lost = next(b for b in budget if b.kind == FailureKind.FAILURE_KIND_LOST)
    lost.retries = 0


def _no_conclusion(plan: WorkPlan) -> None:
    _check(plan, "test/android-unit").ClearField("conclusion")


def _update_revision_not_the_last_edit(plan: WorkPlan) -> None:
    _stage(plan, "build-linux").update_revision.number -= 1


def _assigned_a_missing_check(plan: WorkPlan) -> None:
    _stage(plan, "build-linux").assignments[0].check.id = "build/nowhere"


def _edit_for_one_edge(plan: WorkPlan) -> None:
    # test-linux's edge to test/linux-unit resolves at r2, its group at r15.
    stage = _stage(plan, "test-linux")
    edit = StageEdit()
    edit.CopyFrom(stage.edits[0])
    edit.actor.Clear()
    edit.actor.orchestrator.SetInParent()
    edit.revision.number = 2
    edit.revision.commit_time.seconds += 1
    edit.ClearField("reasons")
    edit.changed_fields.paths[:] = ["dependencies"]
    stage.edits.insert(1, edit)
    for i, e in enumerate(stage.edits):
        e.id.number = i + 1


def _shard_waits_for_its_planners_check(plan: WorkPlan) -> None:
    # Shard 1 is in test-linux's group and would wait for test/linux-unit to
    # be FINAL, which waits for test-linux (assigned it with goal FINAL).
    shard = _stage(plan, "test-linux-shard-1")
    unit = _check(plan, "test/linux-unit")
    shard.dependencies.edges.add().target.check.CopyFrom(unit.id)


def _retry_delay_ignored(plan: WorkPlan) -> None:
    # The policy asks for 2 minutes; attempt 2 became PENDING after 30s.
    _stage(plan, "build-android").execution_policy.retry.delay.seconds = 120


def _retry_born_a_write_late(plan: WorkPlan) -> None:
    born = _stage(plan, "test-android").attempts[1].transitions[0]
    born.revision.number += 1
    born.revision.commit_time.seconds += 1


def _run_timeout_shorter_than_the_runs(plan: WorkPlan) -> None:
    # Both attempts ran 900s before the timeout cancelled them.
    _stage(plan, "test-android").execution_policy.timeouts.run.seconds = 600


def _timed_out_before_the_timeout(plan: WorkPlan) -> None:
    _stage(plan, "test-android").execution_policy.timeouts.run.seconds = 1800


def _cancelled_conclusion_without_a_cancel(plan: WorkPlan) -> None:
    _check(plan, "test/android-unit").conclusion.reason = CheckConclusion.Reason.REASON_CANCELLED


def _executor_picks_the_failure_kind(plan: WorkPlan) -> None:
    _stage(plan, "test-android").attempts[0].failure.kind = FailureKind.FAILURE_KIND_CRASHED


def _unknown_digest_algorithm(plan: WorkPlan) -> None:
    _stage(plan, "build-linux").args.digest.algorithm = 7  # type: ignore[assignment]


def _group_member_made_by_another_stage(plan: WorkPlan) -> None:
    creation = _stage(plan, "test-linux-shard-1").edits[0]
    creation.actor.stage_attempt.CopyFrom(_stage(plan, "build-linux").attempts[0].id)


BROKEN = {
    "revisions out of time order": (_swap_times, revisions_grow_with_time),
    "result written after TEARING_DOWN": (_result_after_teardown, writes_land_in_allowed_states),
    "lost attempt authors its own end": (
        _crash_reported_by_the_lost_attempt,
        writes_land_in_allowed_states,
    ),
    "SCHEDULED without an edit": (_scheduled_without_edit, histories_follow_the_lifecycles),
    "AWAITING_RETRY as an end state": (_old_awaiting_retry, histories_follow_the_lifecycles),
    "edge to a missing check": (_dangling_dependency, dependencies_resolve),
    "first shard finalizes the check": (_first_shard_finalizes, checks_conclude),
    "options written while WAITING": (
        _options_changed_while_waiting,
        writes_land_in_allowed_states,
    ),
    "retry beyond the budget": (_retried_beyond_budget, retries_follow_the_policy),
    "FINAL check without a conclusion": (_no_conclusion, checks_conclude),
    "update_revision not the last edit's": (
        _update_revision_not_the_last_edit,
        edits_are_consistent,
    ),
    "assigned a check not in the workplan": (_assigned_a_missing_check, references_resolve),
    "group member created by another stage": (
        _group_member_made_by_another_stage,
        groups_hold_the_stage,
    ),
    "an edit for one edge's resolution": (_edit_for_one_edge, edits_are_consistent),
    "a group member waits for its planner's check": (
        _shard_waits_for_its_planners_check,
        nobody_waits_in_circles,
    ),
    "retry delay ignored": (_retry_delay_ignored, retries_are_born_and_wait),
    "retry born a write after the failure": (_retry_born_a_write_late, retries_are_born_and_wait),
    "run timeout shorter than the runs": (_run_timeout_shorter_than_the_runs, run_timeouts_hold),
    "cancelled before the run timeout": (_timed_out_before_the_timeout, run_timeouts_hold),
    "REASON_CANCELLED, never cancelled": (
        _cancelled_conclusion_without_a_cancel,
        cancels_are_owned,
    ),
    "failure kind other than the cancel cause": (
        _executor_picks_the_failure_kind,
        cancels_are_owned,
    ),
    "unknown digest algorithm": (_unknown_digest_algorithm, digests_name_their_algorithm),
}


def _cancelled_attempt_completes(plan: WorkPlan) -> None:
    attempt = _stage(plan, "test-shard-1").attempts[0]
    attempt.state = attempt.transitions[-1].state = AS.STAGE_ATTEMPT_STATE_COMPLETE
    attempt.ClearField("failure")


def _cancelled_without_a_cause(plan: WorkPlan) -> None:
    _stage(plan, "test-shard-0").attempts[0].ClearField("cancel_cause")


def _stage_changed_after_the_cancel(plan: WorkPlan) -> None:
    # Shard 0's attempt changes its stage's assignments while tearing down.
    _stage(plan, "test-shard-0").edits[-1].changed_fields.paths.append("assignments")


def _checks_cancelled_before_the_cancel(plan: WorkPlan) -> None:
    plan.cancellation.revision.number -= 1


def _start_timeout_reported_by_the_executor(plan: WorkPlan) -> None:
    stage = _stage(plan, "binary-size")
    edit = next(e for e in stage.edits if e.revision.number == 16)
    edit.actor.stage_attempt.CopyFrom(stage.attempts[0].id)


def _retry_before_its_delay(plan: WorkPlan) -> None:
    _stage(plan, "test-planner").execution_policy.retry.delay.seconds = 60


BROKEN_CANCELLED = {
    "COMPLETE after a cancel": (_cancelled_attempt_completes, cancels_are_owned),
    "CANCELLING without a cause": (_cancelled_without_a_cause, cancels_are_owned),
    "a stage changed after the cancel": (_stage_changed_after_the_cancel, cancels_are_owned),
    "REASON_CANCELLED outside the cancel's write": (
        _checks_cancelled_before_the_cancel,
        cancels_are_owned,
    ),
    "START_TIMEOUT of an unavailable executor authored by the attempt": (
        _start_timeout_reported_by_the_executor,
        writes_land_in_allowed_states,
    ),
    "planner retried before its delay": (_retry_before_its_delay, retries_are_born_and_wait),
}


def test_every_promise_is_shown_to_catch_something() -> None:
    shown = {promise.__name__ for _, promise in BROKEN.values()}
    assert shown == {promise.__name__ for promise in PROMISES}


@pytest.mark.parametrize(
    ("example", "case"),
    [(PRESUBMIT, case) for case in sorted(BROKEN)]
    + [(CANCELLED, case) for case in sorted(BROKEN_CANCELLED)],
    ids=lambda v: v.stem if isinstance(v, Path) else v,
)
def test_promises_catch_a_broken_example(example: Path, case: str) -> None:
    breaks, promise = (BROKEN if example == PRESUBMIT else BROKEN_CANCELLED)[case]
    plan = load(example)
    assert promise(plan) == []
    breaks(plan)
    assert promise(plan), f"{promise.__name__} misses: {case}"


def test_cancelled_example_shows_the_interesting_cases() -> None:
    plan = load(CANCELLED)
    assert plan.HasField("cancellation") and not plan.HasField("finish_revision"), (
        "a cancelled workplan that is not finished yet"
    )
    tearing_down = [
        a
        for s in plan.stages
        for a in s.attempts
        if a.state == AS.STAGE_ATTEMPT_STATE_TEARING_DOWN
        and a.cancel_cause.kind == FailureKind.FAILURE_KIND_CANCELLED
    ]
    assert tearing_down, "an attempt still tearing down after the cancel"
    never_accepted = [
        a
        for s in plan.stages
        for a in s.attempts
        if [t.state for t in a.transitions]
        == [AS.STAGE_ATTEMPT_STATE_PENDING, AS.STAGE_ATTEMPT_STATE_INCOMPLETE]
        and a.failure.kind == FailureKind.FAILURE_KIND_START_TIMEOUT
    ]
    assert never_accepted, "a stage whose executor is unavailable"
    planners = [
        s
        for s in plan.stages
        if len(s.attempts) > 1
        and s.attempts[0].state == AS.STAGE_ATTEMPT_STATE_INCOMPLETE
        and any(
            _stage(plan, m.id).edits[0].actor.stage_attempt == s.attempts[0].id
            for m in s.group_stages
        )
    ]
    assert planners, "a planner that fails after creating its group's stages, and is retried"


def test_presubmit_example_shows_the_interesting_cases() -> None:
    plan = load(PRESUBMIT)
    reasons = {c.conclusion.reason for c in plan.checks}
    assert CheckConclusion.Reason.REASON_STAGES_FAILED in reasons, (
        "a check whose stage ran out of retries"
    )
    assert CheckConclusion.Reason.REASON_STAGES_ENDED in reasons, (
        "a sharded check the orchestrator finalizes"
    )
    skipped = "type.googleapis.com/turboci.data.common.v1.SkippedCheckResult"
    assert any(d.type_url == skipped for c in plan.checks for r in c.results for d in r.data)
    assert any(
        StageState.STAGE_STATE_AWAITING_GROUP in [e.state for e in s.edits] for s in plan.stages
    )
    states = {t.state for s in plan.stages for a in s.attempts for t in a.transitions}
    for state in (
        AS.STAGE_ATTEMPT_STATE_AWAITING_RETRY,
        AS.STAGE_ATTEMPT_STATE_THROTTLED,
        AS.STAGE_ATTEMPT_STATE_CANCELLING,
        AS.STAGE_ATTEMPT_STATE_TEARING_DOWN,
    ):
        assert state in states, AS.Name(state)
    retried_and_failed = [
        s
        for s in plan.stages
        if len(s.attempts) > 1 and s.attempts[-1].state == AS.STAGE_ATTEMPT_STATE_INCOMPLETE
    ]
    assert retried_and_failed, "a stage that is retried and still fails"
    assert any(
        values.find([s.args], plan.value_data, test_stage_args_pb2.TestStageArgs)
        for s in plan.stages
    ), "test stages, whose args name a build check"
    assert plan.HasField("finish_revision"), "a finished workplan, whose nodes are all FINAL"


# ---------------------------------------------------------------- values and IDs


def test_test_stage_args_point_at_build_checks(plan: WorkPlan) -> None:
    # A reference inside a value may leave work_plan unset: "this workplan"
    # (turboci.graph.ids.v1.Identifier).
    checks = {name(c.id): c for c in plan.checks}
    for stage in plan.stages:
        args = values.find([stage.args], plan.value_data, test_stage_args_pb2.TestStageArgs)
        if args is not None:
            if not args.build.HasField("work_plan"):
                args.build.work_plan.CopyFrom(plan.id)
            assert name(args.build) in checks


def test_ids_belong_to_the_workplan_and_round_trip(plan: WorkPlan) -> None:
    names: list[str] = []

    def visit(message: Message) -> None:
        for field, value in message.ListFields():
            if field.message_type is None:
                continue
            items = value if field.is_repeated else [value]
            if field.message_type.GetOptions().map_entry:
                items = list(value.values())
            for item in items:
                if isinstance(item, (CheckId, StageId)):
                    names.append(name(item))
                    assert item.work_plan == plan.id, name(item)
                if isinstance(item, Any):
                    continue
                visit(item)

    visit(plan)
    for text in names:
        assert ids.format(ids.parse(text)) == text
    node_ids = [name(n.id) for n in all_nodes(plan)]
    assert len(node_ids) == len(set(node_ids)), "node IDs must be unique"


def _digest_of(packed: Any) -> tuple[str, int]:
    cls = symbol_database.Default().GetSymbol(packed.type_url.rsplit("/", 1)[-1])
    inner = cls()
    assert packed.Unpack(inner)
    digest = values.digest(inner)
    return digest.sha256, digest.size_bytes


def test_values_resolve_and_digests_match(plan: WorkPlan) -> None:
    for key, data in plan.value_data.items():
        assert data.WhichOneof("data") == "binary", key
        sha, _ = _digest_of(data.binary)
        assert key == sha, f"value_data key {key} should be {sha} ({data.binary.type_url})"
    used: set[str] = set()
    for ref in value_refs(plan):
        key = ref.digest.sha256
        if ref.HasField("omitted"):
            assert key not in plan.value_data, f"{key} is omitted but present"
            continue
        assert key in plan.value_data, f"{ref.type_url} {key} is not in value_data"
        packed = plan.value_data[key].binary
        assert ref.type_url == packed.type_url, key
        assert ref.digest.size_bytes == _digest_of(packed)[1], f"size of {key}"
        used.add(key)
    assert used == set(plan.value_data), f"unreferenced values: {set(plan.value_data) - used}"


def test_finished_workplan_has_only_final_nodes(plan: WorkPlan) -> None:
    if not plan.HasField("finish_revision"):
        return
    assert all(c.state == CheckState.CHECK_STATE_FINAL for c in plan.checks)
    assert all(s.state == StageState.STAGE_STATE_FINAL for s in plan.stages)
    assert plan.finish_revision.number <= plan.revision.number
