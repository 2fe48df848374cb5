# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The attempt's writes to the orchestrator: a request_id on each, and
UNAVAILABLE or INTERNAL retried with backoff within a deadline, as every
client of the API does (CLIENT_CONTRACT "Calls")."""

from __future__ import annotations

import random
import time
import uuid

import grpc
from google.rpc import error_details_pb2  # type: ignore[import-untyped, attr-defined, unused-ignore]
from google.rpc import status_pb2  # type: ignore[import-untyped, attr-defined, unused-ignore]

from turboci.graph.orchestrator.v1 import (
    turbo_ci_orchestrator_service_pb2_grpc as orchestrator_grpc,
)
from turboci.graph.orchestrator.v1.write_nodes_request_pb2 import WriteNodesRequest
from turboci.graph.orchestrator.v1.write_nodes_response_pb2 import WriteNodesResponse

RETRIED = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.INTERNAL)
DOMAIN = "turboci.graph.orchestrator.v1"
FIRST_SLEEP = 0.1
MAX_SLEEP = 5.0


class CallError(Exception):
    """A write the orchestrator refused, or that found it unreachable until
    the deadline; `reason` is the ErrorInfo reason ("TOKEN_EXPIRED"), or ""."""

    def __init__(self, code: grpc.StatusCode, message: str, reason: str, attempts: int) -> None:
        super().__init__(f"{code.name}: {message} (after {attempts} attempt(s))")
        self.code = code
        self.message = message
        self.reason = reason
        self.attempts = attempts


def _reason(exc: grpc.Call) -> str:
    for key, raw in exc.trailing_metadata() or ():
        if key != "grpc-status-details-bin" or not isinstance(raw, bytes):
            continue
        status = status_pb2.Status.FromString(raw)
        for packed in status.details:
            info = error_details_pb2.ErrorInfo()
            if packed.Unpack(info) and info.domain == DOMAIN:
                # The API names reasons without the prefix; tolerate either.
                return str(info.reason).removeprefix("ERROR_REASON_")
    return ""


class Writer:
    """WriteNodes through a stub, retried within each call's timeout."""

    def __init__(self, stub: orchestrator_grpc.TurboCIOrchestratorStub) -> None:
        self.stub = stub

    def write(self, request: WriteNodesRequest, timeout: float) -> WriteNodesResponse:
        if not request.request_id:
            request.request_id = str(uuid.uuid4())
        deadline = time.monotonic() + timeout
        sleep = FIRST_SLEEP
        attempts = 0
        while True:
            attempts += 1
            left = deadline - time.monotonic()
            try:
                answer: WriteNodesResponse = self.stub.WriteNodes(request, timeout=max(left, 0.001))
                return answer
            except grpc.RpcError as exc:
                call = exc if isinstance(exc, grpc.Call) else None
                code = call.code() if call else grpc.StatusCode.UNKNOWN
                message = (call.details() if call else "") or str(exc)
                reason = _reason(call) if call else ""
                pause = random.uniform(sleep / 2, sleep)
                if code not in RETRIED or time.monotonic() + pause >= deadline:
                    raise CallError(code, message, reason, attempts) from None
            time.sleep(pause)
            sleep = min(sleep * 2, MAX_SLEEP)
