# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The blocking client: one method per RPC, with request IDs, retries
within a deadline and errors unpacked."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from types import TracebackType
from typing import Any
from typing import TypeVar

import grpc
from google.protobuf.message import Message

from turboci.graph.orchestrator.v1 import (
    turbo_ci_orchestrator_service_pb2_grpc as orchestrator_grpc,
)
from turboci.graph.orchestrator.v1.allocate_node_ids_request_pb2 import AllocateNodeIdsRequest
from turboci.graph.orchestrator.v1.allocate_node_ids_response_pb2 import AllocateNodeIdsResponse
from turboci.graph.orchestrator.v1.cancel_work_plan_request_pb2 import CancelWorkPlanRequest
from turboci.graph.orchestrator.v1.cancel_work_plan_response_pb2 import CancelWorkPlanResponse
from turboci.graph.orchestrator.v1.create_work_plan_request_pb2 import CreateWorkPlanRequest
from turboci.graph.orchestrator.v1.create_work_plan_response_pb2 import CreateWorkPlanResponse
from turboci.graph.orchestrator.v1.query_nodes_request_pb2 import QueryNodesRequest
from turboci.graph.orchestrator.v1.query_nodes_response_pb2 import QueryNodesResponse
from turboci.graph.orchestrator.v1.read_values_request_pb2 import ReadValuesRequest
from turboci.graph.orchestrator.v1.read_values_response_pb2 import ReadValuesResponse
from turboci.graph.orchestrator.v1.read_work_plan_request_pb2 import ReadWorkPlanRequest
from turboci.graph.orchestrator.v1.read_work_plan_response_pb2 import ReadWorkPlanResponse
from turboci.graph.orchestrator.v1.watch_work_plan_request_pb2 import WatchWorkPlanRequest
from turboci.graph.orchestrator.v1.watch_work_plan_response_pb2 import WatchWorkPlanResponse
from turboci.graph.orchestrator.v1.write_nodes_request_pb2 import WriteNodesRequest
from turboci.graph.orchestrator.v1.write_nodes_response_pb2 import WriteNodesResponse
from turboci.utils.client._errors import from_rpc_error
from turboci.utils.client._requests import Metadata
from turboci.utils.client._requests import merge_metadata
from turboci.utils.client._requests import with_request_id
from turboci.utils.client._retry import DEFAULT_TIMEOUT
from turboci.utils.client._retry import Deadline
from turboci.utils.client._retry import RetryPolicy
from turboci.utils.client._retry import call_with_retry

Resp = TypeVar("Resp", bound=Message)


def open_channel(
    target: str,
    credentials: grpc.ChannelCredentials | None,
    options: list[tuple[str, Any]] | None,
) -> grpc.Channel:
    if credentials is None:
        return grpc.insecure_channel(target, options=options)
    return grpc.secure_channel(target, credentials, options=options)


class Client:
    """A blocking client of the TurboCI orchestrator.

        with Client("localhost:8080") as client:
            plan = client.create_work_plan(CreateWorkPlanRequest(...)).work_plan

    ``target`` is an address (the client opens and closes the channel) or
    a ``grpc.Channel`` (the caller's, left open by close()). ``timeout`` is
    the default deadline of a unary call in seconds, covering its retries;
    ``metadata`` is sent on every call, each call may add its own.
    """

    def __init__(
        self,
        target: str | grpc.Channel,
        *,
        credentials: grpc.ChannelCredentials | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        metadata: Metadata | None = None,
        retry: RetryPolicy | None = None,
        options: list[tuple[str, Any]] | None = None,
    ) -> None:
        if isinstance(target, str):
            self.channel = open_channel(target, credentials, options)
            self._owns_channel = True
        else:
            if credentials is not None or options is not None:
                raise ValueError("credentials and options apply to a target, not to a channel")
            self.channel = target
            self._owns_channel = False
        self.stub = orchestrator_grpc.TurboCIOrchestratorStub(self.channel)
        self.timeout = timeout
        self.metadata = merge_metadata(metadata, None)
        self.retry = retry or RetryPolicy()

    # -- plumbing ---------------------------------------------------------

    def _unary(
        self,
        method: Callable[..., Resp],
        request: Message,
        timeout: float | None,
        metadata: Metadata | None,
    ) -> Resp:
        request = with_request_id(request)
        pairs = merge_metadata(self.metadata, metadata)
        deadline = Deadline(self.timeout if timeout is None else timeout)

        def attempt(left: float) -> Resp:
            return method(request, timeout=left, metadata=pairs)

        return call_with_retry(attempt, deadline, self.retry)

    def _stream(
        self,
        method: Callable[..., Iterator[Resp]],
        request: Message,
        timeout: float | None,
        metadata: Metadata | None,
    ) -> Iterator[Resp]:
        """A server stream, not retried (a watch is resumed by wait_for);
        errors come out as TurboCIError. ``timeout`` None: no deadline."""
        pairs = merge_metadata(self.metadata, metadata)
        try:
            yield from method(request, timeout=timeout, metadata=pairs)
        except grpc.RpcError as error:
            raise from_rpc_error(error) from None

    # -- the RPCs ----------------------------------------------------------

    def create_work_plan(
        self,
        request: CreateWorkPlanRequest,
        *,
        timeout: float | None = None,
        metadata: Metadata | None = None,
    ) -> CreateWorkPlanResponse:
        return self._unary(self.stub.CreateWorkPlan, request, timeout, metadata)

    def write_nodes(
        self,
        request: WriteNodesRequest,
        *,
        timeout: float | None = None,
        metadata: Metadata | None = None,
    ) -> WriteNodesResponse:
        return self._unary(self.stub.WriteNodes, request, timeout, metadata)

    def query_nodes(
        self,
        request: QueryNodesRequest,
        *,
        timeout: float | None = None,
        metadata: Metadata | None = None,
    ) -> QueryNodesResponse:
        """One page; ``iter_nodes`` follows the pages."""
        return self._unary(self.stub.QueryNodes, request, timeout, metadata)

    def read_work_plan(
        self,
        request: ReadWorkPlanRequest,
        *,
        timeout: float | None = None,
        metadata: Metadata | None = None,
    ) -> ReadWorkPlanResponse:
        """One page; ``iter_work_plan`` follows the pages."""
        return self._unary(self.stub.ReadWorkPlan, request, timeout, metadata)

    def cancel_work_plan(
        self,
        request: CancelWorkPlanRequest,
        *,
        timeout: float | None = None,
        metadata: Metadata | None = None,
    ) -> CancelWorkPlanResponse:
        return self._unary(self.stub.CancelWorkPlan, request, timeout, metadata)

    def allocate_node_ids(
        self,
        request: AllocateNodeIdsRequest,
        *,
        timeout: float | None = None,
        metadata: Metadata | None = None,
    ) -> AllocateNodeIdsResponse:
        return self._unary(self.stub.AllocateNodeIds, request, timeout, metadata)

    def read_values_stream(
        self,
        request: ReadValuesRequest,
        *,
        timeout: float | None = None,
        metadata: Metadata | None = None,
    ) -> Iterator[ReadValuesResponse]:
        """The raw ReadValues stream; ``read_values`` reassembles it."""
        return self._stream(self.stub.ReadValues, request, timeout, metadata)

    def watch_work_plan(
        self,
        request: WatchWorkPlanRequest,
        *,
        timeout: float | None = None,
        metadata: Metadata | None = None,
    ) -> Iterator[WatchWorkPlanResponse]:
        """The raw WatchWorkPlan stream; ``wait_for`` resumes it when dropped."""
        return self._stream(self.stub.WatchWorkPlan, request, timeout, metadata)

    # -- lifetime ----------------------------------------------------------

    def close(self) -> None:
        """Close the channel when the client opened it."""
        if self._owns_channel:
            self.channel.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
