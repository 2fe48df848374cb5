# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The asyncio client against the reference orchestrator over real gRPC."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from collections.abc import Awaitable
from collections.abc import Callable
from typing import Any

import grpc
import grpc.aio
import pytest
from google.protobuf.message import Message
from turboci.data.build.v1.build_check_options_pb2 import BuildCheckOptions
from turboci.graph.ids.v1.check_id_pb2 import CheckId
from turboci.graph.orchestrator.v1.check_state_pb2 import CheckState
from turboci.graph.orchestrator.v1.create_work_plan_request_pb2 import CreateWorkPlanRequest
from turboci.graph.orchestrator.v1.node_query_pb2 import NodeQuery
from turboci.graph.orchestrator.v1.query_nodes_request_pb2 import QueryNodesRequest
from turboci.graph.orchestrator.v1.read_work_plan_request_pb2 import ReadWorkPlanRequest
from turboci.graph.orchestrator.v1.write_nodes_request_pb2 import WriteNodesRequest
from turboci.testing import Reference
from turboci.utils import value
from turboci.utils.client import AsyncClient
from turboci.utils.client import Client
from turboci.utils.client import NodeSet
from turboci.utils.client import RetryableError
from turboci.utils.client import TurboCIError

from tests.api.client.support import REALM
from tests.api.client.support import Injected
from tests.api.client.support import check

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


class LoseAnswers(grpc.aio.UnaryUnaryClientInterceptor):
    """Lets the first ``times`` calls of ``method`` reach the server, then
    fails them with UNAVAILABLE, as a connection lost before the answer."""

    def __init__(self, method: str, times: int) -> None:
        self.method = method
        self.times = times
        self.sent: list[Message] = []

    async def intercept_unary_unary(  # type: ignore[override]
        self,
        continuation: Callable[[Any, Message], Awaitable[Any]],
        client_call_details: Any,
        request: Message,
    ) -> Any:
        call = await continuation(client_call_details, request)
        method = client_call_details.method
        name = method.decode() if isinstance(method, bytes) else str(method)
        if not name.endswith("/" + self.method):
            return call
        self.sent.append(request)
        if self.times <= 0:
            return call
        self.times -= 1
        await call
        raise Injected(grpc.StatusCode.UNAVAILABLE, "answer lost")


def _request(*names: str) -> CreateWorkPlanRequest:
    return CreateWorkPlanRequest(
        workflow="test/flow", realm=REALM, checks=[check(n) for n in names]
    )


def test_a_lost_answer_is_retried_with_the_same_request_id(ref: Reference) -> None:
    async def main() -> None:
        lose = LoseAnswers("WriteNodes", 1)
        channel = grpc.aio.insecure_channel(ref.address, interceptors=[lose])
        async with AsyncClient(channel) as client:
            wp = (await client.create_work_plan(_request("a"))).work_plan
            answer = await client.write_nodes(WriteNodesRequest(work_plan=wp, checks=[check("b")]))
            plan = (await client.read_work_plan(ReadWorkPlanRequest(work_plan=wp))).work_plan
        await channel.close()
        first, second = lose.sent
        assert UUID4.match(first.request_id)  # type: ignore[attr-defined]
        assert second.request_id == first.request_id  # type: ignore[attr-defined]
        assert answer.revision.number == plan.revision.number == 2

    asyncio.run(main())


def test_retries_end_at_the_deadline(ref: Reference) -> None:
    async def main() -> None:
        lose = LoseAnswers("QueryNodes", 1000)
        channel = grpc.aio.insecure_channel(ref.address, interceptors=[lose])
        async with AsyncClient(channel, timeout=0.5) as client:
            wp = (await client.create_work_plan(_request("a"))).work_plan
            with pytest.raises(RetryableError) as exc:
                await client.query_nodes(QueryNodesRequest(query=NodeQuery(work_plan=wp)))
        await channel.close()
        assert exc.value.attempts == len(lose.sent) >= 3

    asyncio.run(main())


def test_pages_transact_wait_and_lookup(ref: Reference) -> None:
    async def main() -> None:
        async with AsyncClient(ref.address, insecure=True) as client:
            wp = (await client.create_work_plan(_request("a", "b", "c"))).work_plan
            pages = client.iter_nodes(QueryNodesRequest(query=NodeQuery(work_plan=wp), page_size=1))
            assert [n.id.id async for n in pages] == ["a", "b", "c"]
            assert pages.revision == 1

            other = Client(ref.channel)
            runs: list[int] = []

            async def decide(nodes: NodeSet) -> WriteNodesRequest:
                runs.append(1)
                if len(runs) == 1:  # someone else writes a first
                    other.write_nodes(
                        WriteNodesRequest(
                            work_plan=wp,
                            checks=[check("a", options=[value.write(BuildCheckOptions())])],
                        )
                    )
                opts = [value.write(BuildCheckOptions(targets=["//ours"]))]
                return WriteNodesRequest(checks=[check("a", options=opts)])

            assert await client.transact(NodeQuery(work_plan=wp), decide) is not None
            assert len(runs) == 2

            planned = CheckState.CHECK_STATE_PLANNED
            waiting = asyncio.create_task(
                client.wait_for(wp, CheckId(work_plan=wp, id="b"), planned, timeout=10)
            )
            await asyncio.sleep(0.2)
            await client.write_nodes(
                WriteNodesRequest(work_plan=wp, checks=[check("b", state=planned)])
            )
            assert (await waiting).state == planned

            nodes = await client.read_nodes(
                NodeQuery(work_plan=wp, include=NodeQuery.Include(inputs=True))
            )
            a = nodes.check("a")
            assert a is not None
            got = await client.lookup(wp, a.options[0])
            assert isinstance(got, BuildCheckOptions) and list(got.targets) == ["//ours"]

            with pytest.raises(TurboCIError) as exc:
                await client.write_nodes(
                    WriteNodesRequest(checks=[check("a")], work_plan=wp, stage_attempt_token="x")
                )
            assert exc.value.reason == "TOKEN_EXPIRED"

    asyncio.run(main())


class DropWatch(grpc.aio.UnaryStreamClientInterceptor):
    """Cuts the first WatchWorkPlan stream after its first message with
    UNAVAILABLE, running ``on_drop`` first."""

    def __init__(self, on_drop: Callable[[], None]) -> None:
        self.on_drop = on_drop
        self.after: list[int] = []

    async def intercept_unary_stream(  # type: ignore[override]
        self,
        continuation: Callable[[Any, Message], Awaitable[Any]],
        client_call_details: Any,
        request: Any,
    ) -> Any:
        call = await continuation(client_call_details, request)
        method = client_call_details.method
        name = method.decode() if isinstance(method, bytes) else str(method)
        if not name.endswith("/WatchWorkPlan"):
            return call
        self.after.append(request.after_revision)
        if len(self.after) > 1:
            return call

        async def cut() -> AsyncIterator[Message]:
            async for message in call:
                yield message
                break
            call.cancel()
            self.on_drop()
            raise Injected(grpc.StatusCode.UNAVAILABLE, "stream dropped")

        return cut()


def test_a_dropped_watch_is_resumed_from_the_last_revision_seen(ref: Reference) -> None:
    plain = Client(ref.channel)
    planned = CheckState.CHECK_STATE_PLANNED
    wp = plain.create_work_plan(_request("a")).work_plan

    def plan_a() -> None:
        plain.write_nodes(WriteNodesRequest(work_plan=wp, checks=[check("a", state=planned)]))

    async def main() -> None:
        drop = DropWatch(plan_a)
        channel = grpc.aio.insecure_channel(ref.address, interceptors=[drop])
        async with AsyncClient(channel) as client:
            node = await client.wait_for(wp, CheckId(work_plan=wp, id="a"), planned, timeout=10)
        await channel.close()
        assert node.state == planned and node.update_revision.number == 2
        assert drop.after == [1, 1]

    asyncio.run(main())
