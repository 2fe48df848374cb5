# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Applying CheckWrites and StageWrites to a transaction, with the checks of
WriteNodesRequest's steps 1 and 6 (the shape of each write; the `writable`
rules, IMMUTABLE fields, allocated IDs and cycles)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import grpc
from google.protobuf.descriptor import Descriptor

from google.api import field_behavior_pb2  # type: ignore[import-untyped, attr-defined, unused-ignore]
from turboci.graph.ids.v1.check_id_pb2 import CheckId
from turboci.graph.ids.v1.stage_id_pb2 import StageId
from turboci.graph.orchestrator.v1.check_conclusion_pb2 import CheckConclusion
from turboci.graph.orchestrator.v1.check_pb2 import Check
from turboci.graph.orchestrator.v1.check_state_pb2 import CheckState
from turboci.graph.orchestrator.v1.check_write_pb2 import CheckWrite
from turboci.graph.orchestrator.v1.dependency_group_pb2 import DependencyGroup
from turboci.graph.orchestrator.v1.error_reason_pb2 import ErrorReason
from turboci.graph.orchestrator.v1.execution_policy_pb2 import ExecutionPolicy
from turboci.graph.orchestrator.v1.failure_kind_pb2 import FailureKind
from turboci.graph.orchestrator.v1.field_options_pb2 import writable
from turboci.graph.orchestrator.v1.stage_attempt_failure_pb2 import StageAttemptFailure
from turboci.graph.orchestrator.v1.stage_attempt_pb2 import StageAttempt
from turboci.graph.orchestrator.v1.stage_pb2 import Stage
from turboci.graph.orchestrator.v1.stage_state_pb2 import StageState
from turboci.graph.orchestrator.v1.stage_write_pb2 import StageWrite
from turboci.graph.orchestrator.v1.value_ref_pb2 import ValueRef
from turboci.graph.orchestrator.v1.value_write_pb2 import ValueWrite
from turboci.graph.orchestrator.v1.write_rule_pb2 import WriteRule
from turboci.testing import _attempts
from turboci.testing import _deps
from turboci.testing import _values
from turboci.testing._errors import Refusal
from turboci.testing._errors import invalid
from turboci.testing._errors import not_writable as not_writable
from turboci.testing._plan import Key
from turboci.testing._plan import Txn
from turboci.utils import lifecycle

_FINAL = CheckState.CHECK_STATE_FINAL
# A longer circle is named by its first and last this many nodes.
CYCLE_ENDS = 25
NAME = re.compile(r"[A-Za-z0-9_./-]{1,128}")
REALM = _values.REALM
CHECK_DATA = ("options", "dependencies", "results")
STAGE_DATA = ("args", "execution_policy", "dependencies", "assignments")


def rule(message: Descriptor, name: str) -> WriteRule | None:
    """The field's `writable` option, read from the descriptor: the rules
    are enforced from the API's own declarations, never a copy of them."""
    options = message.fields_by_name[name].GetOptions()
    return options.Extensions[writable] if options.HasExtension(writable) else None


def immutable(message: Descriptor, name: str) -> bool:
    options = message.fields_by_name[name].GetOptions()
    return field_behavior_pb2.IMMUTABLE in options.Extensions[field_behavior_pb2.field_behavior]


# A check's fields fixed at creation, read from the descriptor (WriteRule).
CHECK_IMMUTABLE = tuple(
    f.name for f in CheckWrite.DESCRIPTOR.fields if immutable(CheckWrite.DESCRIPTOR, f.name)
)


@dataclass
class Writer:
    """Who writes: the attempt (with its stage) or a principal."""

    attempt: StageAttempt | None
    stage: str | None
    owner: str  # the owner key of allocations
    default_realm: str


def check_name(cid: CheckId, plan: str, field: str) -> str:
    if not cid.id:
        raise invalid(f"{field}: a check ID needs a name", field)
    if not NAME.fullmatch(cid.id):
        raise invalid(
            f"{field}: invalid check name {cid.id!r}: want 1-128 of A-Z a-z 0-9 _ - . /", field
        )
    if cid.HasField("work_plan") and cid.work_plan.id != plan:
        raise invalid(
            f"{field}: check {cid.id!r} names another workplan ({cid.work_plan.id!r})", field
        )
    return cid.id


def stage_name(sid: StageId, plan: str, field: str) -> str:
    if not sid.id:
        raise invalid(f"{field}: a stage ID needs a name", field)
    if not NAME.fullmatch(sid.id):
        raise invalid(
            f"{field}: invalid stage name {sid.id!r}: want 1-128 of A-Z a-z 0-9 _ - . /", field
        )
    if sid.HasField("work_plan") and sid.work_plan.id != plan:
        raise invalid(
            f"{field}: stage {sid.id!r} names another workplan ({sid.work_plan.id!r})", field
        )
    return sid.id


def realm_ok(realm: str, field: str) -> None:
    if not REALM.fullmatch(realm):
        raise invalid(f'{field}: realm {realm!r} is not "<project>:<realm>"', field)


def fields_to_write(write: CheckWrite | StageWrite, data: tuple[str, ...], field: str) -> list[str]:
    """The data fields a write writes, by its update_mask (see CheckWrite.update_mask)."""

    def is_set(name: str) -> bool:
        f = write.DESCRIPTOR.fields_by_name[name]
        if f.is_repeated:
            return len(getattr(write, name)) > 0
        return write.HasField(name)  # type: ignore[arg-type]

    if not write.HasField("update_mask"):
        return [n for n in data if is_set(n)]
    paths = list(write.update_mask.paths)
    for p in paths:
        if p not in data:
            raise invalid(
                f"{field}.update_mask: {p!r} is not one of {', '.join(data)}",
                f"{field}.update_mask",
            )
    for n in data:
        if is_set(n) and n not in paths:
            raise invalid(f"{field}: {n} is set but update_mask does not list it", f"{field}.{n}")
    return [n for n in data if n in paths]


def shape_check(write: CheckWrite, plan: str, field: str) -> None:
    """Step 1 for one CheckWrite."""
    check_name(write.id, plan, f"{field}.id")
    fields_to_write(write, CHECK_DATA, field)
    if write.HasField("realm"):
        realm_ok(write.realm, f"{field}.realm")
    if write.HasField("dependencies"):
        shape_deps(write.dependencies, plan, f"{field}.dependencies")
    for name in ("options", "results"):
        seen: set[str] = set()
        for i, v in enumerate(getattr(write, name)):
            if v.value.type_url in seen:
                raise invalid(
                    f"{field}.{name}[{i}]: a second value of type {v.value.type_url}",
                    f"{field}.{name}",
                )
            seen.add(v.value.type_url)
    if write.HasField("state") and write.state == CheckState.CHECK_STATE_WAITING:
        raise not_writable(
            f"{field}.state: the orchestrator moves a check to WAITING, never a writer",
            "checks.state",
            CheckState.Name(write.state),
        )


def shape_stage(write: StageWrite, plan: str, field: str) -> None:
    """Step 1 for one StageWrite."""
    stage_name(write.id, plan, f"{field}.id")
    fields_to_write(write, STAGE_DATA, field)
    if write.HasField("realm"):
        realm_ok(write.realm, f"{field}.realm")
    if write.HasField("dependencies"):
        shape_deps(write.dependencies, plan, f"{field}.dependencies")
    for i, a in enumerate(write.assignments):
        check_name(a.check, plan, f"{field}.assignments[{i}].check")
        if a.goal_state not in (
            CheckState.CHECK_STATE_UNKNOWN,
            CheckState.CHECK_STATE_PLANNED,
            CheckState.CHECK_STATE_FINAL,
        ):
            raise invalid(
                f"{field}.assignments[{i}].goal_state: want PLANNED or FINAL",
                f"{field}.assignments",
            )
    if write.HasField("args") and not write.args.value.type_url:
        raise invalid(f"{field}.args: a value needs an Any with a type_url", f"{field}.args")
    if write.HasField("execution_policy"):
        shape_policy(write.execution_policy, f"{field}.execution_policy")


def shape_policy(policy: ExecutionPolicy, field: str) -> None:
    """An ExecutionPolicy as its comments allow it: one budget per retryable
    kind, and no negative count or duration."""
    retry = policy.retry
    seen: set[int] = set()
    for i, budget in enumerate(retry.budgets):
        where = f"{field}.retry.budgets[{i}]"
        if (
            budget.kind in _attempts.NEVER_RETRIED
            or budget.kind == FailureKind.FAILURE_KIND_UNKNOWN
        ):
            raise invalid(f"{where}: {FailureKind.Name(budget.kind)} is never retried", where)
        if budget.kind in seen:
            raise invalid(f"{where}: a second budget for {FailureKind.Name(budget.kind)}", where)
        seen.add(budget.kind)
        if budget.retries < 0:
            raise invalid(f"{where}.retries: must not be negative", where)
    if retry.max_attempts < 0:
        raise invalid(f"{field}.retry.max_attempts: must not be negative", f"{field}.retry")
    durations = {
        "retry.delay": retry.delay,
        "timeouts.start": policy.timeouts.start,
        "timeouts.run": policy.timeouts.run,
        "timeouts.stop": policy.timeouts.stop,
        "heartbeat.scheduled": policy.heartbeat.scheduled,
        "heartbeat.running": policy.heartbeat.running,
        "heartbeat.tearing_down": policy.heartbeat.tearing_down,
    }
    for name, duration in durations.items():
        if duration.ToNanoseconds() < 0:
            raise invalid(f"{field}.{name}: must not be negative", f"{field}.{name}")


def shape_deps(group: DependencyGroup, plan: str, field: str) -> None:
    members = len(group.edges) + len(group.groups)
    if group.mode == DependencyGroup.Mode.MODE_THRESHOLD and not 1 <= group.threshold <= members:
        raise invalid(
            f"{field}.threshold: want 1 to {members}, got {group.threshold}", f"{field}.threshold"
        )
    for i, edge in enumerate(group.edges):
        kind = edge.target.WhichOneof("type")
        where = f"{field}.edges[{i}].target"
        if kind == "check":
            check_name(edge.target.check, plan, where)
        elif kind == "stage":
            stage_name(edge.target.stage, plan, where)
        else:
            raise invalid(f"{where}: an edge points at a check or a stage", where)
    for i, sub in enumerate(group.groups):
        shape_deps(sub, plan, f"{field}.groups[{i}]")


def _fill_ids(group: DependencyGroup, plan: str) -> None:
    for edge in _deps.edges(group):
        kind = edge.target.WhichOneof("type")
        getattr(edge.target, str(kind)).work_plan.id = plan


def _refs(txn: Txn, writes: list[ValueWrite], field: str) -> list[ValueRef]:
    out = []
    for v in writes:
        ref, packed = _values.ingest(v, field)
        txn.values[ref.digest.sha256] = packed
        out.append(ref)
    return out


def _merge(old: list[ValueRef], new: list[ValueRef], replace: bool) -> list[ValueRef]:
    if replace:
        return new
    kept = {r.type_url: r for r in old}
    for r in new:
        kept[r.type_url] = r
    return list(kept.values())


def _check_writable(
    write_msg: Descriptor, name: str, state: CheckState.ValueType, what: str
) -> None:
    r = rule(write_msg, name)
    allowed = list(r.check_states) if r else []
    ok = state in allowed if allowed else state != CheckState.CHECK_STATE_FINAL
    if not ok:
        raise not_writable(
            f"{what}: {name} may not be written while the check is {CheckState.Name(state)}",
            f"checks.{name}",
            CheckState.Name(state),
        )


def _stage_writable(name: str, state: StageState.ValueType, what: str) -> None:
    r = rule(StageWrite.DESCRIPTOR, name)
    allowed = list(r.stage_states) if r else []
    ok = state in allowed if allowed else state != StageState.STAGE_STATE_FINAL
    if not ok:
        raise not_writable(
            f"{what}: {name} may not be written while the stage is {StageState.Name(state)}",
            f"stages.{name}",
            StageState.Name(state),
        )


def _allocation(txn: Txn, key: Key, writer: Writer) -> None:
    owner = txn.plan.allocations.get(key)
    if owner is not None and owner != writer.owner:
        raise Refusal(
            grpc.StatusCode.FAILED_PRECONDITION,
            f"{key[1]!r} was allocated to another caller",
            ErrorReason.ERROR_REASON_ID_ALLOCATED_TO_ANOTHER,
            {"node": _deps.compact(txn.plan.name, key)},
        )


def apply_check(txn: Txn, write: CheckWrite, writer: Writer, field: str) -> None:
    name = write.id.id
    key: Key = ("C", name)
    check = txn.check(name)
    data = fields_to_write(write, CHECK_DATA, field)
    created = check is None
    if check is None:
        _allocation(txn, key, writer)
        if not write.HasField("kind") or not write.kind:
            raise invalid(f"{field}.kind: required when creating check {name!r}", f"{field}.kind")
        check = Check(
            id=CheckId(work_plan=txn.plan.id, id=name),
            kind=write.kind,
            state=CheckState.CHECK_STATE_PLANNING,
            create_revision=txn.revision,
            realm=write.realm or writer.default_realm,
        )
        txn.checks[name] = check
        txn.mark(key, "kind", "realm")
    else:
        for imm in CHECK_IMMUTABLE:
            if write.HasField(imm) and getattr(write, imm) != getattr(check, imm):  # type: ignore[arg-type]
                raise not_writable(
                    f"{field}.{imm}: fixed when the check was created",
                    f"checks.{imm}",
                    CheckState.Name(check.state),
                )
    if check.state == CheckState.CHECK_STATE_FINAL and (
        data
        or write.finalize_result
        or (write.HasField("state") and write.state != CheckState.CHECK_STATE_FINAL)
    ):
        raise not_writable(f"{field}: check {name!r} is FINAL", "checks", "CHECK_STATE_FINAL")
    for n in data:
        _check_writable(CheckWrite.DESCRIPTOR, n, check.state, field)
    if write.finalize_result:
        _check_writable(CheckWrite.DESCRIPTOR, "finalize_result", check.state, field)
    if "options" in data:
        refs = _refs(txn, list(write.options), f"{field}.options")
        replace = write.HasField("update_mask")
        merged = _merge(list(check.options), refs, replace)
        del check.options[:]
        check.options.extend(merged)
        txn.mark(key, "options")
    if "dependencies" in data:
        check.ClearField("dependencies")
        if write.HasField("dependencies"):
            check.dependencies.CopyFrom(write.dependencies)
            _fill_ids(check.dependencies, txn.plan.name)
            _deps.reset(check.dependencies)
        txn.mark(key, "dependencies")
    if "results" in data or write.finalize_result:
        if writer.attempt is None:
            raise invalid(
                f"{field}.results: only a stage attempt (with its token) writes results",
                f"{field}.results",
            )
        result = next((r for r in check.results if r.owner == writer.attempt.id), None)
        if result is not None and result.HasField("final_revision"):
            raise not_writable(
                f"{field}.results: this attempt's result of {name!r} is closed",
                "checks.results",
                CheckState.Name(check.state),
            )
        if result is None:
            result = check.results.add(owner=writer.attempt.id, create_revision=txn.revision)
            # An index for closing results when the attempt ends; a superset
            # if this request fails, which closing tolerates.
            owner = _attempts.attempt_key(writer.attempt.id.stage.id, writer.attempt.id.number)
            txn.plan.results_of.setdefault(owner, set()).add(name)
            result.id.check.CopyFrom(check.id)
            result.id.number = len(check.results)
        if "results" in data:
            refs = _refs(txn, list(write.results), f"{field}.results")
            merged = _merge(list(result.data), refs, write.HasField("update_mask"))
            del result.data[:]
            result.data.extend(merged)
        if write.finalize_result:
            result.final_revision.CopyFrom(txn.revision)
        txn.mark(key, "results")
    if created:
        if write.HasField("state") and not lifecycle.check.is_initial(write.state):
            raise not_writable(
                f"{field}.state: a new check starts PLANNING or PLANNED",
                "checks.state",
                CheckState.Name(write.state),
            )
        if write.state == CheckState.CHECK_STATE_PLANNED:
            check.state = CheckState.CHECK_STATE_PLANNED
        txn.mark(key, "state")
    elif write.HasField("state") and write.state != check.state:
        if write.state == CheckState.CHECK_STATE_FINAL and writer.attempt is not None:
            others = [
                s
                for s, goal in assigned(txn, name)
                if s != writer.stage
                and goal == CheckState.CHECK_STATE_FINAL
                and not _is_final_stage(txn, s)
            ]
            if others:
                raise not_writable(
                    f"{field}.state: stage {others[0]!r} is also assigned {name!r} and not done",
                    "checks.state",
                    CheckState.Name(check.state),
                )
        if not lifecycle.check.can_transition(check.state, write.state):
            raise not_writable(
                f"{field}.state: a check in {CheckState.Name(check.state)} may not move to "
                f"{CheckState.Name(write.state)}",
                "checks.state",
                CheckState.Name(check.state),
            )
        _attempts.move_check(txn, check, write.state)
        if write.state == CheckState.CHECK_STATE_FINAL:
            finalize_check(txn, check, CheckConclusion.Reason.REASON_FINALIZED)


def _is_final_stage(txn: Txn, name: str) -> bool:
    stage = txn.peek_stage(name)
    return stage is not None and stage.state == StageState.STAGE_STATE_FINAL


def finalize_check(
    txn: Txn,
    check: Check,
    reason: CheckConclusion.Reason.ValueType,
    stages: list[str] | None = None,
) -> None:
    check.conclusion.reason = reason
    check.conclusion.actor.CopyFrom(txn.actor)
    check.conclusion.revision.CopyFrom(txn.revision)
    for s in stages or []:
        check.conclusion.stages.add(work_plan=txn.plan.id, id=s)
    key: Key = ("C", check.id.id)
    for result in check.results:
        if not result.HasField("final_revision"):
            result.final_revision.CopyFrom(txn.revision)
            txn.mark(key, "results")
    txn.mark(key, "state", "conclusion")


def assigned(txn: Txn, check: str) -> list[tuple[str, CheckState.ValueType]]:
    """The stages assigned the check, each with its goal state, as the
    transaction has them: the plan's index, corrected by the stages it holds."""
    out = dict(txn.plan.assigned.get(check, {}))
    for name in txn.reassigned:
        out.pop(name, None)
        for a in txn.stages[name].assignments:
            if a.check.id == check:
                out[name] = a.goal_state or _FINAL
    return list(out.items())  # type: ignore[arg-type]


def apply_stage(
    txn: Txn, write: StageWrite, writer: Writer, field: str, validated: list[str]
) -> None:
    name = write.id.id
    key: Key = ("S", name)
    stage = txn.stage(name)
    data = fields_to_write(write, STAGE_DATA, field)
    if stage is None:
        _allocation(txn, key, writer)
        if not write.HasField("args"):
            raise invalid(f"{field}.args: required when creating stage {name!r}", f"{field}.args")
        if write.join_group and writer.attempt is None:
            raise invalid(
                f"{field}.join_group: only a stage attempt may set it", f"{field}.join_group"
            )
        stage = Stage(
            id=StageId(work_plan=txn.plan.id, id=name),
            state=StageState.STAGE_STATE_PLANNED,
            create_revision=txn.revision,
            realm=write.realm or writer.default_realm,
        )
        txn.stages[name] = stage
        txn.mark(key, "realm")
        if write.join_group:
            parent = txn.stage(writer.stage or "")
            assert parent is not None
            parent.group_stages.add(work_plan=txn.plan.id, id=name)
            txn.mark(("S", parent.id.id), "group_stages")
    else:
        if write.HasField("realm") and write.realm != stage.realm:
            raise not_writable(
                f"{field}.realm: fixed when the stage was created",
                "stages.realm",
                StageState.Name(stage.state),
            )
        if write.join_group:
            parent = txn.stage(writer.stage) if writer.stage else None
            if parent is None or all(m.id != name for m in parent.group_stages):
                raise not_writable(
                    f"{field}.join_group: set only when creating the stage",
                    "stages.join_group",
                    StageState.Name(stage.state),
                )
    for n in data:
        _stage_writable(n, stage.state, field)
    if "args" in data:
        if not write.HasField("args"):
            raise invalid(f"{field}.args: a stage always has args", f"{field}.args")
        (ref,) = _refs(txn, [write.args], f"{field}.args")
        stage.args.CopyFrom(ref)
        txn.mark(key, "args")
    if "execution_policy" in data:
        had_request = stage.HasField("requested_execution_policy")
        stage.ClearField("requested_execution_policy")
        stage.ClearField("execution_policy")
        txn.mark(key, "execution_policy")
        if write.HasField("execution_policy"):
            stage.requested_execution_policy.CopyFrom(write.execution_policy)
            stage.execution_policy.CopyFrom(write.execution_policy)
        # What the writer asked for is a field of its own (and so a path of
        # the edit), kept even when the executor leaves it as it is.
        if write.HasField("execution_policy") or had_request:
            txn.mark(key, "requested_execution_policy")
    if "args" in data or "execution_policy" in data:
        validated.append(name)
    if "dependencies" in data:
        stage.ClearField("dependencies")
        if write.HasField("dependencies"):
            stage.dependencies.CopyFrom(write.dependencies)
            _fill_ids(stage.dependencies, txn.plan.name)
            _deps.reset(stage.dependencies)
        txn.mark(key, "dependencies")
    if "assignments" in data:
        del stage.assignments[:]
        for a in write.assignments:
            new = stage.assignments.add()
            new.CopyFrom(a)
            new.check.work_plan.id = txn.plan.name
        txn.mark(key, "assignments")
    if key in txn.changed and "realm" in txn.changed[key]:
        txn.mark(key, "state")
    if write.cancel:
        _attempts.cancel_stage(
            txn,
            name,
            StageAttemptFailure(
                kind=FailureKind.FAILURE_KIND_CANCELLED, message="the stage was cancelled"
            ),
        )


def finish_request(txn: Txn, written: list[Key]) -> None:
    """Step 6 over the whole request: edge targets and assigned checks exist, no circles."""
    for key in written:
        node = txn.peek_check(key[1]) if key[0] == "C" else txn.peek_stage(key[1])
        assert node is not None
        for edge in _deps.edges(node.dependencies):
            target = _deps.key_of(edge.target)
            if target is None or not txn.exists(target):
                raise invalid(
                    f"{_deps.compact(txn.plan.name, key)}: dependency on "
                    f"{target[1] if target else '?'!r}, which does not exist",
                    "dependencies",
                )
        if key[0] == "S":
            for a in node.assignments:  # type: ignore[union-attr]
                if txn.peek_check(a.check.id) is None:
                    raise invalid(
                        f"{_deps.compact(txn.plan.name, key)}: assigned check "
                        f"{a.check.id!r} does not exist",
                        "assignments",
                    )

    def look(k: Key) -> tuple[Check | None, Stage | None]:
        return (txn.peek_check(k[1]), None) if k[0] == "C" else (None, txn.peek_stage(k[1]))

    # Only new waits can close a circle: nodes created, or whose dependencies,
    # assignments or group the request changed.
    waits = {"realm", "dependencies", "assignments", "group_stages"}
    starts = [k for k in txn.changed if waits & set(txn.changed[k])]
    cycle = _deps.find_cycle(starts, look, lambda c: assigned(txn, c))
    if cycle:
        names = [_deps.compact(txn.plan.name, k) for k in cycle]
        if len(names) > 2 * CYCLE_ENDS:
            # Long circles are shortened so the refusal fits gRPC's trailers.
            names = [*names[:CYCLE_ENDS], "...", *names[-CYCLE_ENDS:]]
        text = " -> ".join(names)
        raise Refusal(
            grpc.StatusCode.INVALID_ARGUMENT,
            f"the write would make {len(cycle) - 1} nodes wait in a circle: {text}",
            ErrorReason.ERROR_REASON_DEPENDENCY_CYCLE,
            {"cycle": text},
        )


Validate = Callable[[Stage, str], None]
