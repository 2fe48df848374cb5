# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""One attempt's life in the executor: claim it, run the author's code on a
thread of its own, heartbeat, stop it on a cancel or a timeout, and report
how it ended."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from google.protobuf.duration_pb2 import Duration
from google.protobuf.message import Message

from turboci.graph.executor.v1.run_stage_request_pb2 import RunStageRequest
from turboci.graph.orchestrator.v1.failure_kind_pb2 import FailureKind
from turboci.graph.orchestrator.v1.stage_attempt_failure_pb2 import StageAttemptFailure
from turboci.graph.orchestrator.v1.stage_attempt_pb2 import StageAttempt
from turboci.graph.orchestrator.v1.stage_attempt_state_pb2 import StageAttemptState
from turboci.graph.orchestrator.v1.stage_attempt_write_pb2 import StageAttemptWrite
from turboci.graph.orchestrator.v1.write_nodes_request_pb2 import WriteNodesRequest
from turboci.graph.orchestrator.v1.write_nodes_response_pb2 import WriteNodesResponse
from turboci.utils.client import Client
from turboci.utils.client import TurboCIError
from turboci.utils.executor._clock import Clock
from turboci.utils.executor._clock import wait_until
from turboci.utils.executor._context import RunContext
from turboci.utils.executor._errors import AttemptStopped
from turboci.utils.executor._errors import StageFailure

S = StageAttemptState
K = FailureKind
_log = logging.getLogger("turboci.utils.executor")
# A write's deadline when no heartbeat interval bounds it (CLIENT_CONTRACT "Calls").
DEFAULT_TIMEOUT = 30.0
# Refusals after which the work must stop and write nothing more.
STOPPING = ("TOKEN_EXPIRED", "CLAIMED_BY_ANOTHER_PROCESS")
# The longest a wait sleeps before it looks again; Event.wait takes no infinity.
_LONGEST_WAIT = 3600.0
_MESSAGE_LIMIT = 1000
# How long a heartbeat already past its budget is tried.
LATE_TRY = 5.0


def seconds(d: Duration) -> float:
    return d.seconds + d.nanos / 1e9


def failure(kind: FailureKind.ValueType, message: str) -> StageAttemptFailure:
    return StageAttemptFailure(kind=kind, message=message[:_MESSAGE_LIMIT])


class Attempt:
    """Drives one attempt on a thread of its own; `start` returns at once."""

    def __init__(
        self,
        args: Message,
        request: RunStageRequest,
        clock: Clock,
        client: Client,
        run: Callable[[RunContext[Any]], None],
        process_id: str,
        on_done: Callable[[], None],
    ) -> None:
        ctx: RunContext[Any] = RunContext(args, request, clock, client, self.write)
        self.ctx = ctx
        self._client = client
        self._run = run
        self._process_id = process_id
        self._on_done = on_done
        self._clock = ctx.clock
        policy = ctx.policy
        self._heartbeat = seconds(policy.heartbeat.running)
        self._run_timeout = seconds(policy.timeouts.run)
        self._stop_timeout = seconds(policy.timeouts.stop)
        self._lock = threading.Lock()
        self._stopped = ""  # why no more writes may be made, once none may
        self._last_ok = self._claimed_at = self._clock.now()
        self._wake = threading.Event()
        self._run_done = threading.Event()
        self._outcome: BaseException | None = None
        self._cancelled_at: float | None = None
        self._refused = ""  # why the claim was refused, if it was
        ctx.on_cancel(self._on_cancel)

    def start(self) -> None:
        threading.Thread(target=self._drive, name=f"attempt {self._name()}", daemon=True).start()

    def cancel(self, cause: StageAttemptFailure) -> None:
        self.ctx.cancel(cause)

    def _on_cancel(self) -> None:
        # The stop timeout counts from the cancel, not from when the loop sees it.
        self._cancelled_at = self._clock.now()
        self._wake.set()

    def _name(self) -> str:
        a = self.ctx.attempt
        return f"{a.stage.work_plan.id}:{a.stage.id}:{a.number}"

    # ------------------------------------------------------------ writes

    def write(
        self, request: WriteNodesRequest, timeout: float = DEFAULT_TIMEOUT
    ) -> WriteNodesResponse:
        """A write as the attempt (what RunContext's writes call)."""
        with self._lock:
            if self._stopped:
                raise AttemptStopped(self._stopped)
        return self._send(request, timeout)

    def _send(self, request: WriteNodesRequest, timeout: float) -> WriteNodesResponse:
        request.work_plan.CopyFrom(self.ctx.attempt.stage.work_plan)
        request.stage_attempt_token = self.ctx.token
        if not request.HasField("current_attempt"):
            request.current_attempt.SetInParent()  # every write is a heartbeat too
        # Counted from before the call: the orchestrator saw it no earlier.
        sent_at = self._clock.now()
        try:
            # The client adds a request_id and retries UNAVAILABLE and INTERNAL
            # with backoff within the timeout.
            answer = self._client.write_nodes(request, timeout=timeout)
        except TurboCIError as exc:
            if exc.reason in STOPPING:
                why = f"the orchestrator refused a write with {exc.reason}: {exc.message}"
                self._stop(why)
                raise AttemptStopped(why) from exc
            raise
        with self._lock:
            self._last_ok = max(self._last_ok, sent_at)
        self._learn(answer.current_attempt)
        return answer

    def _learn(self, current: StageAttempt) -> None:
        """The answer to each write says where the attempt stands."""
        if current.state == S.STAGE_ATTEMPT_STATE_CANCELLING:
            cause = current.cancel_cause if current.HasField("cancel_cause") else None
            self.ctx.cancel(cause or failure(K.FAILURE_KIND_CANCELLED, "cancelled"))

    def _stop(self, why: str) -> None:
        """No more writes: the work is told to stop and nothing is reported."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = why
        _log.warning("attempt %s stops: %s", self._name(), why)
        self.ctx.cancel(failure(K.FAILURE_KIND_LOST, why))
        self._wake.set()

    # ------------------------------------------------------------ the life

    def _drive(self) -> None:
        try:
            if self._claim():
                threading.Thread(
                    target=self._call_run, name=f"run {self._name()}", daemon=True
                ).start()
                self._supervise()
            self._end()
        except Exception:
            _log.exception("attempt %s: internal error of the executor library", self._name())
        finally:
            self._on_done()

    def _claim(self) -> bool:
        """Claim the attempt for this process; False if the work must not run."""
        if self.ctx.cancelled:
            return False
        claim = StageAttemptWrite(state=S.STAGE_ATTEMPT_STATE_RUNNING, process_id=self._process_id)
        # The run timeout counts from the claim, as the orchestrator's does.
        self._claimed_at = self._clock.now()
        try:
            self.write(WriteNodesRequest(current_attempt=claim))
        except AttemptStopped:
            return False
        except TurboCIError as exc:
            if exc.retryable:
                # Unreachable: the orchestrator ends it at its start timeout.
                self._stop(f"the claim failed: {exc}")
            else:
                # Refused (cancelled meanwhile, say): the end report says why,
                # and a cancelled attempt ends with its cause.
                self._refused = f"the claim was refused: {exc}"
            return False
        return not self.ctx.cancelled

    def _call_run(self) -> None:
        try:
            self._run(self.ctx)
        except BaseException as exc:  # every way out of run is reported
            self._outcome = exc
        finally:
            self._run_done.set()
            self._wake.set()

    def _supervise(self) -> None:
        started = self._claimed_at
        while True:
            self._wake.clear()
            if self._run_done.is_set() or self._stopped:
                return
            now = self._clock.now()
            cancelled_at = self._cancelled_at
            if not self.ctx.cancelled and self._run_timeout and now >= started + self._run_timeout:
                self.ctx.cancel(
                    failure(
                        K.FAILURE_KIND_RUN_TIMEOUT,
                        f"ran longer than the {self._run_timeout:g}s run timeout",
                    )
                )
                continue
            if (
                cancelled_at is not None
                and self._stop_timeout
                and now >= cancelled_at + self._stop_timeout
            ):
                _log.warning("attempt %s: run outlived the stop timeout", self._name())
                return
            if self._heartbeat and now >= self._last_ok + self._heartbeat:
                self._beat()
                continue
            times = [self._last_ok + self._heartbeat] if self._heartbeat else []
            if self._run_timeout and cancelled_at is None:
                times.append(started + self._run_timeout)
            if cancelled_at is not None and self._stop_timeout:
                times.append(cancelled_at + self._stop_timeout)
            wait_until(self._clock, min(times, default=now + _LONGEST_WAIT), self._wake)

    def _beat(self) -> None:
        """One heartbeat, retried until two intervals passed since the last
        accepted one (when the orchestrator counts the attempt lost)."""
        left = self._last_ok + 2 * self._heartbeat - self._clock.now()
        # A heartbeat already late (the process was paused) is still tried,
        # briefly: the orchestrator may not have counted the attempt lost yet.
        timeout = max(left, min(self._heartbeat, LATE_TRY))
        try:
            self.write(WriteNodesRequest(current_attempt=StageAttemptWrite()), timeout=timeout)
            return
        except AttemptStopped:
            return
        except TurboCIError as exc:
            if not exc.retryable:
                self._stop(f"a heartbeat was refused: {exc}")
                return
        self._stop(
            "no heartbeat reached the orchestrator for two intervals of "
            f"{self._heartbeat:g}s; the attempt counts as lost"
        )

    def _end(self) -> None:
        """Report how the attempt ended, once, unless it was stopped."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = "the attempt has ended"
        report = StageAttemptWrite(state=S.STAGE_ATTEMPT_STATE_INCOMPLETE)
        outcome = self._outcome
        if self.ctx.cancelled:
            # A cancelled attempt ends with its cause, whatever run did.
            report.failure.CopyFrom(self.ctx.cancel_cause or failure(K.FAILURE_KIND_CANCELLED, ""))
        elif self._refused:
            report.failure.CopyFrom(failure(K.FAILURE_KIND_CRASHED, self._refused))
        elif isinstance(outcome, StageFailure):
            report.failure.CopyFrom(failure(outcome.kind, outcome.message))
        elif outcome is not None:
            _log.warning("attempt %s: run raised", self._name(), exc_info=outcome)
            report.failure.CopyFrom(
                failure(K.FAILURE_KIND_CRASHED, f"{type(outcome).__name__}: {outcome}")
            )
        else:
            report = StageAttemptWrite(state=S.STAGE_ATTEMPT_STATE_COMPLETE)
        try:
            # The whole default deadline: if the orchestrator counted the
            # attempt lost meanwhile, the answer is TOKEN_EXPIRED, no harm.
            self._send(WriteNodesRequest(current_attempt=report), DEFAULT_TIMEOUT)
        except (AttemptStopped, TurboCIError) as exc:
            _log.warning("attempt %s: its end was not reported: %s", self._name(), exc)
