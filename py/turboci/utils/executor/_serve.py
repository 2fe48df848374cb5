# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""One call to serve an executor on a gRPC server of its own."""

from __future__ import annotations

import socket
from concurrent import futures
from typing import Any

import grpc

from turboci.graph.executor.v1 import turbo_ci_stage_executor_service_pb2_grpc as executor_grpc
from turboci.utils.executor._clock import Clock
from turboci.utils.executor._executor import Executor
from turboci.utils.executor._service import ExecutorServicer


def _try_bind(address: str) -> None:
    """Bind a plain socket first, so a port in use is one clear OSError
    rather than gRPC's own log lines."""
    host, _, port = address.rpartition(":")
    if not port.isdigit():
        return  # not host:port (a unix: target, say): gRPC judges it
    try:
        family, kind, proto, _, where = socket.getaddrinfo(
            host.strip("[]"), int(port), type=socket.SOCK_STREAM
        )[0]
        with socket.socket(family, kind, proto) as probe:
            # As gRPC binds: a port left in TIME_WAIT is free, a listening one is not.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(where)
    except (OSError, OverflowError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise OSError(f"cannot listen on {address}: {why}") from None


def serve(
    executor: Executor[Any],
    address: str = "127.0.0.1:0",
    *,
    orchestrator: str | grpc.Channel | None = None,
    credentials: grpc.ChannelCredentials | None = None,
    insecure: bool = False,
    clock: Clock | None = None,
    process_id: str | None = None,
    max_running: int | None = None,
    workers: int = 8,
) -> tuple[grpc.Server, int]:
    """Start a gRPC server (without TLS) serving `executor` on `address`
    ("host:port", port 0 picks a free one); returns the started server and
    its port. The keyword options are ExecutorServicer's. Raises OSError
    when the address cannot be bound."""
    _try_bind(address)
    servicer = ExecutorServicer(
        executor,
        orchestrator=orchestrator,
        credentials=credentials,
        insecure=insecure,
        clock=clock,
        process_id=process_id,
        max_running=max_running,
    )
    # No SO_REUSEPORT: a port in use is an error, not a second server sharing it.
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=workers), options=[("grpc.so_reuseport", 0)]
    )
    executor_grpc.add_TurboCIStageExecutorServicer_to_server(servicer, server)
    try:
        port = server.add_insecure_port(address)
    except RuntimeError as exc:  # older grpcio raises instead of answering 0
        raise OSError(f"cannot listen on {address}: {exc}") from None
    if port == 0:
        raise OSError(f"cannot listen on {address}")
    server.start()
    return server, port
