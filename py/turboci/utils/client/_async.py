# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The asyncio client (grpc.aio): the blocking Client's methods, awaited."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable
from collections.abc import AsyncIterator
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from types import TracebackType
from typing import Any
from typing import TypeVar
from typing import overload

import grpc
import grpc.aio
from google.protobuf.message import Message

from turboci.graph.ids.v1.work_plan_id_pb2 import WorkPlanId
from turboci.graph.orchestrator.v1 import (
    turbo_ci_orchestrator_service_pb2_grpc as orchestrator_grpc,
)
from turboci.graph.orchestrator.v1.allocate_node_ids_request_pb2 import AllocateNodeIdsRequest
from turboci.graph.orchestrator.v1.allocate_node_ids_response_pb2 import AllocateNodeIdsResponse
from turboci.graph.orchestrator.v1.cancel_work_plan_request_pb2 import CancelWorkPlanRequest
from turboci.graph.orchestrator.v1.cancel_work_plan_response_pb2 import CancelWorkPlanResponse
from turboci.graph.orchestrator.v1.create_work_plan_request_pb2 import CreateWorkPlanRequest
from turboci.graph.orchestrator.v1.create_work_plan_response_pb2 import CreateWorkPlanResponse
from turboci.graph.orchestrator.v1.node_query_pb2 import NodeQuery
from turboci.graph.orchestrator.v1.query_nodes_request_pb2 import QueryNodesRequest
from turboci.graph.orchestrator.v1.query_nodes_response_pb2 import QueryNodesResponse
from turboci.graph.orchestrator.v1.read_values_request_pb2 import ReadValuesRequest
from turboci.graph.orchestrator.v1.read_values_response_pb2 import ReadValuesResponse
from turboci.graph.orchestrator.v1.read_work_plan_request_pb2 import ReadWorkPlanRequest
from turboci.graph.orchestrator.v1.read_work_plan_response_pb2 import ReadWorkPlanResponse
from turboci.graph.orchestrator.v1.value_data_pb2 import ValueData
from turboci.graph.orchestrator.v1.value_ref_pb2 import ValueRef
from turboci.graph.orchestrator.v1.value_selection_pb2 import ValueSelection
from turboci.graph.orchestrator.v1.watch_work_plan_request_pb2 import WatchWorkPlanRequest
from turboci.graph.orchestrator.v1.watch_work_plan_response_pb2 import WatchWorkPlanResponse
from turboci.graph.orchestrator.v1.write_nodes_request_pb2 import WriteNodesRequest
from turboci.graph.orchestrator.v1.write_nodes_response_pb2 import WriteNodesResponse
from turboci.utils.client._errors import TurboCIError
from turboci.utils.client._errors import from_rpc_error
from turboci.utils.client._paging import AsyncPages
from turboci.utils.client._paging import Node
from turboci.utils.client._requests import Metadata
from turboci.utils.client._requests import channel_credentials
from turboci.utils.client._requests import merge_metadata
from turboci.utils.client._requests import with_request_id
from turboci.utils.client._retry import DEFAULT_TIMEOUT
from turboci.utils.client._retry import Deadline
from turboci.utils.client._retry import RetryPolicy
from turboci.utils.client._retry import call_with_retry_async
from turboci.utils.client._transact import DEFAULT_ATTEMPTS
from turboci.utils.client._transact import NodeId
from turboci.utils.client._transact import NodeSet
from turboci.utils.client._transact import gave_up
from turboci.utils.client._transact import identifier
from turboci.utils.client._transact import is_conflict
from turboci.utils.client._values import Reassembler
from turboci.utils.client._values import ValuesRead
from turboci.utils.client._values import decode
from turboci.utils.client._values import inline
from turboci.utils.client._values import omitted
from turboci.utils.client._values import verify
from turboci.utils.client._watch import Until
from turboci.utils.client._watch import Waiter

Resp = TypeVar("Resp", bound=Message)
M = TypeVar("M", bound=Message)


def open_channel(
    target: str,
    credentials: grpc.ChannelCredentials | None,
    insecure: bool,
    options: list[tuple[str, Any]] | None,
) -> grpc.aio.Channel:
    creds = channel_credentials(credentials, insecure)
    if creds is None:
        return grpc.aio.insecure_channel(target, options=options)
    return grpc.aio.secure_channel(target, creds, options=options)


class AsyncClient:
    """The asyncio twin of Client, on a grpc.aio channel:

        async with AsyncClient("localhost:8080") as client:
            plan = (await client.create_work_plan(CreateWorkPlanRequest(...))).work_plan

    Same arguments, defaults, retries, request IDs and errors as Client.
    """

    def __init__(
        self,
        target: str | grpc.aio.Channel,
        *,
        credentials: grpc.ChannelCredentials | None = None,
        insecure: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
        metadata: Metadata | None = None,
        retry: RetryPolicy | None = None,
        options: list[tuple[str, Any]] | None = None,
    ) -> None:
        if not timeout > 0:  # also refuses nan
            raise ValueError(f"timeout {timeout!r}: want a number of seconds above 0")
        if isinstance(target, str):
            self.channel = open_channel(target, credentials, insecure, options)
            self._owns_channel = True
        else:
            if credentials is not None or insecure or options is not None:
                raise ValueError(
                    "credentials, insecure and options apply to a target, not to a channel"
                )
            self.channel = target
            self._owns_channel = False
        self.stub = orchestrator_grpc.TurboCIOrchestratorStub(self.channel)
        self.timeout = timeout
        self.metadata = merge_metadata(metadata, None)
        self.retry = retry or RetryPolicy()

    # -- plumbing ---------------------------------------------------------

    async def _unary(
        self,
        method: Callable[..., Awaitable[Resp]],
        request: Message,
        timeout: float | None,
        metadata: Metadata | None,
    ) -> Resp:
        request = with_request_id(request)
        pairs = merge_metadata(self.metadata, metadata)
        deadline = Deadline(self.timeout if timeout is None else timeout)

        async def attempt(left: float) -> Resp:
            return await method(request, timeout=left, metadata=pairs)

        return await call_with_retry_async(attempt, deadline, self.retry)

    async def _stream(
        self,
        method: Callable[..., AsyncIterable[Resp]],
        request: Message,
        timeout: float | None,
        metadata: Metadata | None,
    ) -> AsyncIterator[Resp]:
        pairs = merge_metadata(self.metadata, metadata)
        call = method(request, timeout=timeout, metadata=pairs)
        try:
            async for answer in call:
                yield answer
        except grpc.RpcError as error:
            raise from_rpc_error(error) from None
        finally:
            # A caller that stops reading early must not leave the stream open.
            cancel = getattr(call, "cancel", None)
            if callable(cancel):
                cancel()

    # -- the RPCs ----------------------------------------------------------

    async def create_work_plan(
        self,
        request: CreateWorkPlanRequest,
        *,
        timeout: float | None = None,
        metadata: Metadata | None = None,
    ) -> CreateWorkPlanResponse:
        return await self._unary(self.stub.CreateWorkPlan, request, timeout, metadata)

    async def write_nodes(
        self,
        request: WriteNodesRequest,
        *,
        timeout: float | None = None,
        metadata: Metadata | None = None,
    ) -> WriteNodesResponse:
        return await self._unary(self.stub.WriteNodes, request, timeout, metadata)

    async def query_nodes(
        self,
        request: QueryNodesRequest,
        *,
        timeout: float | None = None,
        metadata: Metadata | None = None,
    ) -> QueryNodesResponse:
        return await self._unary(self.stub.QueryNodes, request, timeout, metadata)

    async def read_work_plan(
        self,
        request: ReadWorkPlanRequest,
        *,
        timeout: float | None = None,
        metadata: Metadata | None = None,
    ) -> ReadWorkPlanResponse:
        return await self._unary(self.stub.ReadWorkPlan, request, timeout, metadata)

    async def cancel_work_plan(
        self,
        request: CancelWorkPlanRequest,
        *,
        timeout: float | None = None,
        metadata: Metadata | None = None,
    ) -> CancelWorkPlanResponse:
        return await self._unary(self.stub.CancelWorkPlan, request, timeout, metadata)

    async def allocate_node_ids(
        self,
        request: AllocateNodeIdsRequest,
        *,
        timeout: float | None = None,
        metadata: Metadata | None = None,
    ) -> AllocateNodeIdsResponse:
        return await self._unary(self.stub.AllocateNodeIds, request, timeout, metadata)

    def read_values_stream(
        self,
        request: ReadValuesRequest,
        *,
        timeout: float | None = None,
        metadata: Metadata | None = None,
    ) -> AsyncIterator[ReadValuesResponse]:
        return self._stream(self.stub.ReadValues, request, timeout, metadata)

    def watch_work_plan(
        self,
        request: WatchWorkPlanRequest,
        *,
        timeout: float | None = None,
        metadata: Metadata | None = None,
    ) -> AsyncIterator[WatchWorkPlanResponse]:
        return self._stream(self.stub.WatchWorkPlan, request, timeout, metadata)

    # -- pages ---------------------------------------------------------------

    def iter_nodes(
        self,
        request: QueryNodesRequest | NodeQuery,
        *,
        timeout: float | None = None,
        metadata: Metadata | None = None,
    ) -> AsyncPages[QueryNodesRequest, QueryNodesResponse]:
        if isinstance(request, NodeQuery):
            request = QueryNodesRequest(query=request)
        return AsyncPages(
            lambda r: self.query_nodes(r, timeout=timeout, metadata=metadata), request
        )

    def iter_work_plan(
        self,
        request: ReadWorkPlanRequest | WorkPlanId,
        *,
        timeout: float | None = None,
        metadata: Metadata | None = None,
    ) -> AsyncPages[ReadWorkPlanRequest, ReadWorkPlanResponse]:
        if isinstance(request, WorkPlanId):
            request = ReadWorkPlanRequest(work_plan=request)
        return AsyncPages(
            lambda r: self.read_work_plan(r, timeout=timeout, metadata=metadata), request
        )

    # -- transactions --------------------------------------------------------

    async def read_nodes(
        self,
        request: QueryNodesRequest | NodeQuery,
        *,
        timeout: float | None = None,
        metadata: Metadata | None = None,
    ) -> NodeSet:
        pages = self.iter_nodes(request, timeout=timeout, metadata=metadata)
        nodes = [node async for node in pages]
        out = NodeSet(pages.work_plan.id, pages.revision)
        out.extend(nodes, pages.absent_nodes)
        out.value_data.update(pages.value_data)
        return out

    async def transact(
        self,
        request: QueryNodesRequest | NodeQuery,
        decide: Callable[[NodeSet], WriteNodesRequest | Awaitable[WriteNodesRequest | None] | None],
        *,
        attempts: int = DEFAULT_ATTEMPTS,
        timeout: float | None = None,
        metadata: Metadata | None = None,
    ) -> WriteNodesResponse | None:
        """As Client.transact; ``decide`` may be a coroutine function."""
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        last: TurboCIError | None = None
        for _ in range(attempts):
            nodes = await self.read_nodes(request, timeout=timeout, metadata=metadata)
            write = decide(nodes)
            if isinstance(write, Awaitable):
                write = await write
            if write is None:
                return None
            try:
                return await self.write_nodes(
                    nodes.guard(write), timeout=timeout, metadata=metadata
                )
            except TurboCIError as error:
                if not is_conflict(error):
                    raise
                last = error
        assert last is not None
        raise gave_up(last, attempts)

    # -- waiting -------------------------------------------------------------

    async def wait_for(
        self,
        work_plan: WorkPlanId,
        node: NodeId,
        until: Until,
        *,
        timeout: float,
        include: NodeQuery.Include | None = None,
        values: ValueSelection | None = None,
        metadata: Metadata | None = None,
    ) -> Node:
        """As Client.wait_for."""
        wait = Waiter(work_plan, identifier(node), until, timeout, self.retry, include, values)

        async def look(finished: int | None = None) -> Node | None:
            page = await self.query_nodes(wait.query, timeout=wait.left(), metadata=metadata)
            return wait.take(page, finished)

        looked = False
        while True:
            error: TurboCIError | None = None
            try:
                # Read first, and again until a read got through: a drop
                # then is resumed like any other.
                if not looked:
                    done = await look()
                    looked = True
                    if done is not None:
                        return done
                async for message in self.watch_work_plan(
                    wait.watch(), timeout=wait.left(), metadata=metadata
                ):
                    if wait.changed(message) and (done := await look()) is not None:
                        return done
                    if message.HasField("finish_revision"):
                        done = await look(message.finish_revision.number)
                        assert done is not None  # look raised otherwise
                        return done
            except TurboCIError as failed:
                error = failed
            await asyncio.sleep(wait.dropped(error))

    # -- values --------------------------------------------------------------

    async def read_values(
        self,
        work_plan: WorkPlanId,
        digests: Iterable[str],
        *,
        stage_attempt_token: str | None = None,
        max_chunk_bytes: int | None = None,
        timeout: float | None = None,
        metadata: Metadata | None = None,
    ) -> ValuesRead:
        wanted = list(dict.fromkeys(digests))
        request = ReadValuesRequest(work_plan=work_plan, digests=wanted)
        if stage_attempt_token:
            request.stage_attempt_token = stage_attempt_token
        if max_chunk_bytes is not None:
            request.max_chunk_bytes = max_chunk_bytes
        pairs = merge_metadata(self.metadata, metadata)

        async def attempt(left: float) -> ValuesRead:
            joined = Reassembler()
            async for answer in self.stub.ReadValues(request, timeout=left, metadata=pairs):
                joined.add(answer)
            return joined.finish(wanted)

        deadline = Deadline(self.timeout if timeout is None else timeout)
        return await call_with_retry_async(attempt, deadline, self.retry)

    @overload
    async def lookup(
        self,
        work_plan: WorkPlanId,
        ref: ValueRef,
        message_type: type[M],
        *,
        value_data: Mapping[str, ValueData] | None = None,
        stage_attempt_token: str | None = None,
        timeout: float | None = None,
        metadata: Metadata | None = None,
    ) -> M: ...

    @overload
    async def lookup(
        self,
        work_plan: WorkPlanId,
        ref: ValueRef,
        message_type: None = None,
        *,
        value_data: Mapping[str, ValueData] | None = None,
        stage_attempt_token: str | None = None,
        timeout: float | None = None,
        metadata: Metadata | None = None,
    ) -> Message: ...

    async def lookup(
        self,
        work_plan: WorkPlanId,
        ref: ValueRef,
        message_type: type[M] | None = None,
        *,
        value_data: Mapping[str, ValueData] | None = None,
        stage_attempt_token: str | None = None,
        timeout: float | None = None,
        metadata: Metadata | None = None,
    ) -> Message:
        """As Client.lookup."""
        packed = inline(ref, value_data)
        if packed is None:
            digest = ref.digest.sha256
            read = await self.read_values(
                work_plan,
                [digest],
                stage_attempt_token=stage_attempt_token,
                timeout=timeout,
                metadata=metadata,
            )
            if digest in read.omitted:
                raise omitted(ref, read.omitted[digest])
            packed = verify(ref, read.data[digest])
        else:
            packed = verify(ref, packed.SerializeToString(deterministic=True))
        return decode(packed, message_type)

    # -- lifetime ----------------------------------------------------------

    async def close(self) -> None:
        """Close the channel when the client opened it."""
        if self._owns_channel:
            await self.channel.close()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
