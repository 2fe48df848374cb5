# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Moves of checks, stages and attempts, each judged by the generated
lifecycles (turboci.utils.lifecycle), and what follows from them: closing
results, retries, cancels reaching a stage's group."""

from __future__ import annotations

from turboci.graph.ids.v1.stage_attempt_id_pb2 import StageAttemptId
from turboci.graph.ids.v1.stage_id_pb2 import StageId
from turboci.graph.orchestrator.v1.check_pb2 import Check
from turboci.graph.orchestrator.v1.check_state_pb2 import CheckState
from turboci.graph.orchestrator.v1.failure_kind_pb2 import FailureKind
from turboci.graph.orchestrator.v1.stage_attempt_failure_pb2 import StageAttemptFailure
from turboci.graph.orchestrator.v1.stage_attempt_pb2 import StageAttempt
from turboci.graph.orchestrator.v1.stage_attempt_state_pb2 import StageAttemptState
from turboci.graph.orchestrator.v1.stage_pb2 import Stage
from turboci.graph.orchestrator.v1.stage_state_pb2 import StageState
from turboci.testing._plan import Txn
from turboci.utils import lifecycle

A = StageAttemptState
NEVER_RETRIED = (FailureKind.FAILURE_KIND_REJECTED, FailureKind.FAILURE_KIND_CANCELLED)
# The moves a stage attempt may report about itself (StageAttemptWrite.state).
REPORTABLE: dict[int, tuple[int, ...]] = {
    A.STAGE_ATTEMPT_STATE_PENDING: (A.STAGE_ATTEMPT_STATE_RUNNING, A.STAGE_ATTEMPT_STATE_COMPLETE),
    A.STAGE_ATTEMPT_STATE_SCHEDULED: (
        A.STAGE_ATTEMPT_STATE_RUNNING,
        A.STAGE_ATTEMPT_STATE_COMPLETE,
        A.STAGE_ATTEMPT_STATE_INCOMPLETE,
    ),
    A.STAGE_ATTEMPT_STATE_RUNNING: (
        A.STAGE_ATTEMPT_STATE_TEARING_DOWN,
        A.STAGE_ATTEMPT_STATE_COMPLETE,
        A.STAGE_ATTEMPT_STATE_INCOMPLETE,
    ),
    A.STAGE_ATTEMPT_STATE_CANCELLING: (
        A.STAGE_ATTEMPT_STATE_TEARING_DOWN,
        A.STAGE_ATTEMPT_STATE_INCOMPLETE,
    ),
    A.STAGE_ATTEMPT_STATE_TEARING_DOWN: (
        A.STAGE_ATTEMPT_STATE_COMPLETE,
        A.STAGE_ATTEMPT_STATE_INCOMPLETE,
    ),
}
CLAIMS = (A.STAGE_ATTEMPT_STATE_RUNNING, A.STAGE_ATTEMPT_STATE_COMPLETE)


class LifecycleBug(AssertionError):  # noqa: N818 (a bug, not an error kind)
    """The orchestrator tried a move its own lifecycles forbid: a bug of ours."""


def attempt_key(stage: str, number: int) -> str:
    return f"{stage}:{number}"


def move_check(txn: Txn, check: Check, state: CheckState.ValueType) -> None:
    if not lifecycle.check.can_transition(check.state, state):
        raise LifecycleBug(f"check {check.id.id}: {check.state} -> {state}")
    check.state = state
    txn.mark(("C", check.id.id), "state")


def move_stage(txn: Txn, stage: Stage, state: StageState.ValueType) -> None:
    if not lifecycle.stage.can_transition(stage.state, state):
        raise LifecycleBug(f"stage {stage.id.id}: {stage.state} -> {state}")
    stage.state = state
    txn.mark(("S", stage.id.id), "state")


def move_attempt(
    txn: Txn, stage: Stage, attempt: StageAttempt, state: StageAttemptState.ValueType
) -> None:
    if not lifecycle.stage_attempt.can_transition(attempt.state, state):
        raise LifecycleBug(f"attempt {stage.id.id}:{attempt.id.number}: {attempt.state} -> {state}")
    attempt.state = state
    attempt.transitions.add(state=state, revision=txn.revision)
    txn.mark(("S", stage.id.id), "attempts")


def new_attempt(txn: Txn, stage: Stage, state: StageAttemptState.ValueType) -> StageAttempt:
    if not lifecycle.stage_attempt.is_initial(state):
        raise LifecycleBug(f"attempt born {state}")
    number = len(stage.attempts) + 1
    attempt = stage.attempts.add(
        id=StageAttemptId(stage=StageId(work_plan=txn.plan.id, id=stage.id.id), number=number),
        state=state,
    )
    attempt.transitions.add(state=state, revision=txn.revision)
    txn.mark(("S", stage.id.id), "attempts")
    txn.new_tokens.append((stage.id.id, number))
    return attempt


def current(stage: Stage) -> StageAttempt | None:
    return stage.attempts[-1] if stage.attempts else None


def is_ended(attempt: StageAttempt) -> bool:
    return lifecycle.stage_attempt.is_final(attempt.state)


def _retry_allowed(stage: Stage, failure: StageAttemptFailure) -> bool:
    if failure.kind in NEVER_RETRIED or failure.kind == FailureKind.FAILURE_KIND_UNKNOWN:
        return False
    retry = stage.execution_policy.retry
    if retry.max_attempts and len(stage.attempts) >= retry.max_attempts:
        return False
    budget = next((b.retries for b in retry.budgets if b.kind == failure.kind), 0)
    # The attempt that just failed is among these; the retries spent are the
    # earlier failures of the kind.
    used = sum(1 for a in stage.attempts[:-1] if a.failure.kind == failure.kind)
    return used < budget


def close_results(txn: Txn, attempt: StageAttempt) -> None:
    """An attempt's end closes its results in every check."""
    owner = attempt_key(attempt.id.stage.id, attempt.id.number)
    for name in sorted(txn.plan.results_of.get(owner, ())):
        probe = txn.peek_check(name)
        if probe is None or not any(
            r.owner == attempt.id and not r.HasField("final_revision") for r in probe.results
        ):
            continue
        writable = txn.check(name)
        assert writable is not None
        for result in writable.results:
            if result.owner == attempt.id and not result.HasField("final_revision"):
                result.final_revision.CopyFrom(txn.revision)
        # The result's final_revision records it; no edit of the check
        # (CheckEdit): the attempt wrote nothing into it.
        txn.touch(("C", name))


def end_attempt(
    txn: Txn,
    stage: Stage,
    attempt: StageAttempt,
    state: StageAttemptState.ValueType,
    failure: StageAttemptFailure | None = None,
) -> None:
    """End an attempt COMPLETE or INCOMPLETE; a retry is born in the same write."""
    move_attempt(txn, stage, attempt, state)
    if state == A.STAGE_ATTEMPT_STATE_INCOMPLETE:
        if attempt.HasField("cancel_cause"):
            failure = attempt.cancel_cause  # the orchestrator owns a cancelled attempt's kind
        attempt.failure.CopyFrom(
            failure or StageAttemptFailure(kind=FailureKind.FAILURE_KIND_CRASHED)
        )
    close_results(txn, attempt)
    if state == A.STAGE_ATTEMPT_STATE_INCOMPLETE and _retry_allowed(stage, attempt.failure):
        new_attempt(txn, stage, A.STAGE_ATTEMPT_STATE_AWAITING_RETRY)


def cancel_attempt(txn: Txn, stage: Stage, cause: StageAttemptFailure) -> None:
    """Cancel the stage's unfinished attempt (see StageAttemptState)."""
    attempt = current(stage)
    if attempt is None or is_ended(attempt):
        return
    if attempt.state in (A.STAGE_ATTEMPT_STATE_CANCELLING, A.STAGE_ATTEMPT_STATE_TEARING_DOWN):
        return
    attempt.cancel_cause.CopyFrom(cause)
    if attempt.state == A.STAGE_ATTEMPT_STATE_AWAITING_RETRY:
        end_attempt(txn, stage, attempt, A.STAGE_ATTEMPT_STATE_INCOMPLETE)
    else:
        move_attempt(txn, stage, attempt, A.STAGE_ATTEMPT_STATE_CANCELLING)


def cancel_stage(
    txn: Txn, name: str, cause: StageAttemptFailure, seen: set[str] | None = None
) -> None:
    """StageWrite.cancel: the stage, then its group, and theirs in turn."""
    seen = seen if seen is not None else set()
    if name in seen:
        return
    seen.add(name)
    stage = txn.stage(name)
    if stage is None or stage.state == StageState.STAGE_STATE_FINAL:
        return
    if stage.state == StageState.STAGE_STATE_PLANNED:
        move_stage(txn, stage, StageState.STAGE_STATE_FINAL)
    elif stage.state == StageState.STAGE_STATE_ATTEMPTING:
        cancel_attempt(txn, stage, cause)
    for member in stage.group_stages:
        cancel_stage(txn, member.id, cause, seen)
