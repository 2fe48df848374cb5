# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""What `run` gets: the attempt, its args, cancellation, and writes that
carry the attempt's token."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Generic
from typing import TypeVar

from google.protobuf.message import Message

from turboci.data.common.v1.display_pb2 import Display
from turboci.graph.executor.v1.run_stage_request_pb2 import RunStageRequest
from turboci.graph.ids.v1.check_id_pb2 import CheckId
from turboci.graph.ids.v1.stage_attempt_id_pb2 import StageAttemptId
from turboci.graph.orchestrator.v1.check_state_pb2 import CheckState
from turboci.graph.orchestrator.v1.check_write_pb2 import CheckWrite
from turboci.graph.orchestrator.v1.execution_policy_pb2 import ExecutionPolicy
from turboci.graph.orchestrator.v1.stage_attempt_failure_pb2 import StageAttemptFailure
from turboci.graph.orchestrator.v1.stage_attempt_write_pb2 import StageAttemptWrite
from turboci.graph.orchestrator.v1.write_nodes_request_pb2 import WriteNodesRequest
from turboci.graph.orchestrator.v1.write_nodes_response_pb2 import WriteNodesResponse
from turboci.utils import value
from turboci.utils.client import Client
from turboci.utils.executor._clock import Clock
from turboci.utils.executor._clock import wait_until

A = TypeVar("A", bound=Message)
_log = logging.getLogger("turboci.utils.executor")
# The goal states whose checks an attempt answers with results (Assignment).
_ANSWERS = (CheckState.CHECK_STATE_UNKNOWN, CheckState.CHECK_STATE_FINAL)


class RunContext(Generic[A]):
    """One attempt as its `run` sees it. Writes go to the orchestrator with
    the attempt's token; each is also a heartbeat. After the attempt stopped
    (see AttemptStopped) every write raises AttemptStopped."""

    def __init__(
        self,
        args: A,
        request: RunStageRequest,
        clock: Clock,
        client: Client,
        write: Callable[[WriteNodesRequest], WriteNodesResponse],
    ) -> None:
        self.args = args
        self.request = request
        self.clock = clock
        # For reads with the attempt's token (pass stage_attempt_token=ctx.token).
        self.client = client
        self._write = write
        self._cancelled = threading.Event()
        self._cause: StageAttemptFailure | None = None
        self._callbacks: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    @property
    def attempt(self) -> StageAttemptId:
        return self.request.attempt

    @property
    def token(self) -> str:
        return self.request.stage_attempt_token

    @property
    def policy(self) -> ExecutionPolicy:
        return self.request.execution_policy

    # ------------------------------------------------------------ cancellation

    @property
    def cancelled(self) -> bool:
        """True once the attempt is asked to stop: a cancel, the run timeout,
        or the attempt lost or taken by another process."""
        return self._cancelled.is_set()

    @property
    def cancel_cause(self) -> StageAttemptFailure | None:
        """Why it was asked to stop (kind and message), once it was."""
        with self._lock:
            return self._cause

    def on_cancel(self, callback: Callable[[], None]) -> None:
        """Call `callback` once when the attempt is asked to stop (at once if
        it already was), on a thread of the library's; it must not block."""
        with self._lock:
            if not self._cancelled.is_set():
                self._callbacks.append(callback)
                return
        _call(callback)

    def wait(self, seconds: float) -> bool:
        """Sleep `seconds` on the executor's clock, waking early when the
        attempt is asked to stop; True if it was."""
        return wait_until(self.clock, self.clock.now() + seconds, self._cancelled)

    def cancel(self, cause: StageAttemptFailure) -> bool:
        """Ask the attempt to stop; the first cause is kept. True if this call
        did it. Used by the library; `run` has no need to call it."""
        with self._lock:
            if self._cancelled.is_set():
                return False
            self._cause = cause
            self._cancelled.set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            _call(callback)
        return True

    # ------------------------------------------------------------ writes

    def write_nodes(self, request: WriteNodesRequest) -> WriteNodesResponse:
        """WriteNodes as the attempt: the workplan and the token are filled
        in, and an unset `current_attempt` is set empty (a heartbeat)."""
        return self._write(request)

    def progress(self, detail: Message | str) -> None:
        """Record how far the attempt got, as an attempt detail that replaces
        the previous one of its type; a str becomes a Display title."""
        message = Display(title=detail) if isinstance(detail, str) else detail
        self._write(
            WriteNodesRequest(current_attempt=StageAttemptWrite(details=[value.write(message)]))
        )

    def write_results(self, *results: Message, check: str = "", finalize: bool = False) -> None:
        """Add values to the attempt's result of `check`, or of every check
        the stage is assigned to answer (goal FINAL) when unset; each replaces
        the value of its type. `finalize` closes the result (it is closed
        anyway when the attempt ends)."""
        names = (
            [check]
            if check
            else [a.check.id for a in self.request.assignments if a.goal_state in _ANSWERS]
        )
        writes = [
            CheckWrite(
                id=CheckId(work_plan=self.attempt.stage.work_plan, id=name),
                results=[value.write(r) for r in results],
                finalize_result=finalize or None,
            )
            for name in names
        ]
        self._write(WriteNodesRequest(checks=writes))


def _call(callback: Callable[[], None]) -> None:
    try:
        callback()
    except Exception:
        # A callback's bug must not keep the attempt from ending.
        _log.exception("a cancel callback failed")
