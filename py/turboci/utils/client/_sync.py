# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The blocking client: one method per RPC, with request IDs, retries
within a deadline and errors unpacked."""

from __future__ import annotations

import time
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from types import TracebackType
from typing import Any
from typing import TypeVar
from typing import overload

import grpc
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
from turboci.utils.client._paging import Node
from turboci.utils.client._paging import Pages
from turboci.utils.client._requests import Metadata
from turboci.utils.client._requests import channel_credentials
from turboci.utils.client._requests import merge_metadata
from turboci.utils.client._requests import with_request_id
from turboci.utils.client._retry import DEFAULT_TIMEOUT
from turboci.utils.client._retry import Deadline
from turboci.utils.client._retry import RetryPolicy
from turboci.utils.client._retry import call_with_retry
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
) -> grpc.Channel:
    creds = channel_credentials(credentials, insecure)
    if creds is None:
        return grpc.insecure_channel(target, options=options)
    return grpc.secure_channel(target, creds, options=options)


class Client:
    """A blocking client of the TurboCI orchestrator.

        with Client("localhost:8080") as client:
            plan = client.create_work_plan(CreateWorkPlanRequest(...)).work_plan

    ``target`` is an address (the client opens and closes the channel, over
    TLS: ``credentials``, by default the system's roots; ``insecure=True``
    for plain text, as the reference orchestrator serves) or a
    ``grpc.Channel`` (the caller's, left open by close()). ``timeout`` is
    the default deadline of a unary call in seconds, covering its retries;
    ``metadata`` is sent on every call, each call may add its own.
    """

    def __init__(
        self,
        target: str | grpc.Channel,
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
        call = method(request, timeout=timeout, metadata=pairs)
        try:
            yield from call
        except grpc.RpcError as error:
            raise from_rpc_error(error) from None
        finally:
            # A caller that stops reading early (wait_for once it is done)
            # must not leave the stream open on the server.
            cancel = getattr(call, "cancel", None)
            if callable(cancel):
                cancel()

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

    # -- pages ---------------------------------------------------------------

    def iter_nodes(
        self,
        request: QueryNodesRequest | NodeQuery,
        *,
        timeout: float | None = None,
        metadata: Metadata | None = None,
    ) -> Pages[QueryNodesRequest, QueryNodesResponse]:
        """Every node a query reaches, page by page, all of one snapshot;
        ``timeout`` applies to each page."""
        if isinstance(request, NodeQuery):
            request = QueryNodesRequest(query=request)
        return Pages(lambda r: self.query_nodes(r, timeout=timeout, metadata=metadata), request)

    def iter_work_plan(
        self,
        request: ReadWorkPlanRequest | WorkPlanId,
        *,
        timeout: float | None = None,
        metadata: Metadata | None = None,
    ) -> Pages[ReadWorkPlanRequest, ReadWorkPlanResponse]:
        """Every node of a workplan, page by page, all of one snapshot."""
        if isinstance(request, WorkPlanId):
            request = ReadWorkPlanRequest(work_plan=request)
        return Pages(lambda r: self.read_work_plan(r, timeout=timeout, metadata=metadata), request)

    # -- transactions --------------------------------------------------------

    def read_nodes(
        self,
        request: QueryNodesRequest | NodeQuery,
        *,
        timeout: float | None = None,
        metadata: Metadata | None = None,
    ) -> NodeSet:
        """Every page of a query as a NodeSet, whose transaction() makes a
        write conflict if any of it changes."""
        pages = self.iter_nodes(request, timeout=timeout, metadata=metadata)
        nodes = list(pages)
        out = NodeSet(pages.work_plan.id, pages.revision)
        out.extend(nodes, pages.absent_nodes)
        out.value_data.update(pages.value_data)
        return out

    def transact(
        self,
        request: QueryNodesRequest | NodeQuery,
        decide: Callable[[NodeSet], WriteNodesRequest | None],
        *,
        attempts: int = DEFAULT_ATTEMPTS,
        timeout: float | None = None,
        metadata: Metadata | None = None,
    ) -> WriteNodesResponse | None:
        """Read, decide, write with the reads as preconditions; on a write
        conflict read again and decide again, ``attempts`` times at most.

        ``decide`` gets the NodeSet read and returns the write (its workplan
        and transaction are filled in) or None to write nothing. When every
        attempt conflicted, the TurboCIError says "gave up after N attempts"
        and carries the last WriteConflict."""
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        last: TurboCIError | None = None
        for _ in range(attempts):
            nodes = self.read_nodes(request, timeout=timeout, metadata=metadata)
            write = decide(nodes)
            if write is None:
                return None
            try:
                return self.write_nodes(nodes.guard(write), timeout=timeout, metadata=metadata)
            except TurboCIError as error:
                if not is_conflict(error):
                    raise
                last = error
        assert last is not None
        raise gave_up(last, attempts)

    # -- waiting -------------------------------------------------------------

    def wait_for(
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
        """The node once it is in state ``until`` or past it (a CheckState
        for a check, a StageState for a stage), or once ``until(node)`` is
        true, watching the workplan (WatchWorkPlan) for ``timeout`` seconds.

        A watch that drops (UNAVAILABLE, INTERNAL, or the stream ending
        before the workplan finished) is resumed from the last revision
        seen, after the backoff of a retry. Raises TurboCIError:
        DEADLINE_EXCEEDED when the time is up, FAILED_PRECONDITION when the
        node can no longer get there."""
        wait = Waiter(work_plan, identifier(node), until, timeout, self.retry, include, values)

        def look(finished: int | None = None) -> Node | None:
            page = self.query_nodes(wait.query, timeout=wait.left(), metadata=metadata)
            return wait.take(page, finished)

        looked = False
        while True:
            error: TurboCIError | None = None
            try:
                # Read first, and again until a read got through: a drop
                # then is resumed like any other.
                if not looked:
                    done = look()
                    looked = True
                    if done is not None:
                        return done
                for message in self.watch_work_plan(
                    wait.watch(), timeout=wait.left(), metadata=metadata
                ):
                    if wait.changed(message) and (done := look()) is not None:
                        return done
                    if message.HasField("finish_revision"):
                        done = look(message.finish_revision.number)
                        assert done is not None  # look raised otherwise
                        return done
            except TurboCIError as failed:
                error = failed
            time.sleep(wait.dropped(error))

    # -- values --------------------------------------------------------------

    def read_values(
        self,
        work_plan: WorkPlanId,
        digests: Iterable[str],
        *,
        stage_attempt_token: str | None = None,
        max_chunk_bytes: int | None = None,
        timeout: float | None = None,
        metadata: Metadata | None = None,
    ) -> ValuesRead:
        """The values' whole bytes by digest (ReadValues, its chunks joined),
        and the digests omitted with why; retried like a unary call."""
        wanted = list(dict.fromkeys(digests))
        request = ReadValuesRequest(work_plan=work_plan, digests=wanted)
        if stage_attempt_token:
            request.stage_attempt_token = stage_attempt_token
        if max_chunk_bytes is not None:
            request.max_chunk_bytes = max_chunk_bytes
        pairs = merge_metadata(self.metadata, metadata)

        def attempt(left: float) -> ValuesRead:
            joined = Reassembler()
            for answer in self.stub.ReadValues(request, timeout=left, metadata=pairs):
                joined.add(answer)
            return joined.finish(wanted)

        deadline = Deadline(self.timeout if timeout is None else timeout)
        return call_with_retry(attempt, deadline, self.retry)

    @overload
    def lookup(
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
    def lookup(
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

    def lookup(
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
        """The value a ValueRef names, checked against its digest: taken from
        the ref or ``value_data`` when they hold it, else fetched with
        ReadValues. Decoded as ``message_type`` (an imported or a dynamic
        class), or else as the type its URL names: the imported module's
        class, or a dynamic message built from the descriptor bundle.

        Raises ValueOmittedError when the orchestrator will not give it,
        ValueDigestError when the bytes are not the ref's value,
        ValueTypeError when the type is another or unknown."""
        packed = inline(ref, value_data)
        if packed is None:
            digest = ref.digest.sha256
            read = self.read_values(
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
