# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Helpers of the executor library's tests: a proxy that can make the
orchestrator unreachable, workplans with one build stage, and waiting for
what the executor's threads do."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent import futures
from typing import Any

import grpc
from turboci.graph.ids.v1.work_plan_id_pb2 import WorkPlanId
from turboci.graph.orchestrator.v1.execution_policy_pb2 import ExecutionPolicy
from turboci.graph.orchestrator.v1.stage_attempt_pb2 import StageAttempt
from turboci.graph.orchestrator.v1.work_plan_pb2 import WorkPlan
from turboci.graph.orchestrator.v1.write_nodes_request_pb2 import WriteNodesRequest
from turboci.testing import Reference
from turboci.utils.executor import Executor
from turboci.utils.executor import serve
from turboci.utils.value import type_url_of

from tests.testing.support import check
from tests.testing.support import create
from tests.testing.support import read
from tests.testing.support import stage

WRITE_NODES = "/turboci.graph.orchestrator.v1.TurboCIOrchestrator/WriteNodes"


def eventually(what: Callable[[], Any], timeout: float = 30.0, message: str = "") -> Any:
    """Poll until `what()` is truthy (the executor works on threads of its own).

    The limit is generous: a passing wait ends in well under a second, and a
    commit queue's machine, both cores busy with the rest of the suite, has
    taken over ten."""
    end = time.monotonic() + timeout
    while True:
        got = what()
        if got:
            return got
        if time.monotonic() > end:
            raise AssertionError(f"not within {timeout}s: {message or what}")
        time.sleep(0.01)


def policy(
    heartbeat: float = 0, run: float = 0, stop: float = 0, retries: dict[int, int] | None = None
) -> ExecutionPolicy:
    out = ExecutionPolicy()
    if heartbeat:
        out.heartbeat.running.FromNanoseconds(int(heartbeat * 1e9))
    if run:
        out.timeouts.run.FromNanoseconds(int(run * 1e9))
    if stop:
        out.timeouts.stop.FromNanoseconds(int(stop * 1e9))
    for kind, n in (retries or {}).items():
        out.retry.budgets.add(kind=kind, retries=n)
    return out


class Proxy(grpc.GenericRpcHandler):
    """A gRPC server in front of the orchestrator: forwards every unary call,
    with its trailers, except those `failing` picks, answered UNAVAILABLE
    as an unreachable orchestrator would be. Records the WriteNodes it saw."""

    def __init__(self, target: str) -> None:
        self._channel = grpc.insecure_channel(target)
        self.failing: Callable[[WriteNodesRequest], bool] = lambda request: False
        # WriteNodes that `holding` picks wait for `release` before going on.
        self.holding: Callable[[WriteNodesRequest], bool] = lambda request: False
        self.held = threading.Event()
        self.release = threading.Event()
        self.writes: list[tuple[WriteNodesRequest, bool]] = []  # (request, forwarded)
        self._lock = threading.Lock()
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        self._server.add_generic_rpc_handlers([self])
        port = self._server.add_insecure_port("127.0.0.1:0")
        self._server.start()
        self.address = f"127.0.0.1:{port}"

    def service(self, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler[bytes, bytes]:
        method: str = details.method
        return grpc.unary_unary_rpc_method_handler(
            lambda request, context: self._forward(method, request, context)
        )

    def _forward(self, method: str, raw: bytes, context: grpc.ServicerContext) -> bytes:
        if method == WRITE_NODES:
            request = WriteNodesRequest.FromString(raw)
            with self._lock:
                fail = self.failing(request)
                self.writes.append((request, not fail))
            if self.holding(request):
                self.held.set()
                self.release.wait(10)
            if fail:
                context.abort(grpc.StatusCode.UNAVAILABLE, "proxy: the orchestrator is unreachable")
        try:
            call: grpc.UnaryUnaryMultiCallable[bytes, bytes] = self._channel.unary_unary(method)
            answer: bytes = call(raw, timeout=10)
            return answer
        except grpc.RpcError as exc:
            assert isinstance(exc, grpc.Call)
            context.set_trailing_metadata(exc.trailing_metadata() or ())
            context.abort(exc.code(), exc.details() or "")
            raise

    def heartbeats(self) -> list[tuple[WriteNodesRequest, bool]]:
        """The bare heartbeats seen: current_attempt without a move or nodes."""
        with self._lock:
            return [
                (r, ok)
                for r, ok in self.writes
                if not r.current_attempt.HasField("state") and not r.checks
            ]

    def close(self) -> None:
        self._server.stop(None)
        self._channel.close()


class Harness:
    """The reference orchestrator with executors of the library served
    beside it (directly, or through a Proxy), and a build workplan."""

    def __init__(self, ref: Reference) -> None:
        self.ref = ref
        self._servers: list[grpc.Server] = []
        self._proxies: list[Proxy] = []

    def proxy(self) -> Proxy:
        proxy = Proxy(self.ref.address)
        self._proxies.append(proxy)
        return proxy

    def serve(self, executor: Executor[Any], register: bool = True, **options: Any) -> str:
        """Serve the executor on the reference's FakeClock unless told
        otherwise; register it for its args type; return its address."""
        options.setdefault("clock", self.ref.clock)
        options.setdefault("insecure", True)  # the reference serves plain text
        server, port = serve(executor, **options)
        self._servers.append(server)
        address = f"127.0.0.1:{port}"
        if register:
            self.ref.orchestrator.register_executor([type_url_of(executor.args_type)], address)
        return address

    def plan(self, execution_policy: ExecutionPolicy | None = None) -> WorkPlanId:
        """A check "build" answered by a stage "compile" of BuildStageArgs."""
        return create(
            self.ref,
            [check("build")],
            [stage("compile", "build", execution_policy=execution_policy or policy(heartbeat=10))],
        )

    def attempt(self, wp: WorkPlanId, number: int = 1) -> StageAttempt:
        attempts = read(self.ref, wp).stages[0].attempts
        return attempts[number - 1] if len(attempts) >= number else StageAttempt()

    def read(self, wp: WorkPlanId) -> WorkPlan:
        return read(self.ref, wp)

    def wait_state(self, wp: WorkPlanId, state: int, number: int = 1) -> StageAttempt:
        return eventually(  # type: ignore[no-any-return]
            lambda: (a := self.attempt(wp, number)).state == state and a,
            message=f"attempt {number} in state {state}",
        )

    def close(self) -> None:
        for server in self._servers:
            server.stop(None)
        for proxy in self._proxies:
            proxy.close()
