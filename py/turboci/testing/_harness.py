# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""An orchestrator served in-process on localhost, with scripted executors
on servers of their own, for tests that talk to it over real gRPC."""

from __future__ import annotations

from collections.abc import Callable
from concurrent import futures
from types import TracebackType

import grpc
from google.protobuf.message import Message

from turboci.graph.executor.v1 import turbo_ci_stage_executor_service_pb2_grpc as executor_grpc
from turboci.graph.orchestrator.v1 import (
    turbo_ci_orchestrator_service_pb2_grpc as orchestrator_grpc,
)
from turboci.testing._auth import Authorizer
from turboci.testing._auth import Declared
from turboci.testing._clock import FakeClock
from turboci.testing._orchestrator import Orchestrator
from turboci.testing._scripted import ScriptedExecutor
from turboci.testing._service import serve
from turboci.utils.value import type_url_of


class Reference:
    """The reference orchestrator on 127.0.0.1, a FakeClock, and a client stub.

    Use as a context manager. `tick()` and `run_until_idle()` drive the
    orchestrator's own moves and the scripted executors' work."""

    def __init__(
        self,
        clock: FakeClock | None = None,
        authorizer: Authorizer | None = None,
        keep_revisions: int | None = None,
        work_plan_ids: Callable[[], str] | None = None,
    ) -> None:
        self.clock = clock or FakeClock()
        # Every permission check is held against the method's declaration.
        self.orchestrator = Orchestrator(
            self.clock, Declared(authorizer), keep_revisions, work_plan_ids=work_plan_ids
        )
        self.server, self.address = serve(self.orchestrator)
        self.channel = grpc.insecure_channel(self.address)
        self.stub = orchestrator_grpc.TurboCIOrchestratorStub(self.channel)
        self.executors: list[ScriptedExecutor] = []
        self._servers: list[grpc.Server] = []

    def add_executor(
        self, args_type: type[Message] | str, executor: ScriptedExecutor | None = None
    ) -> ScriptedExecutor:
        """Serve a scripted executor for stages whose args are of args_type."""
        executor = executor or ScriptedExecutor()
        executor.orchestrator = self.stub
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        executor_grpc.add_TurboCIStageExecutorServicer_to_server(executor, server)
        port = server.add_insecure_port("127.0.0.1:0")
        server.start()
        self._servers.append(server)
        url = args_type if isinstance(args_type, str) else type_url_of(args_type)
        self.orchestrator.register_executor([url], f"127.0.0.1:{port}")
        self.executors.append(executor)
        return executor

    def tick(self) -> bool:
        return self.orchestrator.tick()

    def advance_to_next_deadline(self) -> float | None:
        """Move the clock to the next time a timer fires (see
        Orchestrator.next_deadline) and return it; None, and no move, if
        no timer runs."""
        when = self.orchestrator.next_deadline()
        return None if when is None else self.clock.advance_to(when)

    def run_until_idle(self, rounds: int = 200) -> None:
        """Tick and let the executors work until neither has anything to do."""
        for _ in range(rounds):
            changed = self.orchestrator.tick()
            worked = any([e.work() for e in self.executors])
            if not changed and not worked:
                return
        raise RuntimeError(f"still busy after {rounds} rounds")

    def close(self) -> None:
        self.channel.close()
        for server in [self.server, *self._servers]:
            server.stop(None)

    def __enter__(self) -> Reference:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
