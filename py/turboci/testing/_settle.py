# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The orchestrator's own moves, made in one write of its own whenever it
is ticked: retry delays, timeouts and lost heartbeats; resolving
dependencies; ending stages, checks and finally the workplan."""

from __future__ import annotations

from turboci.graph.orchestrator.v1.check_conclusion_pb2 import CheckConclusion
from turboci.graph.orchestrator.v1.check_pb2 import Check
from turboci.graph.orchestrator.v1.check_state_pb2 import CheckState
from turboci.graph.orchestrator.v1.failure_kind_pb2 import FailureKind
from turboci.graph.orchestrator.v1.resolution_pb2 import Resolution
from turboci.graph.orchestrator.v1.stage_attempt_failure_pb2 import StageAttemptFailure
from turboci.graph.orchestrator.v1.stage_attempt_pb2 import StageAttempt
from turboci.graph.orchestrator.v1.stage_attempt_state_pb2 import StageAttemptState
from turboci.graph.orchestrator.v1.stage_pb2 import Stage
from turboci.graph.orchestrator.v1.stage_state_pb2 import StageState
from turboci.testing import _attempts
from turboci.testing import _deps
from turboci.testing import _writes
from turboci.testing._attempts import A
from turboci.testing._attempts import attempt_key
from turboci.testing._plan import Key
from turboci.testing._plan import Txn
from turboci.testing._plan import seconds

# Enum values, looked up once: the generated enum wrappers are slow to read.
_C_FINAL = CheckState.CHECK_STATE_FINAL
_C_PLANNED = CheckState.CHECK_STATE_PLANNED
_C_PLANNING = CheckState.CHECK_STATE_PLANNING
_C_WAITING = CheckState.CHECK_STATE_WAITING
_R_PENDING = Resolution.RESOLUTION_PENDING
_R_SATISFIED = Resolution.RESOLUTION_SATISFIED
_R_UNKNOWN = Resolution.RESOLUTION_UNKNOWN
_R_UNSATISFIABLE = Resolution.RESOLUTION_UNSATISFIABLE
_S_ATTEMPTING = StageState.STAGE_STATE_ATTEMPTING
_S_AWAITING_GROUP = StageState.STAGE_STATE_AWAITING_GROUP
_S_FINAL = StageState.STAGE_STATE_FINAL
_S_PLANNED = StageState.STAGE_STATE_PLANNED

STARTING = (
    A.STAGE_ATTEMPT_STATE_PENDING,
    A.STAGE_ATTEMPT_STATE_THROTTLED,
    A.STAGE_ATTEMPT_STATE_SCHEDULED,
)
STOPPING = (A.STAGE_ATTEMPT_STATE_CANCELLING, A.STAGE_ATTEMPT_STATE_TEARING_DOWN)
# How long a THROTTLED attempt waits before it is sent again.
THROTTLE_WAIT = 0.5


def _entered(attempt: StageAttempt, *states: int) -> float:
    """When the attempt last entered one of states (its latest transition)."""
    for t in reversed(attempt.transitions):
        if t.state in states:
            return seconds(t.revision.commit_time)
    return seconds(attempt.transitions[0].revision.commit_time)


def _first_entered(attempt: StageAttempt, *states: int) -> float:
    """When the attempt first entered one of states: the stop timeout runs
    from CANCELLING or TEARING_DOWN, whichever came first."""
    for t in attempt.transitions:
        if t.state in states:
            return seconds(t.revision.commit_time)
    return seconds(attempt.transitions[-1].revision.commit_time)


def _start_clock(attempt: StageAttempt) -> float:
    # From creation or the move out of AWAITING_RETRY: the first PENDING.
    for t in attempt.transitions:
        if t.state == A.STAGE_ATTEMPT_STATE_PENDING:
            return seconds(t.revision.commit_time)
    return seconds(attempt.transitions[0].revision.commit_time)


def _fail(kind: int, message: str) -> StageAttemptFailure:
    return StageAttemptFailure(kind=kind, message=message)  # type: ignore[arg-type]


def _timers(txn: Txn, stage: Stage) -> bool:
    attempt = _attempts.current(stage)
    if attempt is None or _attempts.is_ended(attempt):
        return False
    policy, now = stage.execution_policy, txn.now
    state = attempt.state
    if state == A.STAGE_ATTEMPT_STATE_AWAITING_RETRY:
        prev = stage.attempts[-2] if len(stage.attempts) > 1 else None
        ended = _entered(prev, A.STAGE_ATTEMPT_STATE_INCOMPLETE) if prev else now
        delay = policy.retry.delay.ToNanoseconds() / 1e9
        if now >= ended + delay:
            _attempts.move_attempt(txn, stage, attempt, A.STAGE_ATTEMPT_STATE_PENDING)
            return True
        return False
    if state == A.STAGE_ATTEMPT_STATE_THROTTLED and now >= _entered(attempt, state) + THROTTLE_WAIT:
        # The executor is asked again once time has passed: back to PENDING.
        _attempts.move_attempt(txn, stage, attempt, A.STAGE_ATTEMPT_STATE_PENDING)
        return True
    start = policy.timeouts.start.ToNanoseconds() / 1e9
    if state in STARTING and start and now - _start_clock(attempt) >= start:
        _attempts.end_attempt(
            txn,
            stage,
            attempt,
            A.STAGE_ATTEMPT_STATE_INCOMPLETE,
            _fail(FailureKind.FAILURE_KIND_START_TIMEOUT, "not RUNNING within the start timeout"),
        )
        return True
    run = policy.timeouts.run.ToNanoseconds() / 1e9
    if state == A.STAGE_ATTEMPT_STATE_RUNNING and run and now - _entered(attempt, state) >= run:
        attempt.cancel_cause.CopyFrom(
            _fail(FailureKind.FAILURE_KIND_RUN_TIMEOUT, f"cancelled after the {run:g}s run timeout")
        )
        _attempts.move_attempt(txn, stage, attempt, A.STAGE_ATTEMPT_STATE_CANCELLING)
        return True
    stop = policy.timeouts.stop.ToNanoseconds() / 1e9
    if state in STOPPING and stop and now - _first_entered(attempt, *STOPPING) >= stop:
        _attempts.end_attempt(
            txn,
            stage,
            attempt,
            A.STAGE_ATTEMPT_STATE_INCOMPLETE,
            _fail(FailureKind.FAILURE_KIND_STOP_TIMEOUT, "did not stop within the stop timeout"),
        )
        return True
    interval = _heartbeat(stage, state)
    if interval:
        last = max(
            _entered(attempt, state),
            seconds(attempt.heartbeat_time) if attempt.HasField("heartbeat_time") else 0,
        )
        if now - last >= 2 * interval:
            _attempts.end_attempt(
                txn,
                stage,
                attempt,
                A.STAGE_ATTEMPT_STATE_INCOMPLETE,
                _fail(FailureKind.FAILURE_KIND_LOST, f"no heartbeat for {2 * interval:g}s"),
            )
            return True
    if state in STOPPING and attempt_key(stage.id.id, attempt.id.number) not in txn.plan.sent:
        # Never sent to its executor: nothing runs that could report its end.
        _attempts.end_attempt(txn, stage, attempt, A.STAGE_ATTEMPT_STATE_INCOMPLETE)
        return True
    return False


def _heartbeat(stage: Stage, state: StageAttemptState.ValueType) -> float:
    policy = stage.execution_policy
    beat = {
        A.STAGE_ATTEMPT_STATE_SCHEDULED: policy.heartbeat.scheduled,
        A.STAGE_ATTEMPT_STATE_RUNNING: policy.heartbeat.running,
        A.STAGE_ATTEMPT_STATE_CANCELLING: policy.heartbeat.running,
        A.STAGE_ATTEMPT_STATE_TEARING_DOWN: policy.heartbeat.tearing_down,
    }.get(state)
    return beat.ToNanoseconds() / 1e9 if beat is not None else 0.0


def deadline(stage: Stage, sent: set[str]) -> float | None:
    """When the earliest timer of the stage's current attempt fires, by the
    rules _timers applies; None if no timer runs (FakeClock tests step to it)."""
    attempt = _attempts.current(stage)
    if (
        stage.state != _S_ATTEMPTING
        or attempt is None
        or _attempts.is_ended(attempt)
        or not attempt.transitions
    ):
        return None
    policy, state = stage.execution_policy, attempt.state
    times: list[float] = []
    if state == A.STAGE_ATTEMPT_STATE_AWAITING_RETRY:
        prev = stage.attempts[-2] if len(stage.attempts) > 1 else None
        ended = _entered(prev, A.STAGE_ATTEMPT_STATE_INCOMPLETE) if prev else 0.0
        return ended + policy.retry.delay.ToNanoseconds() / 1e9
    if state == A.STAGE_ATTEMPT_STATE_THROTTLED:
        times.append(_entered(attempt, state) + THROTTLE_WAIT)
    start = policy.timeouts.start.ToNanoseconds() / 1e9
    if state in STARTING and start:
        times.append(_start_clock(attempt) + start)
    run = policy.timeouts.run.ToNanoseconds() / 1e9
    if state == A.STAGE_ATTEMPT_STATE_RUNNING and run:
        times.append(_entered(attempt, state) + run)
    stop = policy.timeouts.stop.ToNanoseconds() / 1e9
    if state in STOPPING and stop:
        times.append(_first_entered(attempt, *STOPPING) + stop)
    interval = _heartbeat(stage, state)
    if interval:
        beat = seconds(attempt.heartbeat_time) if attempt.HasField("heartbeat_time") else 0
        times.append(max(_entered(attempt, state), beat) + 2 * interval)
    if state in STOPPING and attempt_key(stage.id.id, attempt.id.number) not in sent:
        times.append(_entered(attempt, state))
    return min(times, default=None)


def _look(txn: Txn, key: Key) -> tuple[Check | None, Stage | None]:
    return (txn.peek_check(key[1]), None) if key[0] == "C" else (None, txn.peek_stage(key[1]))


def _pending(node: Check | Stage) -> bool:
    return node.HasField("dependencies") and node.dependencies.resolution in (
        _R_PENDING,
        _R_UNKNOWN,
    )


def resolve_all(txn: Txn) -> bool:
    """Resolve the pending dependencies of every node whose dependencies are
    fixed (all but PLANNING checks), FINAL ones included, so that a finished
    workplan holds no pending edge. Moves no node."""
    changed = False
    for kind, names in (("C", txn.check_names()), ("S", txn.stage_names())):
        for name in names:
            key: Key = (kind, name)
            peek = txn.peek_check(name) if kind == "C" else txn.peek_stage(name)
            if peek is None or not _pending(peek) or (kind == "C" and peek.state == _C_PLANNING):
                continue
            node = txn.check(name) if kind == "C" else txn.stage(name)
            assert node is not None
            before = node.dependencies.resolution
            if _deps.resolve(node.dependencies, lambda k: _look(txn, k), txn.revision):
                # Only the edit that resolves the whole group shows it
                # (CheckEdit, StageEdit); a single edge changes the node quietly.
                if node.dependencies.resolution != before:
                    txn.mark(key, "dependencies")
                else:
                    txn.touch(key)
                changed = True
            txn.release(key)
    return changed


def _root(node: Check | Stage) -> int:
    return node.dependencies.resolution if node.HasField("dependencies") else _R_SATISFIED


def _dependencies(txn: Txn) -> bool:
    """Resolve dependencies, and move PLANNED nodes on when theirs resolve."""
    changed = resolve_all(txn)
    for name in txn.check_names():
        peek = txn.peek_check(name)
        if peek is None or peek.state != _C_PLANNED or _root(peek) in (_R_PENDING, _R_UNKNOWN):
            continue
        check = txn.check(name)
        assert check is not None
        if _root(check) == _R_SATISFIED:
            _attempts.move_check(txn, check, _C_WAITING)
        else:
            _attempts.move_check(txn, check, _C_FINAL)
            _writes.finalize_check(
                txn, check, CheckConclusion.Reason.REASON_DEPENDENCIES_UNSATISFIABLE
            )
        changed = True
    for name in txn.stage_names():
        speek = txn.peek_stage(name)
        if speek is None or speek.state != _S_PLANNED or _root(speek) in (_R_PENDING, _R_UNKNOWN):
            continue
        stage = txn.stage(name)
        assert stage is not None
        if _root(stage) == _R_SATISFIED:
            _attempts.move_stage(txn, stage, _S_ATTEMPTING)
            _attempts.new_attempt(txn, stage, A.STAGE_ATTEMPT_STATE_PENDING)
        else:
            _attempts.move_stage(txn, stage, _S_FINAL)
        changed = True
    return changed


def _stages(txn: Txn) -> bool:
    changed = False
    for name in txn.stage_names():
        peek = txn.peek_stage(name)
        if peek is None or peek.state not in (
            _S_ATTEMPTING,
            _S_AWAITING_GROUP,
        ):
            continue
        stage = txn.stage(name)
        assert stage is not None
        changed = _stage(txn, stage) or changed
        txn.release(("S", name))
    return changed


def _stage(txn: Txn, stage: Stage) -> bool:
    changed = False
    if stage.state == _S_ATTEMPTING:
        changed = _timers(txn, stage) or changed
        attempt = _attempts.current(stage)
        if attempt is not None and _attempts.is_ended(attempt):
            group_done = all(_is_final(txn, m.id) for m in stage.group_stages)
            nxt = _S_FINAL if group_done else _S_AWAITING_GROUP
            _attempts.move_stage(txn, stage, nxt)
            changed = True
    elif stage.state == _S_AWAITING_GROUP and all(_is_final(txn, m.id) for m in stage.group_stages):
        _attempts.move_stage(txn, stage, _S_FINAL)
        changed = True
    return changed


def _is_final(txn: Txn, name: str) -> bool:
    stage = txn.peek_stage(name)
    return stage is None or stage.state == _S_FINAL


def _checks(txn: Txn) -> bool:
    changed = False
    all_stages_final = all(_is_final(txn, s) for s in txn.stage_names())
    for name in txn.check_names():
        peek = txn.peek_check(name)
        if peek is None or peek.state == _C_FINAL:
            continue
        check = txn.check(name)
        assert check is not None
        owners = [s for s, goal in _writes.assigned(txn, name) if goal == _C_FINAL]
        if check.state == _C_WAITING and owners and all(_is_final(txn, s) for s in owners):
            failed = [s for s in owners if not _deps.has_complete_attempt(txn.peek_stage(s))]  # type: ignore[arg-type]
            _attempts.move_check(txn, check, _C_FINAL)
            if len(failed) == len(owners):
                _writes.finalize_check(
                    txn, check, CheckConclusion.Reason.REASON_STAGES_FAILED, failed
                )
            else:
                _writes.finalize_check(txn, check, CheckConclusion.Reason.REASON_STAGES_ENDED)
            changed = True
        elif not owners and all_stages_final and check.state != _C_PLANNING:
            # Decision: a PLANNING check is still its writer's to plan, so only
            # PLANNED and WAITING checks end unassigned.
            _attempts.move_check(txn, check, _C_FINAL)
            _writes.finalize_check(txn, check, CheckConclusion.Reason.REASON_UNASSIGNED)
            changed = True
        txn.release(("C", name))
    return changed


def settle(txn: Txn) -> None:
    """Make every move the rules call for now, until none is left."""
    for _ in range(1000):
        changed = _stages(txn)
        changed = _dependencies(txn) or changed
        changed = _checks(txn) or changed
        if not changed:
            break
    finish(txn)


def finish(txn: Txn) -> None:
    """Set finish_revision once every check and stage is FINAL."""
    if txn.header.HasField("finish_revision"):
        return
    checks = [txn.peek_check(n) for n in txn.check_names()]
    stages = [txn.peek_stage(n) for n in txn.stage_names()]
    if all(c is not None and c.state == _C_FINAL for c in checks) and all(
        s is not None and s.state == _S_FINAL for s in stages
    ):
        txn.header.finish_revision.CopyFrom(txn.revision)
        txn.header_changed = True
