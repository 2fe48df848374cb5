# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The in-memory reference orchestrator: every RPC as a method that takes
the request and the caller and returns the answer or raises a Refusal."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from typing import TypeVar

import grpc
from google.protobuf.message import Message

from turboci.graph.executor.v1 import turbo_ci_stage_executor_service_pb2_grpc as executor_grpc
from turboci.graph.executor.v1.cancel_stage_request_pb2 import CancelStageRequest
from turboci.graph.executor.v1.run_stage_request_pb2 import RunStageRequest
from turboci.graph.executor.v1.validate_stage_request_pb2 import ValidateStageRequest
from turboci.graph.ids.v1.check_id_pb2 import CheckId
from turboci.graph.ids.v1.stage_id_pb2 import StageId
from turboci.graph.ids.v1.work_plan_id_pb2 import WorkPlanId
from turboci.graph.orchestrator.v1.actor_pb2 import Actor
from turboci.graph.orchestrator.v1.allocate_node_ids_request_pb2 import AllocateNodeIdsRequest
from turboci.graph.orchestrator.v1.allocate_node_ids_response_pb2 import AllocateNodeIdsResponse
from turboci.graph.orchestrator.v1.cancel_work_plan_request_pb2 import CancelWorkPlanRequest
from turboci.graph.orchestrator.v1.cancel_work_plan_response_pb2 import CancelWorkPlanResponse
from turboci.graph.orchestrator.v1.check_conclusion_pb2 import CheckConclusion
from turboci.graph.orchestrator.v1.check_state_pb2 import CheckState
from turboci.graph.orchestrator.v1.check_write_pb2 import CheckWrite
from turboci.graph.orchestrator.v1.completeness_pb2 import Completeness
from turboci.graph.orchestrator.v1.create_work_plan_request_pb2 import CreateWorkPlanRequest
from turboci.graph.orchestrator.v1.create_work_plan_response_pb2 import CreateWorkPlanResponse
from turboci.graph.orchestrator.v1.error_reason_pb2 import ErrorReason
from turboci.graph.orchestrator.v1.failure_kind_pb2 import FailureKind
from turboci.graph.orchestrator.v1.node_query_pb2 import NodeQuery
from turboci.graph.orchestrator.v1.query_nodes_request_pb2 import QueryNodesRequest
from turboci.graph.orchestrator.v1.query_nodes_response_pb2 import QueryNodesResponse
from turboci.graph.orchestrator.v1.read_values_request_pb2 import ReadValuesRequest
from turboci.graph.orchestrator.v1.read_values_response_pb2 import ReadValuesResponse
from turboci.graph.orchestrator.v1.read_work_plan_request_pb2 import ReadWorkPlanRequest
from turboci.graph.orchestrator.v1.read_work_plan_response_pb2 import ReadWorkPlanResponse
from turboci.graph.orchestrator.v1.revision_pb2 import Revision
from turboci.graph.orchestrator.v1.stage_attempt_failure_pb2 import StageAttemptFailure
from turboci.graph.orchestrator.v1.stage_attempt_pb2 import StageAttempt
from turboci.graph.orchestrator.v1.stage_attempt_write_pb2 import StageAttemptWrite
from turboci.graph.orchestrator.v1.stage_pb2 import Stage
from turboci.graph.orchestrator.v1.stage_state_pb2 import StageState
from turboci.graph.orchestrator.v1.stage_write_pb2 import StageWrite
from turboci.graph.orchestrator.v1.value_data_pb2 import ValueData
from turboci.graph.orchestrator.v1.watch_work_plan_request_pb2 import WatchWorkPlanRequest
from turboci.graph.orchestrator.v1.watch_work_plan_response_pb2 import WatchWorkPlanResponse
from turboci.graph.orchestrator.v1.work_plan_pb2 import WorkPlan
from turboci.graph.orchestrator.v1.write_conflict_pb2 import WriteConflict
from turboci.graph.orchestrator.v1.write_nodes_request_pb2 import WriteNodesRequest
from turboci.graph.orchestrator.v1.write_nodes_response_pb2 import WriteNodesResponse
from turboci.testing import _attempts
from turboci.testing import _reads
from turboci.testing import _settle
from turboci.testing import _streams
from turboci.testing import _values
from turboci.testing import _writes
from turboci.testing._attempts import A
from turboci.testing._attempts import attempt_key
from turboci.testing._auth import AllowAll
from turboci.testing._auth import Authorizer
from turboci.testing._auth import principal_name
from turboci.testing._clock import Clock
from turboci.testing._clock import FakeClock
from turboci.testing._deps import key_of
from turboci.testing._errors import Refusal
from turboci.testing._errors import invalid
from turboci.testing._plan import Key
from turboci.testing._plan import Plan
from turboci.testing._plan import Txn
from turboci.testing._plan import seconds
from turboci.testing._plan import timestamp
from turboci.utils import lifecycle

M = TypeVar("M", bound=Message)
ORCHESTRATOR = Actor(orchestrator=Actor.Orchestrator())
MAX_ALLOCATE = 1000
# The most conflicts a WriteConflict lists, and the most bytes it takes
# (write_conflict.proto): more would not fit in gRPC's trailers.
MAX_CONFLICTS = 50
MAX_CONFLICT_BYTES = 4096
# Codes of RunStage that a resend would meet again (see RunStageResponse).
REJECTING = (
    grpc.StatusCode.INVALID_ARGUMENT,
    grpc.StatusCode.PERMISSION_DENIED,
    grpc.StatusCode.FAILED_PRECONDITION,
    grpc.StatusCode.UNIMPLEMENTED,
    grpc.StatusCode.NOT_FOUND,
)


@dataclass(frozen=True)
class Token:
    plan: str
    stage: str
    number: int


@dataclass
class Executor:
    args_types: tuple[str, ...]
    stub: executor_grpc.TurboCIStageExecutorStub
    timeout: float


class Orchestrator:
    """The state of every workplan and the rules that move it. Thread-safe:
    one lock, never held while an executor's RunStage or CancelStage runs."""

    def __init__(
        self,
        clock: Clock | None = None,
        authorizer: Authorizer | None = None,
        keep_revisions: int | None = None,
        address: str = "",
        work_plan_ids: Callable[[], str] | None = None,
    ) -> None:
        self.clock = clock or FakeClock()
        # Tests that compare with a recorded workplan choose its ID.
        self.work_plan_ids = work_plan_ids
        self.authorizer = authorizer or AllowAll()
        self.keep_revisions = keep_revisions
        self.address = address
        self._lock = threading.RLock()
        # Wakes watchers at every commit.
        self._changed = threading.Condition(self._lock)
        self._plans: dict[str, Plan] = {}
        self._tokens: dict[str, Token] = {}
        self._token_by_attempt: dict[Token, str] = {}
        self._executors: dict[str, Executor] = {}
        self._create_ids: dict[tuple[str, str, str], tuple[bytes, bytes]] = {}
        self._count = 0

    # ------------------------------------------------------------ executors

    def register_executor(
        self, args_types: list[str], target: str | grpc.Channel, timeout: float = 10.0
    ) -> None:
        """Route stages whose args have one of these type URLs to the executor at target."""
        channel = grpc.insecure_channel(target) if isinstance(target, str) else target
        executor = Executor(
            tuple(args_types), executor_grpc.TurboCIStageExecutorStub(channel), timeout
        )
        with self._lock:
            # Checked before any is added, so a refused registration leaves none behind.
            for t in args_types:
                if t in self._executors:
                    raise ValueError(f"{t} is already served by another executor")
            for t in args_types:
                self._executors[t] = executor

    # ------------------------------------------------------------ helpers

    def _revision(self, plan: Plan | None) -> Revision:
        number = plan.latest + 1 if plan else 1
        now = self.clock.now()
        if plan is not None:
            # Revisions grow with time, even when a test's clock stands still.
            now = max(now, seconds(plan.header.revision.commit_time) + 1e-6)
        return Revision(number=number, commit_time=timestamp(now))

    def _plan(self, wp: WorkPlanId, field: str = "work_plan") -> Plan:
        if not wp.id:
            raise invalid(f"{field}: required", field)
        plan = self._plans.get(wp.id)
        if plan is None:
            raise Refusal(grpc.StatusCode.NOT_FOUND, f"no workplan {wp.id!r}")
        return plan

    def _token(self, token: str, plan: Plan | None) -> tuple[Token, Stage, StageAttempt]:
        found = self._tokens.get(token)
        if found is None or (plan is not None and found.plan != plan.name):
            raise Refusal(
                grpc.StatusCode.UNAUTHENTICATED,
                "stage_attempt_token is unknown or of another workplan",
                ErrorReason.ERROR_REASON_TOKEN_EXPIRED,
            )
        stage = self._plans[found.plan].stages[found.stage]
        attempt = stage.attempts[found.number - 1]
        if _attempts.is_ended(attempt):
            raise Refusal(
                grpc.StatusCode.UNAUTHENTICATED,
                "the attempt of this stage_attempt_token has ended",
                ErrorReason.ERROR_REASON_TOKEN_EXPIRED,
            )
        return found, stage, attempt

    def _need(self, who: Actor, permission: str, realm: str) -> None:
        if not self.authorizer.allowed(who, permission, realm):
            raise Refusal(
                grpc.StatusCode.PERMISSION_DENIED,
                f"{principal_name(who)} lacks {permission} in {realm}",
            )

    def _commit(self, txn: Txn) -> None:
        for stage, number in txn.new_tokens:
            token = secrets.token_hex(16)
            self._tokens[token] = Token(txn.plan.name, stage, number)
            self._token_by_attempt[self._tokens[token]] = token
        txn.commit()
        self._changed.notify_all()

    def token_of(self, plan: str, stage: str, number: int) -> str:
        return self._token_by_attempt[Token(plan, stage, number)]

    def oldest(self, plan: Plan) -> int:
        return max(1, plan.latest - self.keep_revisions + 1) if self.keep_revisions else 1

    @staticmethod
    def _replay(
        store: dict[Any, tuple[bytes, bytes]],
        key: tuple[str, ...],
        request: Message,
        answer_type: type[M],
    ) -> M | None:
        seen = store.get(key)
        if seen is None:
            return None
        if seen[0] != request.SerializeToString(deterministic=True):
            raise Refusal(
                grpc.StatusCode.INVALID_ARGUMENT,
                "request_id was used before with another request",
                ErrorReason.ERROR_REASON_REQUEST_ID_REUSED,
            )
        return answer_type.FromString(seen[1])

    # ------------------------------------------------------------ CreateWorkPlan

    def create_work_plan(
        self, request: CreateWorkPlanRequest, caller: Actor
    ) -> CreateWorkPlanResponse:
        with self._lock:
            if not request.workflow:
                raise invalid("workflow: required", "workflow")
            if not request.realm:
                raise invalid("realm: required", "realm")
            _writes.realm_ok(request.realm, "realm")
            if not request.checks and not request.stages:
                raise invalid("a workplan starts with at least one check or stage", "checks")
            # Counted only once the workplan exists: a refused or replayed
            # request uses up no name.
            name = f"{int(self.clock.now())}-{self._count + 1:04d}"
            if self.work_plan_ids is not None:
                name = self.work_plan_ids()
                if name in self._plans or not _writes.NAME.fullmatch(name):
                    raise ValueError(f"work_plan_ids gave {name!r}: in use or not a valid ID")
            for i, c in enumerate(request.checks):
                _writes.shape_check(c, name, f"checks[{i}]")
            for i, s in enumerate(request.stages):
                _writes.shape_stage(s, name, f"stages[{i}]")
            self._no_duplicates(request.checks, request.stages)
            rid = (principal_name(caller), request.realm, request.request_id)
            if request.request_id:
                again = self._replay(self._create_ids, rid, request, CreateWorkPlanResponse)
                if again is not None:
                    return again
            self._need(caller, "turboci.workplans.create", request.realm)
            for c in request.checks:
                if c.realm and c.realm != request.realm:
                    self._need(caller, "turboci.checks.create", c.realm)
            for s in request.stages:
                if s.realm and s.realm != request.realm:
                    self._need(caller, "turboci.stages.create", s.realm)
            header = WorkPlan(
                id=WorkPlanId(id=name),
                workflow=request.workflow,
                creator=caller,
                realm=request.realm,
            )
            plan = Plan(name=name, header=header)
            rev = self._revision(None)
            header.create_revision.CopyFrom(rev)
            txn = Txn(plan, rev, caller, [])
            txn.reasons = self._reason_refs(txn, list(request.reasons))
            writer = _writes.Writer(None, None, principal_name(caller), request.realm)
            validated: list[str] = []
            for i, c in enumerate(request.checks):
                _writes.apply_check(txn, c, writer, f"checks[{i}]")
            for i, s in enumerate(request.stages):
                _writes.apply_stage(txn, s, writer, f"stages[{i}]", validated)
            _writes.finish_request(txn, list(txn.changed))
            self._validate(txn, validated)
            txn.header_changed = True
            self._commit(txn)
            self._plans[name] = plan
            self._count += 1
            answer = CreateWorkPlanResponse(work_plan=plan.id, revision=rev)
            if request.request_id:
                self._create_ids[rid] = (
                    request.SerializeToString(deterministic=True),
                    answer.SerializeToString(),
                )
            return answer

    def _reason_refs(self, txn: Txn, reasons: list) -> list:  # type: ignore[type-arg]
        out = []
        for i, r in enumerate(reasons):
            ref, packed = _values.ingest(r, f"reasons[{i}]")
            txn.values[ref.digest.sha256] = packed
            out.append(ref)
        return out

    @staticmethod
    def _no_duplicates(checks: Iterable[CheckWrite], stages: Iterable[StageWrite]) -> None:
        for what, writes in (("checks", checks), ("stages", stages)):
            names = [w.id.id for w in writes]
            dup = next((n for n in names if names.count(n) > 1), None)
            if dup:
                raise invalid(f"{what}: {dup!r} is written twice in one request", what)

    # ------------------------------------------------------------ executors' validation

    def _validate(self, txn: Txn, names: list[str]) -> None:
        """Step 7: each new or changed stage's executor vets it."""
        for name in names:
            stage = txn.stage(name)
            assert stage is not None
            args_type = stage.args.type_url
            meta = {"stage": f"W{txn.plan.name}:S{name}", "args_type": args_type}
            executor = self._executors.get(args_type)
            if executor is None:
                raise Refusal(
                    grpc.StatusCode.INVALID_ARGUMENT,
                    f"no executor is registered for {args_type}",
                    ErrorReason.ERROR_REASON_STAGE_REJECTED,
                    meta,
                )
            request = ValidateStageRequest(stage=stage.id, args=stage.args, realm=stage.realm)
            if stage.HasField("requested_execution_policy"):
                request.execution_policy.CopyFrom(stage.requested_execution_policy)
            request.value_data[stage.args.digest.sha256].CopyFrom(
                ValueData(
                    binary=txn.values.get(stage.args.digest.sha256)
                    or txn.plan.values[stage.args.digest.sha256]
                )
            )
            try:
                answer = executor.stub.ValidateStage(request, timeout=executor.timeout)
            except grpc.RpcError as exc:
                code = exc.code() if isinstance(exc, grpc.Call) else None
                detail = exc.details() if isinstance(exc, grpc.Call) else str(exc)
                if code == grpc.StatusCode.INVALID_ARGUMENT:
                    raise Refusal(
                        grpc.StatusCode.INVALID_ARGUMENT,
                        f"the executor refused stage {name!r}: {detail}",
                        ErrorReason.ERROR_REASON_STAGE_REJECTED,
                        meta,
                    ) from None
                raise Refusal(
                    grpc.StatusCode.UNAVAILABLE,
                    f"the executor of {args_type} did not answer: {detail}",
                    ErrorReason.ERROR_REASON_EXECUTOR_UNAVAILABLE,
                    meta,
                ) from None
            if answer.HasField("execution_policy"):
                stage.execution_policy.CopyFrom(answer.execution_policy)
                txn.mark(("S", name), "execution_policy")

    # ------------------------------------------------------------ WriteNodes

    def write_nodes(self, request: WriteNodesRequest, caller: Actor) -> WriteNodesResponse:
        with self._lock:
            # 1. The request itself.
            plan = self._plan(request.work_plan)
            for i, c in enumerate(request.checks):
                _writes.shape_check(c, plan.name, f"checks[{i}]")
            for i, s in enumerate(request.stages):
                _writes.shape_stage(s, plan.name, f"stages[{i}]")
            self._no_duplicates(request.checks, request.stages)
            if request.HasField("current_attempt") and not request.stage_attempt_token:
                raise invalid("current_attempt: requires stage_attempt_token", "current_attempt")
            token: Token | None = None
            attempt: StageAttempt | None = None
            if request.HasField("stage_attempt_token"):
                token, _, attempt = self._token(request.stage_attempt_token, plan)
            scope = attempt_key(token.stage, token.number) if token else principal_name(caller)
            rid = (scope, request.request_id)
            if request.request_id:
                again = self._replay(plan.request_ids, rid, request, WriteNodesResponse)
                if again is not None:
                    return again
            # 2. Permissions.
            writer_stage = plan.stages[token.stage] if token else None
            default_realm = writer_stage.realm if writer_stage else plan.header.realm
            self._write_permissions(plan, request, caller, token, default_realm)
            # 3. The workplan.
            if plan.finished():
                raise Refusal(
                    grpc.StatusCode.FAILED_PRECONDITION,
                    "the workplan is finished",
                    ErrorReason.ERROR_REASON_WORK_PLAN_FINISHED,
                )
            if plan.cancelled() and (request.checks or request.stages):
                raise Refusal(
                    grpc.StatusCode.FAILED_PRECONDITION,
                    "the workplan is cancelled",
                    ErrorReason.ERROR_REASON_WORK_PLAN_CANCELLED,
                )
            # 4. The claim.
            report: StageAttemptWrite | None = (
                request.current_attempt if request.HasField("current_attempt") else None
            )
            if (
                attempt is not None
                and report is not None
                and report.process_id
                and attempt.process_id
                and report.process_id != attempt.process_id
            ):
                assert writer_stage is not None
                conflict = WriteConflict()
                conflict.conflicts.add(
                    reason=WriteConflict.Conflict.Reason.REASON_CLAIMED,
                    current_revision=writer_stage.update_revision,
                ).node.stage_attempt.CopyFrom(attempt.id)
                raise Refusal(
                    grpc.StatusCode.FAILED_PRECONDITION,
                    f"the attempt is claimed by process {attempt.process_id!r}",
                    ErrorReason.ERROR_REASON_CLAIMED_BY_ANOTHER_PROCESS,
                    details=[conflict],
                )
            # 5. Conditions.
            self._conditions(plan, request)
            # 6. Apply, in the attempt's order.
            actor = Actor(stage_attempt=attempt.id) if attempt is not None else caller
            txn = Txn(plan, self._revision(plan), actor, [])
            txn.reasons = self._reason_refs(txn, list(request.reasons))
            stage_w = txn.stage(token.stage) if token else None
            attempt_w = stage_w.attempts[token.number - 1] if (stage_w and token) else None
            if (
                report is not None
                and report.state in _attempts.CLAIMS
                and attempt_w is not None
                and stage_w is not None
                and attempt_w.state
                in (A.STAGE_ATTEMPT_STATE_PENDING, A.STAGE_ATTEMPT_STATE_SCHEDULED)
            ):
                if not report.process_id:
                    raise invalid(
                        "current_attempt.process_id: required with the move to "
                        f"{A.Name(report.state)}",
                        "current_attempt.process_id",
                    )
                attempt_w.process_id = report.process_id
                _attempts.move_attempt(txn, stage_w, attempt_w, A.STAGE_ATTEMPT_STATE_RUNNING)
            if attempt_w is not None and (request.checks or request.stages):
                rule = _writes.rule(WriteNodesRequest.DESCRIPTOR, "checks")
                allowed = list(rule.stage_attempt_states) if rule else []
                if attempt_w.state not in allowed:
                    raise _writes.not_writable(
                        "the attempt writes nodes only while "
                        + ", ".join(A.Name(s) for s in allowed),
                        "checks" if request.checks else "stages",
                        A.Name(attempt_w.state),
                    )
            writer = _writes.Writer(
                attempt_w,
                token.stage if token else None,
                f"stage:{token.stage}" if token else principal_name(caller),
                default_realm,
            )
            validated: list[str] = []
            for i, c in enumerate(request.checks):
                _writes.apply_check(txn, c, writer, f"checks[{i}]")
            for i, s in enumerate(request.stages):
                _writes.apply_stage(txn, s, writer, f"stages[{i}]", validated)
            written: list[Key] = [("C", c.id.id) for c in request.checks] + [
                ("S", s.id.id) for s in request.stages
            ]
            if token and any(s.join_group for s in request.stages):
                written.append(("S", token.stage))
            _writes.finish_request(txn, written)
            if report is not None and attempt_w is not None and stage_w is not None:
                self._report(txn, stage_w, attempt_w, report)
            # 7. The executors.
            self._validate(txn, validated)
            if attempt_w is not None and report is not None and txn.empty():
                # A bare heartbeat is no write (see StageAttempt.heartbeat_time).
                live = plan.stages[token.stage].attempts[token.number - 1]  # type: ignore[union-attr]
                live.heartbeat_time.CopyFrom(timestamp(self.clock.now()))
                answer = WriteNodesResponse(revision=plan.header.revision, current_attempt=live)
            elif txn.empty():
                answer = WriteNodesResponse(revision=plan.header.revision)
            else:
                if attempt_w is not None and report is not None:
                    attempt_w.heartbeat_time.CopyFrom(txn.revision.commit_time)
                self._commit(txn)
                answer = WriteNodesResponse(revision=txn.revision)
                if token:
                    answer.current_attempt.CopyFrom(
                        plan.stages[token.stage].attempts[token.number - 1]
                    )
            if request.request_id:
                plan.request_ids[rid] = (
                    request.SerializeToString(deterministic=True),
                    answer.SerializeToString(),
                )
            return answer

    def _write_permissions(
        self,
        plan: Plan,
        request: WriteNodesRequest,
        caller: Actor,
        token: Token | None,
        default_realm: str,
    ) -> None:
        if token is None:
            self._need(caller, "turboci.workplans.write", plan.header.realm)
        own = {a.check.id for a in plan.stages[token.stage].assignments} if token else set()
        for c in request.checks:
            check = plan.checks.get(c.id.id)
            if check is None:
                self._need(caller, "turboci.checks.create", c.realm or default_realm)
            else:
                only_results = not (c.options or c.HasField("dependencies") or c.HasField("state"))
                if not (token and c.id.id in own and only_results):
                    self._need(caller, "turboci.checks.update", check.realm)
            for v in [*c.options, *c.results]:
                if v.realm and v.realm != (check.realm if check else c.realm or default_realm):
                    self._need(caller, "turboci.values.create", v.realm)
        for s in request.stages:
            stage = plan.stages.get(s.id.id)
            if stage is None:
                self._need(caller, "turboci.stages.create", s.realm or default_realm)
            else:
                self._need(caller, "turboci.stages.update", stage.realm)
            if s.args.realm and s.args.realm != (
                stage.realm if stage else s.realm or default_realm
            ):
                self._need(caller, "turboci.values.create", s.args.realm)

    def _conditions(self, plan: Plan, request: WriteNodesRequest) -> None:
        conflicts = WriteConflict()
        conflicting = 0

        def add(key: Key, reason: WriteConflict.Conflict.Reason.ValueType) -> None:
            nonlocal conflicting
            conflicting += 1
            if conflicting > MAX_CONFLICTS or conflicts.omitted_conflicts:
                conflicts.omitted_conflicts += 1
                return
            node = plan.node(key)
            c = conflicts.conflicts.add(reason=reason)
            getattr(c.node, "check" if key[0] == "C" else "stage").CopyFrom(
                CheckId(work_plan=plan.id, id=key[1])
                if key[0] == "C"
                else StageId(work_plan=plan.id, id=key[1])
            )
            if node is not None:
                c.current_revision.CopyFrom(node.update_revision)
            if len(conflicts.conflicts) > 1 and conflicts.ByteSize() > MAX_CONFLICT_BYTES:
                del conflicts.conflicts[-1]
                conflicts.omitted_conflicts += 1

        changed, exists = (
            WriteConflict.Conflict.Reason.REASON_CHANGED,
            WriteConflict.Conflict.Reason.REASON_EXISTS,
        )
        txn_ = request.transaction if request.HasField("transaction") else None
        snap = txn_.snapshot_revision if txn_ and txn_.HasField("snapshot_revision") else None
        seen: set[tuple[Key, int]] = set()

        def flag(key: Key, reason: WriteConflict.Conflict.Reason.ValueType) -> None:
            if (key, reason) not in seen:
                seen.add((key, reason))
                add(key, reason)

        for kind, writes in (("C", request.checks), ("S", request.stages)):
            for w in writes:
                key = (kind, w.id.id)
                node = plan.node(key)
                if w.create_only and node is not None:
                    flag(key, exists)
                if w.HasField("expected_revision") and (
                    node is None or node.update_revision.number != w.expected_revision
                ):
                    flag(key, changed)
                if snap is not None and node is not None and node.update_revision.number > snap:
                    flag(key, changed)
        if txn_ is not None:
            for read in txn_.reads:
                found = key_of(read.node)
                if found is None:
                    raise invalid("transaction.reads: name checks or stages", "transaction.reads")
                node = plan.node(found)
                want = read.update_revision if read.HasField("update_revision") else snap
                if want is not None and (node is None or node.update_revision.number > want):
                    flag(found, changed)
            for ident in txn_.absent_nodes:
                found = key_of(ident)
                if found is not None and plan.node(found) is not None:
                    flag(found, exists)
        if conflicting:
            raise Refusal(
                grpc.StatusCode.ABORTED,
                f"{conflicting} node(s) are not as the write expected",
                ErrorReason.ERROR_REASON_WRITE_CONFLICT,
                details=[conflicts],
            )

    def _report(self, txn: Txn, stage: Stage, attempt: StageAttempt, report: Message) -> None:
        from turboci.graph.orchestrator.v1.stage_attempt_write_pb2 import StageAttemptWrite

        assert isinstance(report, StageAttemptWrite)
        key: Key = ("S", stage.id.id)
        if report.details:
            refs = [(_values.ingest(v, "current_attempt.details")) for v in report.details]
            merged = {r.type_url: r for r in attempt.details}
            for ref, packed in refs:
                txn.values[ref.digest.sha256] = packed
                merged[ref.type_url] = ref
            del attempt.details[:]
            attempt.details.extend(merged.values())
            txn.mark(key, "attempts")
        if report.HasField("view_url") and report.view_url != attempt.view_url:
            attempt.view_url = report.view_url
            txn.mark(key, "attempts")
        if not report.HasField("state") or report.state == attempt.state:
            return
        if report.state not in _attempts.REPORTABLE.get(attempt.state, ()):
            raise _writes.not_writable(
                f"current_attempt.state: an attempt {A.Name(attempt.state)} "
                f"may not report {A.Name(report.state)}",
                "current_attempt.state",
                A.Name(attempt.state),
            )
        if (
            report.state == A.STAGE_ATTEMPT_STATE_INCOMPLETE
            and not report.HasField("failure")
            and not attempt.HasField("cancel_cause")
        ):
            raise invalid(
                "current_attempt.failure: required with INCOMPLETE", "current_attempt.failure"
            )
        if lifecycle.stage_attempt.is_final(report.state):
            _attempts.end_attempt(txn, stage, attempt, report.state, report.failure)
        else:
            _attempts.move_attempt(txn, stage, attempt, report.state)

    # ------------------------------------------------------------ reads

    def _read_access(self, plan: Plan, token: str, caller: Actor) -> bool:
        """True when a token stands in for every read permission."""
        if token:
            self._token(token, plan)
            return True
        self._need(caller, "turboci.workplans.get", plan.header.realm)
        return False

    def query_nodes(self, request: QueryNodesRequest, caller: Actor) -> QueryNodesResponse:
        with self._lock:
            if not request.HasField("query"):
                raise invalid("query: required", "query")
            plan = self._plan(request.query.work_plan, "query.work_plan")
            by_token = self._read_access(plan, request.stage_attempt_token, caller)
            revision, offset = self._paging(plan, request)
            absent: list = []  # type: ignore[type-arg]
            nodes = _reads.select(plan, revision, request.query, absent)
            wp, nxt = _reads.page(
                plan,
                revision,
                nodes,
                offset,
                request.page_size,
                request.query.include,
                request.values,
                self._reader(caller, by_token),
            )
            answer = QueryNodesResponse(
                work_plan=wp, completeness=Completeness(had_more=nxt is not None)
            )
            if offset == 0:
                answer.absent_nodes.extend(absent)
            if nxt is not None:
                answer.next_page_token = _reads.encode_token(
                    revision, nxt, _reads.fingerprint(request)
                )
            return answer

    def read_work_plan(self, request: ReadWorkPlanRequest, caller: Actor) -> ReadWorkPlanResponse:
        with self._lock:
            plan = self._plan(request.work_plan)
            by_token = self._read_access(plan, request.stage_attempt_token, caller)
            revision, offset = self._paging(plan, request)
            include = NodeQuery.Include(
                inputs=True, results=True, attempts=True, edits=request.include_edits
            )
            nodes = _reads.select(plan, revision, NodeQuery(work_plan=plan.id), [])
            wp, nxt = _reads.page(
                plan,
                revision,
                nodes,
                offset,
                request.page_size,
                include,
                request.values,
                self._reader(caller, by_token),
            )
            answer = ReadWorkPlanResponse(
                work_plan=wp, completeness=Completeness(had_more=nxt is not None)
            )
            if nxt is not None:
                answer.next_page_token = _reads.encode_token(
                    revision, nxt, _reads.fingerprint(request)
                )
            return answer

    def _paging(
        self, plan: Plan, request: QueryNodesRequest | ReadWorkPlanRequest
    ) -> tuple[int, int]:
        if request.page_size < 0:
            raise invalid("page_size: must not be negative", "page_size")
        if request.page_token:
            revision, offset = _reads.decode_token(request.page_token, _reads.fingerprint(request))
            _reads.snapshot_revision(plan, revision, self.oldest(plan))
            return revision, offset
        return _reads.snapshot_revision(plan, request.snapshot_revision, self.oldest(plan)), 0

    def _reader(self, caller: Actor, by_token: bool):  # type: ignore[no-untyped-def]
        def may_read(permission: str, realm: str) -> bool:
            return by_token or self.authorizer.allowed(caller, permission, realm)

        return may_read

    # ------------------------------------------------------------ AllocateNodeIds

    def allocate_node_ids(
        self, request: AllocateNodeIdsRequest, caller: Actor
    ) -> AllocateNodeIdsResponse:
        with self._lock:
            plan = self._plan(request.work_plan)
            if request.check_count < 0 or request.stage_count < 0:
                raise invalid("check_count and stage_count must not be negative", "check_count")
            if request.check_count + request.stage_count > MAX_ALLOCATE:
                raise invalid(f"at most {MAX_ALLOCATE} IDs per call", "check_count")
            if request.prefix and not _writes.NAME.fullmatch(request.prefix + "0"):
                raise invalid(f"prefix: {request.prefix!r} is not a valid name prefix", "prefix")
            token = (
                self._token(request.stage_attempt_token, plan)[0]
                if request.stage_attempt_token
                else None
            )
            owner = f"stage:{token.stage}" if token else principal_name(caller)
            scope = attempt_key(token.stage, token.number) if token else principal_name(caller)
            rid = (scope, "alloc:" + request.request_id)
            if request.request_id:
                again = self._replay(plan.request_ids, rid, request, AllocateNodeIdsResponse)
                if again is not None:
                    return again
            if token is None:
                self._need(caller, "turboci.workplans.write", plan.header.realm)
            longest = len(request.prefix) + len(str(plan.allocated + 2 * MAX_ALLOCATE))
            if longest > 128:
                raise invalid(
                    f"prefix: {len(request.prefix)} characters leave no room for a number "
                    "in a 128-character name",
                    "prefix",
                )
            answer = AllocateNodeIdsResponse()
            for kind, count in (("C", request.check_count), ("S", request.stage_count)):
                for _ in range(count):
                    while True:
                        plan.allocated += 1
                        name = f"{request.prefix}{plan.allocated}"
                        if plan.node((kind, name)) is None and (kind, name) not in plan.allocations:
                            break
                    plan.allocations[(kind, name)] = owner
                    if kind == "C":
                        answer.checks.add(work_plan=plan.id, id=name)
                    else:
                        answer.stages.add(work_plan=plan.id, id=name)
            if request.request_id:
                plan.request_ids[rid] = (
                    request.SerializeToString(deterministic=True),
                    answer.SerializeToString(),
                )
            return answer

    # ------------------------------------------------------------ CancelWorkPlan

    def cancel_work_plan(
        self, request: CancelWorkPlanRequest, caller: Actor
    ) -> CancelWorkPlanResponse:
        with self._lock:
            plan = self._plan(request.work_plan)
            self._need(caller, "turboci.workplans.cancel", plan.header.realm)
            if plan.cancelled() or plan.finished():
                return CancelWorkPlanResponse(revision=plan.header.revision)
            txn = Txn(plan, self._revision(plan), caller, [])
            reasons = self._reason_refs(txn, list(request.reasons))
            txn.header.cancellation.actor.CopyFrom(caller)
            txn.header.cancellation.revision.CopyFrom(txn.revision)
            txn.header.cancellation.reasons.extend(reasons)
            txn.header_changed = True
            for name in txn.check_names():
                check = txn.check(name)
                assert check is not None
                if check.state != CheckState.CHECK_STATE_FINAL:
                    _attempts.move_check(txn, check, CheckState.CHECK_STATE_FINAL)
                    _writes.finalize_check(txn, check, CheckConclusion.Reason.REASON_CANCELLED)
            cause = StageAttemptFailure(
                kind=FailureKind.FAILURE_KIND_CANCELLED, message="the workplan was cancelled"
            )
            for name in txn.stage_names():
                stage = txn.stage(name)
                assert stage is not None
                if stage.state == StageState.STAGE_STATE_PLANNED:
                    _attempts.move_stage(txn, stage, StageState.STAGE_STATE_FINAL)
                elif stage.state == StageState.STAGE_STATE_ATTEMPTING:
                    _attempts.cancel_attempt(txn, stage, cause)
            # The orchestrator's next write resolves the edges left pending and
            # finishes the workplan (CancelWorkPlanRequest, step 6).
            self._commit(txn)
            return CancelWorkPlanResponse(revision=txn.revision)

    # ------------------------------------------------------------ the orchestrator's own moves

    # ------------------------------------------------------------ streams

    def read_values(
        self, request: ReadValuesRequest, caller: Actor
    ) -> Iterator[ReadValuesResponse]:
        with self._lock:
            plan = self._plan(request.work_plan)
            by_token = self._read_access(plan, request.stage_attempt_token, caller)
            if request.max_chunk_bytes < 0:
                raise invalid("max_chunk_bytes: must not be negative", "max_chunk_bytes")
            reader = self._reader(caller, by_token)
            answers = list(
                _streams.read_values(
                    plan,
                    list(request.digests),
                    request.max_chunk_bytes,
                    lambda realm: reader("turboci.values.get", realm),
                )
            )
        yield from answers

    def watch_work_plan(
        self,
        request: WatchWorkPlanRequest,
        caller: Actor,
        active: Callable[[], bool] = lambda: True,
        keepalive: float = 10.0,
    ) -> Iterator[WatchWorkPlanResponse]:
        with self._lock:
            plan = self._plan(request.work_plan)
            by_token = self._read_access(plan, request.stage_attempt_token, caller)
            after = request.after_revision
            if after < 0 or after > plan.latest:
                raise invalid(
                    f"after_revision: the workplan's latest revision is {plan.latest}",
                    "after_revision",
                )
            # Changes are kept from the oldest kept revision on.
            if after and after + 1 < self.oldest(plan):
                raise Refusal(
                    grpc.StatusCode.FAILED_PRECONDITION,
                    f"changes after revision {after} are no longer kept",
                    ErrorReason.ERROR_REASON_REVISION_EXPIRED,
                    {"oldest_revision": str(self.oldest(plan))},
                )
        may_see = self._reader(caller, by_token)
        first, last_sent = True, time.monotonic()
        while active():
            with self._changed:
                if not first and plan.latest <= after:
                    self._changed.wait(0.2)
                latest = plan.latest
                message = None
                if first or latest > after:
                    message = WatchWorkPlanResponse(
                        changes=_streams.changes(plan, after, latest, may_see),
                        revision=plan.header.revision,
                    )
                    if plan.finished():
                        message.finish_revision.CopyFrom(plan.header.finish_revision)
                elif time.monotonic() - last_sent > keepalive:
                    message = WatchWorkPlanResponse(revision=plan.header.revision)
            if message is None:
                continue
            yield message
            first, after, last_sent = False, latest, time.monotonic()
            if message.HasField("finish_revision"):
                return

    def snapshot(self, plan: str) -> WorkPlan:
        """The whole workplan now, with edits, for tests comparing before and after."""
        with self._lock:
            p = self._plans[plan]
            out = WorkPlan()
            out.CopyFrom(p.header)
            out.checks.extend(p.checks.values())
            out.stages.extend(p.stages.values())
            return out

    def next_deadline(self) -> float | None:
        """The earliest time at which a timer of a running workplan fires
        (a retry delay, a timeout, two missed heartbeats, a throttled
        attempt's resend), or None if none is waiting."""
        with self._lock:
            times = [
                t
                for plan in self._plans.values()
                if not plan.finished()
                for stage in plan.stages.values()
                if (t := _settle.deadline(stage, plan.sent)) is not None
            ]
        return min(times, default=None)

    def tick(self) -> bool:
        """One round of the orchestrator's own work: its rule-driven moves (one
        write per workplan that needs one), then RunStage and CancelStage to
        the executors. True if anything changed."""
        changed = False
        with self._lock:
            for plan in list(self._plans.values()):
                changed = self._settle(plan) or changed
            sends = self._outbox()
        for plan_name, stage_name, number, kind in sends:
            changed = self._send(plan_name, stage_name, number, kind) or changed
        with self._lock:
            for plan in list(self._plans.values()):
                changed = self._settle(plan) or changed
        return changed

    def _settle(self, plan: Plan) -> bool:
        if plan.finished():
            return False
        txn = Txn(plan, self._revision(plan), ORCHESTRATOR, [])
        _settle.settle(txn)
        if txn.empty():
            return False
        self._commit(txn)
        return True

    def _outbox(self) -> list[tuple[str, str, int, str]]:
        out = []
        for plan in self._plans.values():
            for stage in plan.stages.values():
                attempt = _attempts.current(stage)
                if attempt is None:
                    continue
                key = attempt_key(stage.id.id, attempt.id.number)
                if attempt.state == A.STAGE_ATTEMPT_STATE_PENDING:
                    out.append((plan.name, stage.id.id, attempt.id.number, "run"))
                elif (
                    attempt.state == A.STAGE_ATTEMPT_STATE_CANCELLING
                    and key in plan.sent
                    and key not in plan.cancel_sent
                ):
                    out.append((plan.name, stage.id.id, attempt.id.number, "cancel"))
        return out

    def _send(self, plan_name: str, stage_name: str, number: int, kind: str) -> bool:
        with self._lock:
            plan = self._plans[plan_name]
            stage = plan.stages[stage_name]
            attempt = stage.attempts[number - 1]
            executor = self._executors.get(stage.args.type_url)
            if executor is None:
                return False
            run = self._run_request(plan, stage, attempt) if kind == "run" else None
            cancel = CancelStageRequest(attempt=attempt.id, cause=attempt.cancel_cause)
        answer = None
        try:
            if run is not None:
                answer = executor.stub.RunStage(run, timeout=executor.timeout)
            else:
                executor.stub.CancelStage(cancel, timeout=executor.timeout)
            code = grpc.StatusCode.OK
        except grpc.RpcError as exc:
            code = exc.code() if isinstance(exc, grpc.Call) else grpc.StatusCode.UNKNOWN
            answer = None
        with self._lock:
            stage = plan.stages[stage_name]
            attempt = stage.attempts[number - 1]
            key = attempt_key(stage_name, number)
            txn = Txn(plan, self._revision(plan), ORCHESTRATOR, [])
            stage_w = txn.stage(stage_name)
            assert stage_w is not None
            attempt_w = stage_w.attempts[number - 1]
            if kind == "cancel":
                if code in (grpc.StatusCode.OK, grpc.StatusCode.NOT_FOUND):
                    plan.cancel_sent.add(key)
                if (
                    code == grpc.StatusCode.NOT_FOUND
                    and attempt_w.state == A.STAGE_ATTEMPT_STATE_CANCELLING
                ):
                    _attempts.end_attempt(txn, stage_w, attempt_w, A.STAGE_ATTEMPT_STATE_INCOMPLETE)
            elif code in (grpc.StatusCode.OK, grpc.StatusCode.ALREADY_EXISTS):
                plan.sent.add(key)
                if attempt_w.state == A.STAGE_ATTEMPT_STATE_PENDING:
                    _attempts.move_attempt(txn, stage_w, attempt_w, A.STAGE_ATTEMPT_STATE_SCHEDULED)
                    if answer is not None and answer.view_url:
                        attempt_w.view_url = answer.view_url
            elif attempt_w.state == A.STAGE_ATTEMPT_STATE_PENDING:
                if code == grpc.StatusCode.RESOURCE_EXHAUSTED:
                    _attempts.move_attempt(txn, stage_w, attempt_w, A.STAGE_ATTEMPT_STATE_THROTTLED)
                elif code in REJECTING:
                    _attempts.end_attempt(
                        txn,
                        stage_w,
                        attempt_w,
                        A.STAGE_ATTEMPT_STATE_INCOMPLETE,
                        StageAttemptFailure(
                            kind=FailureKind.FAILURE_KIND_REJECTED,
                            message=f"RunStage answered {code.name}",
                        ),
                    )
            if txn.empty():
                return False
            self._commit(txn)
            return True

    def _run_request(self, plan: Plan, stage: Stage, attempt: StageAttempt) -> RunStageRequest:
        request = RunStageRequest(
            attempt=attempt.id,
            execution_policy=stage.execution_policy,
            stage_attempt_token=self.token_of(plan.name, stage.id.id, attempt.id.number),
            orchestrator_host=self.address,
            args=stage.args,
            assignments=stage.assignments,
            realm=stage.realm,
            snapshot_revision=plan.latest,
        )
        request.value_data[stage.args.digest.sha256].binary.CopyFrom(
            plan.values[stage.args.digest.sha256]
        )
        for a in stage.assignments:
            check = plan.checks[a.check.id]
            request.assigned_checks.add(check=check.id, state=check.state, options=check.options)
            for ref in check.options:
                request.value_data[ref.digest.sha256].binary.CopyFrom(
                    plan.values[ref.digest.sha256]
                )
        return request
