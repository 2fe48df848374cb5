"""The example workplans parse against the API and hang together.

Beyond parsing, the checks here are what a reader of the example relies on:
every reference (dependency edge, assignment, result owner, edit actor,
value digest) points at something that exists, and every node's history
follows the lifecycle documented on its state enum.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from google.protobuf import symbol_database
from google.protobuf import text_format
from google.protobuf.any_pb2 import Any
from google.protobuf.message import Message
from turboci.graph.ids.v1.check_id_pb2 import CheckId
from turboci.graph.ids.v1.stage_id_pb2 import StageId
from turboci.graph.orchestrator.v1.check_edit_pb2 import CheckEdit
from turboci.graph.orchestrator.v1.check_pb2 import Check
from turboci.graph.orchestrator.v1.check_state_pb2 import CheckState
from turboci.graph.orchestrator.v1.dependency_group_pb2 import DependencyGroup
from turboci.graph.orchestrator.v1.edge_pb2 import Edge
from turboci.graph.orchestrator.v1.resolution_pb2 import Resolution
from turboci.graph.orchestrator.v1.stage_attempt_state_pb2 import StageAttemptState
from turboci.graph.orchestrator.v1.stage_pb2 import Stage
from turboci.graph.orchestrator.v1.stage_state_pb2 import StageState
from turboci.graph.orchestrator.v1.value_ref_pb2 import ValueRef
from turboci.graph.orchestrator.v1.work_plan_pb2 import WorkPlan
from turboci.utils import ids
from turboci.utils import value as values

from tests.api.support import EXAMPLES
from tests.api.support import import_all_stubs
from turboci.stages.test.v1 import test_stage_args_pb2

import_all_stubs()

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.txtpb"))
ENDED = {
    "STAGE_ATTEMPT_STATE_COMPLETE",
    "STAGE_ATTEMPT_STATE_INCOMPLETE",
    "STAGE_ATTEMPT_STATE_AWAITING_RETRY",
}


def load(path: Path) -> WorkPlan:
    return text_format.Parse(path.read_text(encoding="utf-8"), WorkPlan())


@pytest.fixture(params=EXAMPLE_FILES, ids=lambda p: p.name)
def plan(request: pytest.FixtureRequest) -> WorkPlan:
    path: Path = request.param
    return load(path)


def test_presubmit_example_exists() -> None:
    assert EXAMPLES / "presubmit_workplan.txtpb" in EXAMPLE_FILES


def all_nodes(plan: WorkPlan) -> list[Check | Stage]:
    return [*plan.checks, *plan.stages]


def edges(group: DependencyGroup) -> Iterator[Edge]:
    yield from group.edges
    for sub in group.groups:
        yield from edges(sub)


def value_refs(message: Message) -> Iterator[ValueRef]:
    """Every ValueRef anywhere inside message, value_data excluded."""
    for field, value in message.ListFields():
        if field.message_type is None or field.message_type.GetOptions().map_entry:
            continue
        items = value if field.is_repeated else [value]
        for item in items:
            if isinstance(item, ValueRef):
                yield item
            else:
                yield from value_refs(item)


def test_dependency_edges_resolve(plan: WorkPlan) -> None:
    checks = {ids.format(c.id) for c in plan.checks}
    stages = {ids.format(s.id) for s in plan.stages}
    seen = 0
    for node in all_nodes(plan):
        for edge in edges(node.dependencies):
            kind = edge.target.WhichOneof("type")
            target = ids.format(edge.target)
            assert kind in ("check", "stage"), f"{ids.format(node.id)}: edge to a {kind}"
            assert target in (checks if kind == "check" else stages), (
                f"{ids.format(node.id)} depends on {target}, which is not in the workplan"
            )
            assert target != ids.format(node.id), f"{target} depends on itself"
            seen += 1
    assert seen, "the example should show dependencies"


def test_node_references_resolve(plan: WorkPlan) -> None:
    checks = {ids.format(c.id) for c in plan.checks}
    attempts = {ids.format(a.id) for s in plan.stages for a in s.attempts}
    for stage in plan.stages:
        for assigned in stage.assignments:
            assert ids.format(assigned) in checks, f"{ids.format(stage.id)}: {assigned}"
        for member in stage.group:
            assert member in [s.id for s in plan.stages]
    for check in plan.checks:
        for result in check.results:
            owner = ids.format(result.owner)
            assert owner in attempts, f"{ids.format(result.id)}: owner {owner} not found"
            owner_stage = next(s for s in plan.stages if s.id == result.owner.stage)
            assert check.id in owner_stage.assignments, (
                f"{owner} wrote {ids.format(check.id)} without being assigned to it"
            )
    for node in all_nodes(plan):
        for edit in node.edits:
            if edit.actor.HasField("stage_attempt"):
                assert ids.format(edit.actor.stage_attempt) in attempts


def test_test_stage_args_point_at_build_checks(plan: WorkPlan) -> None:
    checks = {ids.format(c.id): c for c in plan.checks}
    for stage in plan.stages:
        args = values.find([stage.args], plan.value_data, test_stage_args_pb2.TestStageArgs)
        if args is not None:
            assert ids.format(args.build) in checks


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
                    names.append(ids.format(item))
                    assert item.work_plan == plan.id, ids.format(item)
                if isinstance(item, Any):
                    continue
                visit(item)

    visit(plan)
    for name in names:
        assert ids.format(ids.parse(name)) == name
    node_ids = [ids.format(n.id) for n in all_nodes(plan)]
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


def test_edits_are_numbered_and_ordered(plan: WorkPlan) -> None:
    for node in all_nodes(plan):
        name = ids.format(node.id)
        numbers = [e.id.number for e in node.edits]
        assert numbers == list(range(1, len(numbers) + 1)), name
        revisions = [e.revision.number for e in node.edits]
        assert revisions == sorted(revisions), name
        for edit in node.edits:
            edited = edit.id.check if isinstance(edit, CheckEdit) else edit.id.stage
            assert edited == node.id, ids.format(edit.id)
        if node.edits:
            assert node.edits[0].revision == node.create_revision, name
            assert node.edits[-1].revision == node.update_revision, name
            assert node.edits[-1].state == node.state, name
        assert node.update_revision.number <= plan.revision.number, name


def test_histories_follow_the_documented_lifecycles(
    plan: WorkPlan, lifecycles: dict[str, dict[str, set[str]]]
) -> None:
    def follows(enum: str, path: list[str], where: str) -> None:
        allowed = lifecycles[enum]
        assert path and path[0] in allowed, where
        for a, b in itertools.pairwise(path):
            assert a == b or b in allowed[a], f"{where}: {a} -> {b} is not documented"

    for check in plan.checks:
        path = [CheckState.Name(e.state) for e in check.edits]
        follows("CheckState", path, ids.format(check.id))
    for stage in plan.stages:
        path = [StageState.Name(e.state) for e in stage.edits]
        follows("StageState", path, ids.format(stage.id))
        for attempt in stage.attempts:
            steps = [StageAttemptState.Name(t.state) for t in attempt.transitions]
            where = ids.format(attempt.id)
            assert steps[0] == "STAGE_ATTEMPT_STATE_PENDING", where
            follows("StageAttemptState", steps, where)
            assert steps[-1] == StageAttemptState.Name(attempt.state), where
            times = [t.time.ToNanoseconds() for t in attempt.transitions]
            assert times == sorted(times), where


def test_attempts_and_retries_are_consistent(plan: WorkPlan) -> None:
    retried = 0
    for stage in plan.stages:
        where = ids.format(stage.id)
        numbers = [a.id.number for a in stage.attempts]
        assert numbers == list(range(1, len(numbers) + 1)), where
        for attempt in stage.attempts[:-1]:
            # Only a failure with retry budget left makes another attempt.
            assert attempt.state == StageAttemptState.STAGE_ATTEMPT_STATE_AWAITING_RETRY, where
            assert attempt.HasField("failure"), where
            retried += 1
        if stage.state == StageState.STAGE_STATE_FINAL and stage.attempts:
            assert StageAttemptState.Name(stage.attempts[-1].state) in ENDED, where
    assert retried, "the example should show a retried stage"


def test_finished_workplan_has_only_final_nodes(plan: WorkPlan) -> None:
    if not plan.HasField("finish_revision"):
        return
    assert all(c.state == CheckState.CHECK_STATE_FINAL for c in plan.checks)
    assert all(s.state == StageState.STAGE_STATE_FINAL for s in plan.stages)
    assert plan.finish_revision.number <= plan.revision.number


def test_resolved_edges_are_satisfied_by_their_targets(plan: WorkPlan) -> None:
    checks = {ids.format(c.id): c for c in plan.checks}
    for node in all_nodes(plan):
        for edge in edges(node.dependencies):
            target = ids.format(edge.target)
            if edge.target.HasField("check") and edge.resolution == Resolution.RESOLUTION_SATISFIED:
                check = checks[target]
                want = edge.condition.check_state or CheckState.CHECK_STATE_FINAL
                assert check.state >= want, f"{target} has not reached {CheckState.Name(want)}"
                have = {d.type_url for r in check.results for d in r.data}
                for type_url in edge.condition.result_types:
                    assert type_url in have, f"{target} has no {type_url} result"
