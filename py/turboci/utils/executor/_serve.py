# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""One call to serve an executor on a gRPC server of its own."""

from __future__ import annotations

from concurrent import futures
from typing import Any

import grpc

from turboci.graph.executor.v1 import turbo_ci_stage_executor_service_pb2_grpc as executor_grpc
from turboci.utils.executor._clock import Clock
from turboci.utils.executor._executor import Executor
from turboci.utils.executor._service import ExecutorServicer


def serve(
    executor: Executor[Any],
    address: str = "127.0.0.1:0",
    *,
    orchestrator: str | grpc.Channel | None = None,
    credentials: grpc.ChannelCredentials | None = None,
    clock: Clock | None = None,
    process_id: str | None = None,
    max_running: int | None = None,
    workers: int = 8,
) -> tuple[grpc.Server, int]:
    """Start a gRPC server (without TLS) serving `executor` on `address`
    ("host:port", port 0 picks a free one); returns the started server and
    its port. The keyword options are ExecutorServicer's. Raises OSError
    when the address cannot be bound."""
    servicer = ExecutorServicer(
        executor,
        orchestrator=orchestrator,
        credentials=credentials,
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
