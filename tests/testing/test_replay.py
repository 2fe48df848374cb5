# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""examples/presubmit_workplan.txtpb, rebuilt through the RPCs.

The launcher, the executors and the reader are played by this test over
real gRPC, each at the second the example's story says; the reference makes
every move of its own. The workplan read at the end must equal the example
node by node and edit by edit, revision numbers and times included. What the
writers send (values, policies, process IDs, view URLs) is taken from the
example itself; everything the orchestrator decides is compared.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import symbol_database
from google.protobuf import text_format
from google.protobuf.any_pb2 import Any as AnyProto
from google.protobuf.message import Message
from turboci.graph.executor.v1.cancel_stage_response_pb2 import CancelStageResponse
from turboci.graph.executor.v1.run_stage_response_pb2 import RunStageResponse
from turboci.graph.executor.v1.validate_stage_response_pb2 import ValidateStageResponse
from turboci.graph.ids.v1.check_id_pb2 import CheckId
from turboci.graph.ids.v1.stage_id_pb2 import StageId
from turboci.graph.orchestrator.v1.actor_pb2 import Actor
from turboci.graph.orchestrator.v1.assignment_pb2 import Assignment
from turboci.graph.orchestrator.v1.check_state_pb2 import CheckState
from turboci.graph.orchestrator.v1.check_write_pb2 import CheckWrite
from turboci.graph.orchestrator.v1.create_work_plan_request_pb2 import CreateWorkPlanRequest
from turboci.graph.orchestrator.v1.dependency_group_pb2 import DependencyGroup
from turboci.graph.orchestrator.v1.read_work_plan_request_pb2 import ReadWorkPlanRequest
from turboci.graph.orchestrator.v1.stage_attempt_state_pb2 import StageAttemptState
from turboci.graph.orchestrator.v1.stage_attempt_write_pb2 import StageAttemptWrite
from turboci.graph.orchestrator.v1.stage_write_pb2 import StageWrite
from turboci.graph.orchestrator.v1.value_ref_pb2 import ValueRef
from turboci.graph.orchestrator.v1.value_selection_pb2 import ValueSelection
from turboci.graph.orchestrator.v1.value_write_pb2 import ValueWrite
from turboci.graph.orchestrator.v1.work_plan_pb2 import WorkPlan
from turboci.graph.orchestrator.v1.write_nodes_request_pb2 import WriteNodesRequest
from turboci.stages.build.v1.build_stage_args_pb2 import BuildStageArgs
from turboci.stages.source.v1.resolve_source_stage_args_pb2 import ResolveSourceStageArgs
from turboci.testing import Reference
from turboci.utils import value
from turboci.utils.value import type_url_of

from tests.api.support import import_all_stubs
from turboci.graph.executor.v1 import turbo_ci_stage_executor_service_pb2_grpc as executor_grpc
from turboci.stages.test.v1 import test_stage_args_pb2

import_all_stubs()  # the example's values name types of every package
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "presubmit_workplan.txtpb"
A = StageAttemptState
LAUNCHER = (("turboci-service", "presubmit-launcher@turboci-example.iam.gserviceaccount.com"),)
READER = (("turboci-user", "reader@example.com"),)
HIDDEN_REALM = "chromium:internal"
HEARTBEAT = 60


def _signing_config() -> AnyProto:
    """The option of the hidden realm: a type this repository does not know,
    so it is kept and digested as sent (fields 1 and 2, both strings)."""
    key, keyring = b"android-release-2026", b"projects/chromium/keyrings/release"
    data = b"\n" + bytes([len(key)]) + key + b"\x12" + bytes([len(keyring)]) + keyring
    return AnyProto(type_url="type.googleapis.com/example.internal.SigningConfig", value=data)


SIGNING_CONFIG = _signing_config()


def load(path: Path) -> WorkPlan:
    plan = WorkPlan()
    text_format.Parse(path.read_text(), plan)
    return plan


class Reader:
    """Everyone may do everything, except that the example's reader may not
    see the values of the hidden realm."""

    def allowed(self, principal: Actor, permission: str, realm: str) -> bool:
        return not (principal.user == "reader@example.com" and realm == HIDDEN_REALM)


# ---------------------------------------------------------------- the executor


@dataclass
class Attempt:
    token: str = ""
    cancelled: bool = False


class StoryExecutor(executor_grpc.TurboCIStageExecutorServicer):
    """Answers RunStage a second after it is sent, with the view URL of the
    example; the test plays the attempts' work with the tokens it keeps."""

    def __init__(self, ref: Reference, example: WorkPlan) -> None:
        self.ref = ref
        self.attempts: dict[str, Attempt] = {}
        self.throttle_once = {"test-android:1"}
        self.view_urls = {
            f"{s.id.id}:{a.id.number}": a.view_url for s in example.stages for a in s.attempts
        }
        # The executor narrows what was asked to what it runs (ValidateStage).
        self.policies = {
            s.id.id: s.execution_policy
            for s in example.stages
            if s.HasField("requested_execution_policy")
            and s.requested_execution_policy != s.execution_policy
        }

    def ValidateStage(self, request, context):  # type: ignore[no-untyped-def]  # noqa: N802
        policy = self.policies.get(request.stage.id)
        return ValidateStageResponse(execution_policy=policy) if policy else ValidateStageResponse()

    def RunStage(self, request, context):  # type: ignore[no-untyped-def]  # noqa: N802
        self.ref.clock.advance(1)
        key = f"{request.attempt.stage.id}:{request.attempt.number}"
        if key in self.throttle_once:
            self.throttle_once.discard(key)
            context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, "the pool is full")
        self.attempts[key] = Attempt(request.stage_attempt_token)
        return RunStageResponse(view_url=self.view_urls[key])

    def CancelStage(self, request, context):  # type: ignore[no-untyped-def]  # noqa: N802
        self.attempts[f"{request.attempt.stage.id}:{request.attempt.number}"].cancelled = True
        return CancelStageResponse()


# ---------------------------------------------------------------- the story


class Story:
    def __init__(self, ref: Reference, example: WorkPlan, executor: StoryExecutor) -> None:
        self.ref, self.example, self.executor = ref, example, executor
        self.t0 = example.create_revision.commit_time.seconds
        self.wp = example.id
        # Attempts whose executor heartbeats, and until when.
        self.beating: dict[str, float] = {}

    # -- values and nodes of the example

    def value(self, ref: ValueRef) -> ValueWrite:
        if ref.type_url == SIGNING_CONFIG.type_url:
            out = ValueWrite(value=SIGNING_CONFIG)
        else:
            # Parsed from text, an Any's bytes need not be canonical: pack again.
            packed = self.example.value_data[ref.digest.sha256].binary
            message = symbol_database.Default().GetSymbol(packed.type_url.rsplit("/", 1)[-1])()
            packed.Unpack(message)
            out = ValueWrite(value=value.pack(message))
        if ref.realm:
            out.realm = ref.realm
        return out

    def check(self, name: str) -> Any:
        return next(c for c in self.example.checks if c.id.id == name)

    def stage(self, name: str) -> Any:
        return next(s for s in self.example.stages if s.id.id == name)

    def attempt(self, key: str) -> Any:
        name, number = key.rsplit(":", 1)
        return self.stage(name).attempts[int(number) - 1]

    @staticmethod
    def group(deps: DependencyGroup) -> DependencyGroup:
        """A written dependency group: edges and mode, nothing resolved."""
        out = DependencyGroup(mode=deps.mode)
        for e in deps.edges:
            edge = out.edges.add(condition=e.condition)
            edge.target.check.id = e.target.check.id
        return out

    def check_write(self, name: str) -> CheckWrite:
        c = self.check(name)
        out = CheckWrite(
            id=CheckId(id=name),
            kind=c.kind,
            options=[self.value(o) for o in c.options],
            state=CheckState.CHECK_STATE_PLANNED,
        )
        if c.HasField("dependencies"):
            out.dependencies.CopyFrom(self.group(c.dependencies))
        return out

    def stage_write(self, name: str) -> StageWrite:
        s = self.stage(name)
        policy = (
            s.requested_execution_policy
            if s.HasField("requested_execution_policy")
            else s.execution_policy
        )
        out = StageWrite(
            id=StageId(id=name),
            args=self.value(s.args),
            execution_policy=policy,
            assignments=[Assignment(check=CheckId(id=a.check.id)) for a in s.assignments],
        )
        if s.HasField("dependencies"):
            out.dependencies.CopyFrom(self.group(s.dependencies))
        return out

    def reasons(self, node: Any, edit: int) -> list[ValueWrite]:
        return [self.value(r) for r in node.edits[edit].reasons]

    # -- time

    def at(self, offset: float) -> None:
        """Move to t0 + offset, sending the heartbeats due on the way."""
        target = self.t0 + offset
        while True:
            due = [
                (when, key)
                for key, until in self.beating.items()
                if (when := self._next_beat(key)) <= min(target, until)
            ]
            if not due:
                break
            when, key = min(due)
            self.ref.clock.advance_to(when)
            self._write(key, current_attempt=StageAttemptWrite())
        self.ref.clock.advance_to(target)

    def _next_beat(self, key: str) -> float:
        snap = self.ref.orchestrator.snapshot(self.wp.id)
        name, number = key.rsplit(":", 1)
        stage = next(s for s in snap.stages if s.id.id == name)
        return stage.attempts[int(number) - 1].heartbeat_time.seconds + HEARTBEAT

    def tick(self, offset: float) -> None:
        self.at(offset)
        assert self.ref.tick(), f"the orchestrator had nothing to do at +{offset}s"

    def deadline(self, offset: float) -> None:
        """Step the clock to the next deadline, which must be at t0 + offset."""
        self.at(offset - 1)
        when = self.ref.advance_to_next_deadline()
        assert when == self.t0 + offset, f"next deadline at {when}, the story says +{offset}s"
        assert self.ref.tick()

    # -- the attempts' writes

    def _write(self, key: str, **kw: Any) -> None:
        request = WriteNodesRequest(
            work_plan=self.wp, stage_attempt_token=self.executor.attempts[key].token, **kw
        )
        self.ref.stub.WriteNodes(request)

    def claim(self, offset: float, key: str) -> None:
        self.at(offset)
        process_id = self.attempt(key).process_id
        self._write(
            key,
            current_attempt=StageAttemptWrite(
                state=A.STAGE_ATTEMPT_STATE_RUNNING, process_id=process_id
            ),
        )
        self.beating[key] = float("inf")

    def report(self, offset: float, key: str, state: int = 0, **kw: Any) -> None:
        self.at(offset)
        report = StageAttemptWrite(state=state) if state else StageAttemptWrite()  # type: ignore[arg-type]
        self._write(key, current_attempt=report, **kw)
        if state in (A.STAGE_ATTEMPT_STATE_COMPLETE, A.STAGE_ATTEMPT_STATE_INCOMPLETE):
            self.beating.pop(key, None)

    def result(self, check: str, number: int, **kw: Any) -> CheckWrite:
        data = self.check(check).results[number - 1].data
        return CheckWrite(id=CheckId(id=check), results=[self.value(d) for d in data], **kw)


def play(ref: Reference, example: WorkPlan, executor: StoryExecutor) -> None:
    s = Story(ref, example, executor)
    final = CheckState.CHECK_STATE_FINAL
    launcher_checks = [c.id.id for c in example.checks if c.edits[0].actor.service]
    launcher_stages = [st.id.id for st in example.stages if st.edits[0].actor.service]
    s.at(0)
    ref.stub.CreateWorkPlan(
        CreateWorkPlanRequest(
            workflow=example.workflow,
            realm=example.realm,
            checks=[s.check_write(c) for c in launcher_checks],
            stages=[s.stage_write(st) for st in launcher_stages],
            reasons=s.reasons(s.check("source"), 0),
        ),
        metadata=LAUNCHER,
    )
    s.tick(1)  # source WAITING, resolve-source ATTEMPTING; RunStage answered at +2
    s.claim(10, "resolve-source:1")
    s.report(
        25,
        "resolve-source:1",
        A.STAGE_ATTEMPT_STATE_COMPLETE,
        checks=[s.result("source", 1, state=final)],
    )
    s.tick(26)  # both builds start; RunStage answered
    s.claim(60, "build-linux:1")
    s.claim(75, "build-android:1")
    s.beating["build-android:1"] = s.t0 + 795  # its machine goes away
    s.deadline(915)  # two heartbeats missed: LOST, retry AWAITING_RETRY
    s.deadline(945)  # the retry delay: PENDING, RunStage answered
    s.claim(1000, "build-android:2")
    s.report(
        1320,
        "build-linux:1",
        A.STAGE_ATTEMPT_STATE_COMPLETE,
        checks=[s.result("build/linux", 1, state=final)],
    )
    s.tick(1321)
    s.claim(1350, "test-linux:1")
    shards = [s.stage_write(n) for n in ("test-linux-shard-1", "test-linux-shard-2")]
    for w in shards:
        w.join_group = True
    s.report(
        1380,
        "test-linux:1",
        A.STAGE_ATTEMPT_STATE_COMPLETE,
        stages=shards,
        checks=[s.result("test/linux-browser", 1, state=final)],
        reasons=s.reasons(s.check("test/linux-browser"), 2),
    )
    s.tick(1381)
    s.claim(1410, "test-linux-shard-1:1")
    s.claim(1415, "test-linux-shard-2:1")
    s.report(
        1500,
        "build-android:2",
        A.STAGE_ATTEMPT_STATE_COMPLETE,
        checks=[s.result("build/android", 1, state=final)],
    )
    s.tick(1501)  # test-android starts and is THROTTLED
    s.tick(1620)  # the pool has room: PENDING again, RunStage answered
    s.claim(1680, "test-android:1")
    s.report(
        1900,
        "test-linux-shard-1:1",
        A.STAGE_ATTEMPT_STATE_COMPLETE,
        checks=[s.result("test/linux-unit", 1, finalize_result=True)],
    )
    s.tick(1901)
    s.report(
        1960,
        "test-linux-shard-2:1",
        A.STAGE_ATTEMPT_STATE_TEARING_DOWN,
        checks=[s.result("test/linux-unit", 2, finalize_result=True)],
    )
    s.report(1980, "test-linux-shard-2:1", A.STAGE_ATTEMPT_STATE_COMPLETE)
    s.tick(1981)
    s.deadline(2580)  # the run timeout: CANCELLING, CancelStage sent
    assert executor.attempts["test-android:1"].cancelled
    s.report(2590, "test-android:1", checks=[s.result("test/android-unit", 1)])
    s.report(2600, "test-android:1", A.STAGE_ATTEMPT_STATE_TEARING_DOWN)
    s.report(2640, "test-android:1", A.STAGE_ATTEMPT_STATE_INCOMPLETE)
    s.tick(2651)  # a round after the retry delay: PENDING, RunStage answered
    s.claim(2700, "test-android:2")
    s.deadline(3600)
    s.report(3610, "test-android:2", checks=[s.result("test/android-unit", 2)])
    s.report(3611, "test-android:2", A.STAGE_ATTEMPT_STATE_INCOMPLETE)
    s.tick(3612)  # the budget is spent: the check ends STAGES_FAILED


# ---------------------------------------------------------------- comparing


def _text(message: Message) -> list[str]:
    return text_format.MessageToString(message).splitlines()


def differences(got: WorkPlan, want: WorkPlan) -> list[str]:
    """Each differing node, edit or header field, as a unified diff."""
    out: list[str] = []

    def compare(what: str, a: Message | None, b: Message | None) -> None:
        if a == b:
            return
        diff = difflib.unified_diff(
            _text(b) if b is not None else ["(missing)"],
            _text(a) if a is not None else ["(missing)"],
            "example",
            "replayed",
            lineterm="",
        )
        out.append(f"{what} differs:\n" + "\n".join(diff))

    for field in (
        "id",
        "workflow",
        "realm",
        "creator",
        "create_revision",
        "revision",
        "finish_revision",
    ):
        compare(field, getattr(got, field), getattr(want, field))
    for kind in ("checks", "stages"):
        got_nodes = {n.id.id: n for n in getattr(got, kind)}
        want_nodes = {n.id.id: n for n in getattr(want, kind)}
        for name in sorted(
            set(got_nodes) | set(want_nodes), key=lambda n: (n not in want_nodes, n)
        ):
            a, b = got_nodes.get(name), want_nodes.get(name)
            if a is not None and b is not None:
                for i in range(max(len(a.edits), len(b.edits))):
                    compare(
                        f"{kind} {name} edit {i + 1}",
                        a.edits[i] if i < len(a.edits) else None,
                        b.edits[i] if i < len(b.edits) else None,
                    )
                a, b = _without_edits(a), _without_edits(b)
            compare(f"{kind} {name}", a, b)
    for key in sorted(set(got.value_data) | set(want.value_data)):
        # Compared as messages: bytes parsed from text need not be canonical.
        compare(f"value_data {key}", _unpacked(got, key), _unpacked(want, key))
    return out


def _unpacked(plan: WorkPlan, key: str) -> Message | None:
    if key not in plan.value_data:
        return None
    packed = plan.value_data[key].binary
    message = symbol_database.Default().GetSymbol(packed.type_url.rsplit("/", 1)[-1])()
    packed.Unpack(message)
    return message


def _without_edits(node: Any) -> Any:
    out = type(node)()
    out.CopyFrom(node)
    out.ClearField("edits")
    return out


def replayed(example: WorkPlan) -> WorkPlan:
    with Reference(authorizer=Reader(), work_plan_ids=lambda: example.id.id) as ref:
        executor = StoryExecutor(ref, example)
        server_address = _serve(ref, executor)
        types = [
            type_url_of(t)
            for t in (ResolveSourceStageArgs, BuildStageArgs, test_stage_args_pb2.TestStageArgs)
        ]
        ref.orchestrator.register_executor(types, server_address)
        play(ref, example, executor)
        request = ReadWorkPlanRequest(
            work_plan=example.id, values=ValueSelection(types=["*"]), include_edits=True
        )
        return ref.stub.ReadWorkPlan(request, metadata=READER).work_plan


def _serve(ref: Reference, executor: StoryExecutor) -> str:
    from concurrent import futures

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    executor_grpc.add_TurboCIStageExecutorServicer_to_server(executor, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    ref._servers.append(server)
    return f"127.0.0.1:{port}"


def test_the_presubmit_example_replays_node_by_node_and_edit_by_edit() -> None:
    example = load(EXAMPLE)
    diffs = differences(replayed(example), example)
    if diffs:
        pytest.fail(f"{len(diffs)} differences; the first:\n{diffs[0]}", pytrace=False)
