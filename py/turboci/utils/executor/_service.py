# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The TurboCIStageExecutor service around an Executor: args checked,
attempts started once per process, cancels passed on."""

from __future__ import annotations

import inspect
import logging
import threading
from collections import deque
from collections.abc import Mapping
from typing import Any
from typing import NoReturn

import grpc
from google.protobuf.message import Message

from turboci.graph.executor.v1 import turbo_ci_stage_executor_service_pb2_grpc as executor_grpc
from turboci.graph.executor.v1.cancel_stage_request_pb2 import CancelStageRequest
from turboci.graph.executor.v1.cancel_stage_response_pb2 import CancelStageResponse
from turboci.graph.executor.v1.run_stage_request_pb2 import RunStageRequest
from turboci.graph.executor.v1.run_stage_response_pb2 import RunStageResponse
from turboci.graph.executor.v1.validate_stage_request_pb2 import ValidateStageRequest
from turboci.graph.executor.v1.validate_stage_response_pb2 import ValidateStageResponse
from turboci.graph.ids.v1.stage_attempt_id_pb2 import StageAttemptId
from turboci.graph.orchestrator.v1.failure_kind_pb2 import FailureKind
from turboci.graph.orchestrator.v1.value_data_pb2 import ValueData
from turboci.graph.orchestrator.v1.value_ref_pb2 import ValueRef
from turboci.utils import value
from turboci.utils.client import Client
from turboci.utils.executor._attempt import Attempt
from turboci.utils.executor._attempt import failure
from turboci.utils.executor._clock import Clock
from turboci.utils.executor._clock import MonotonicClock
from turboci.utils.executor._errors import StageRejected
from turboci.utils.executor._executor import Executor
from turboci.utils.executor._process import process_id as this_process

Key = tuple[str, str, int]
_log = logging.getLogger("turboci.utils.executor")
# How many ended attempts are remembered, so a RunStage sent again after the
# end runs nothing; older ones would fail their claim (TOKEN_EXPIRED) anyway
# once the orchestrator has recorded their end.
REMEMBERED = 100_000


def _key(attempt: StageAttemptId) -> Key:
    return (attempt.stage.work_plan.id, attempt.stage.id, attempt.number)


def _abort(context: grpc.ServicerContext, code: grpc.StatusCode, message: str) -> NoReturn:
    context.abort(code, message)
    raise AssertionError("unreachable: abort raises")


class ExecutorServicer(executor_grpc.TurboCIStageExecutorServicer):
    """Serves ValidateStage, RunStage and CancelStage for `executor`.

    `orchestrator` is where attempts report: a target or a channel; unset,
    each attempt reports to its RunStageRequest.orchestrator_host, over
    TLS (`credentials`, by default the system's roots) or, with
    `insecure=True`, in plain text (as the reference orchestrator serves).
    In production, name the orchestrator: whoever can call
    RunStage otherwise chooses where the executor connects. `clock`
    measures heartbeats and timeouts (tests pass a FakeClock);
    `process_id` replaces "<host>:<pid>:<start time>"; with
    `max_running`, a RunStage beyond that many live attempts is answered
    RESOURCE_EXHAUSTED (the orchestrator sends it again later)."""

    def __init__(
        self,
        executor: Executor[Any],
        *,
        orchestrator: str | grpc.Channel | None = None,
        credentials: grpc.ChannelCredentials | None = None,
        insecure: bool = False,
        clock: Clock | None = None,
        process_id: str | None = None,
        max_running: int | None = None,
    ) -> None:
        args_type = getattr(executor, "args_type", None)
        if not (isinstance(args_type, type) and issubclass(args_type, Message)):
            raise TypeError(f"{type(executor).__name__}.args_type must be a message class")
        if inspect.iscoroutinefunction(executor.run) or inspect.iscoroutinefunction(
            executor.validate
        ):
            # Called on threads, a coroutine would never run and the attempt
            # would end COMPLETE at once.
            raise TypeError(f"{type(executor).__name__}: run and validate must not be async")
        self.executor = executor
        self.args_type: type[Message] = args_type
        self.type_url = value.type_url_of(args_type)
        self._orchestrator = orchestrator
        self._credentials = credentials
        self._insecure = insecure
        self._clock: Clock = clock or MonotonicClock()
        self._process_id = process_id or this_process()
        self._max_running = max_running
        self._lock = threading.Lock()
        self._live: dict[Key, Attempt] = {}
        self._seen: set[Key] = set()
        self._ended: deque[Key] = deque()
        self._clients: dict[str, Client] = {}

    # ------------------------------------------------------------ helpers

    def _args(
        self, ref: ValueRef, value_data: Mapping[str, ValueData], context: grpc.ServicerContext
    ) -> Message:
        if ref.type_url != self.type_url:
            _abort(
                context,
                grpc.StatusCode.INVALID_ARGUMENT,
                f"args are {ref.type_url or 'unset'}; this executor serves {self.type_url}",
            )
        try:
            return value.lookup(ref, value_data, self.args_type)
        except value.ValueLookupError as exc:
            _abort(context, grpc.StatusCode.INVALID_ARGUMENT, f"args: {exc}")

    def _client(self, host: str) -> Client:
        """One client per orchestrator, shared by its attempts."""
        where = self._orchestrator if self._orchestrator is not None else host
        key = where if isinstance(where, str) else f"channel {id(where)}"
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = (
                    Client(where, credentials=self._credentials, insecure=self._insecure)
                    if isinstance(where, str)
                    else Client(where)
                )
                self._clients[key] = client
            return client

    def close(self) -> None:
        """Close the channels the servicer opened (not one it was given)."""
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()

    def _done(self, key: Key) -> None:
        with self._lock:
            self._live.pop(key, None)
            self._ended.append(key)
            if len(self._ended) > REMEMBERED:
                self._seen.discard(self._ended.popleft())

    # ------------------------------------------------------------ the service

    def ValidateStage(  # noqa: N802
        self, request: ValidateStageRequest, context: grpc.ServicerContext
    ) -> ValidateStageResponse:
        args = self._args(request.args, request.value_data, context)
        asked = request.execution_policy if request.HasField("execution_policy") else None
        try:
            policy = self.executor.validate(args, asked)
        except StageRejected as exc:
            _abort(context, grpc.StatusCode.INVALID_ARGUMENT, exc.message)
        except Exception as exc:
            # Not a refusal: the writer sees EXECUTOR_UNAVAILABLE and may retry.
            _log.exception("validate failed")
            _abort(context, grpc.StatusCode.INTERNAL, f"validate failed: {exc!r}")
        return ValidateStageResponse(execution_policy=policy)

    def RunStage(  # noqa: N802
        self, request: RunStageRequest, context: grpc.ServicerContext
    ) -> RunStageResponse:
        key = _key(request.attempt)
        if not (key[0] and key[1] and key[2] > 0):
            _abort(
                context,
                grpc.StatusCode.INVALID_ARGUMENT,
                "attempt: a workplan ID, a stage ID and a number above 0 are required",
            )
        with self._lock:
            if key in self._seen:
                return RunStageResponse()  # never the same attempt twice in one process
        if not request.stage_attempt_token:
            _abort(context, grpc.StatusCode.INVALID_ARGUMENT, "stage_attempt_token: required")
        if not request.orchestrator_host and self._orchestrator is None:
            _abort(
                context,
                grpc.StatusCode.FAILED_PRECONDITION,
                "orchestrator_host is unset and the executor was given no orchestrator",
            )
        args = self._args(request.args, request.value_data, context)
        attempt = Attempt(
            args,
            request,
            self._clock,
            self._client(request.orchestrator_host),
            self.executor.run,
            self._process_id,
            lambda: self._done(key),
        )
        with self._lock:
            if key in self._seen:
                return RunStageResponse()
            if self._max_running is not None and len(self._live) >= self._max_running:
                _abort(
                    context,
                    grpc.StatusCode.RESOURCE_EXHAUSTED,
                    f"{len(self._live)} attempts run already, the most this executor runs",
                )
            self._seen.add(key)
            self._live[key] = attempt
        attempt.start()
        return RunStageResponse()

    def CancelStage(  # noqa: N802
        self, request: CancelStageRequest, context: grpc.ServicerContext
    ) -> CancelStageResponse:
        key = _key(request.attempt)
        with self._lock:
            attempt = self._live.get(key)
            seen = key in self._seen
        if attempt is None and not seen:
            _abort(context, grpc.StatusCode.NOT_FOUND, "this executor never ran the attempt")
        if attempt is not None:
            cause = request.cause if request.HasField("cause") else None
            attempt.cancel(cause or failure(FailureKind.FAILURE_KIND_CANCELLED, "cancelled"))
        return CancelStageResponse()
