# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The gRPC face of the Orchestrator, over the generated servicer."""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Iterator
from concurrent import futures
from typing import TypeVar

import grpc
from google.protobuf.message import Message

from turboci.graph.orchestrator.v1 import (
    turbo_ci_orchestrator_service_pb2_grpc as orchestrator_grpc,
)
from turboci.graph.orchestrator.v1.actor_pb2 import Actor
from turboci.testing._auth import current_method
from turboci.testing._auth import principal_of
from turboci.testing._errors import Refusal
from turboci.testing._errors import abort
from turboci.testing._orchestrator import Orchestrator

R = TypeVar("R", bound=Message)
_log = logging.getLogger(__name__)


class OrchestratorServicer(orchestrator_grpc.TurboCIOrchestratorServicer):
    def __init__(self, orchestrator: Orchestrator) -> None:
        self.orchestrator = orchestrator

    def _call(
        self, method: Callable[[Message, Actor], R], request: Message, context: grpc.ServicerContext
    ) -> R:
        current_method.set(method.__name__.title().replace("_", ""))
        try:
            return method(request, principal_of(list(context.invocation_metadata())))
        except Exception as exc:
            _refuse(context, exc)
            raise  # abort raises; this keeps the types honest

    def _stream(
        self,
        method: Callable[[Message, Actor], Iterator[R]],
        request: Message,
        context: grpc.ServicerContext,
    ) -> Iterator[R]:
        current_method.set(method.__name__.title().replace("_", ""))
        try:
            yield from method(request, principal_of(list(context.invocation_metadata())))
        except Exception as exc:
            _refuse(context, exc)

    def CreateWorkPlan(self, request, context):  # type: ignore[no-untyped-def]  # noqa: N802
        return self._call(self.orchestrator.create_work_plan, request, context)  # type: ignore[arg-type]

    def WriteNodes(self, request, context):  # type: ignore[no-untyped-def]  # noqa: N802
        return self._call(self.orchestrator.write_nodes, request, context)  # type: ignore[arg-type]

    def QueryNodes(self, request, context):  # type: ignore[no-untyped-def]  # noqa: N802
        return self._call(self.orchestrator.query_nodes, request, context)  # type: ignore[arg-type]

    def ReadWorkPlan(self, request, context):  # type: ignore[no-untyped-def]  # noqa: N802
        return self._call(self.orchestrator.read_work_plan, request, context)  # type: ignore[arg-type]

    def AllocateNodeIds(self, request, context):  # type: ignore[no-untyped-def]  # noqa: N802
        return self._call(self.orchestrator.allocate_node_ids, request, context)  # type: ignore[arg-type]

    def CancelWorkPlan(self, request, context):  # type: ignore[no-untyped-def]  # noqa: N802
        return self._call(self.orchestrator.cancel_work_plan, request, context)  # type: ignore[arg-type]

    def WatchWorkPlan(self, request, context):  # type: ignore[no-untyped-def]  # noqa: N802
        def watch_work_plan(request, caller):  # type: ignore[no-untyped-def]
            return self.orchestrator.watch_work_plan(request, caller, context.is_active)

        return self._stream(watch_work_plan, request, context)

    def ReadValues(self, request, context):  # type: ignore[no-untyped-def]  # noqa: N802
        return self._stream(self.orchestrator.read_values, request, context)  # type: ignore[arg-type]


def _refuse(context: grpc.ServicerContext, exc: Exception) -> None:
    """Abort the call with the refusal exc is, or as INTERNAL when it is none."""
    if isinstance(exc, Refusal):
        abort(context, exc)
    # A bug of ours: say so, and keep the traceback in the server's log.
    _log.exception("internal error")
    abort(context, Refusal(grpc.StatusCode.INTERNAL, f"internal error of the reference: {exc!r}"))


def serve(
    orchestrator: Orchestrator, address: str = "127.0.0.1:0", workers: int = 8
) -> tuple[grpc.Server, str]:
    """Start a gRPC server for the orchestrator; returns it and its address."""
    # No SO_REUSEPORT: a port in use is an error, not a second server sharing it.
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=workers), options=[("grpc.so_reuseport", 0)]
    )
    orchestrator_grpc.add_TurboCIOrchestratorServicer_to_server(
        OrchestratorServicer(orchestrator), server
    )
    port = server.add_insecure_port(address)
    if port == 0:
        raise OSError(f"cannot listen on {address}")
    host = address.rsplit(":", 1)[0]
    server.start()
    where = f"{host}:{port}"
    orchestrator.address = where
    return server, where
