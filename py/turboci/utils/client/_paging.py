# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Iterators over the pages of QueryNodes and ReadWorkPlan.

The first page fixes the snapshot (its WorkPlan.revision); every later page
is asked with the page token, which carries that snapshot, and with the
same snapshot_revision, so all the nodes are of one revision. Nodes come
out lazily: the next page is fetched only when the caller asks for more.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Iterator
from typing import Generic
from typing import TypeVar

from turboci.graph.ids.v1.identifier_pb2 import Identifier
from turboci.graph.orchestrator.v1.check_pb2 import Check
from turboci.graph.orchestrator.v1.completeness_pb2 import Completeness
from turboci.graph.orchestrator.v1.query_nodes_request_pb2 import QueryNodesRequest
from turboci.graph.orchestrator.v1.query_nodes_response_pb2 import QueryNodesResponse
from turboci.graph.orchestrator.v1.read_work_plan_request_pb2 import ReadWorkPlanRequest
from turboci.graph.orchestrator.v1.read_work_plan_response_pb2 import ReadWorkPlanResponse
from turboci.graph.orchestrator.v1.stage_pb2 import Stage
from turboci.graph.orchestrator.v1.value_data_pb2 import ValueData
from turboci.graph.orchestrator.v1.work_plan_pb2 import WorkPlan

Node = Check | Stage
Req = TypeVar("Req", bound=QueryNodesRequest | ReadWorkPlanRequest)
Resp = TypeVar("Resp", bound=QueryNodesResponse | ReadWorkPlanResponse)


class _Pages(Generic[Req, Resp]):
    """What the pages told so far: the snapshot, the values, the absent
    nodes; and the request for the next page."""

    def __init__(self, request: Req) -> None:
        self._request = request
        self._token: str | None = None
        self._done = False
        # The WorkPlan's own fields (ID, revision, ...) from the first page.
        self.work_plan = WorkPlan()
        self.value_data: dict[str, ValueData] = {}
        self.absent_nodes: list[Identifier] = []
        self.completeness = Completeness()

    @property
    def revision(self) -> int:
        """The snapshot every page is of (0 before the first page)."""
        return self.work_plan.revision.number

    def _next_request(self) -> Req | None:
        if self._done:
            return None
        if self._token is None:
            return self._request
        copy = type(self._request)()
        copy.MergeFromString(self._request.SerializeToString())
        copy.page_token = self._token
        copy.snapshot_revision = self.revision
        return copy

    def _take(self, page: Resp) -> list[Node]:
        head = WorkPlan()
        head.CopyFrom(page.work_plan)
        nodes: list[Node] = [*head.checks, *head.stages]
        head.ClearField("checks")
        head.ClearField("stages")
        head.ClearField("value_data")
        if self._token is None:
            self.work_plan.CopyFrom(head)
        self.value_data.update(page.work_plan.value_data)
        if isinstance(page, QueryNodesResponse):
            self.absent_nodes.extend(page.absent_nodes)
        self.completeness.partial_nodes.extend(page.completeness.partial_nodes)
        self.completeness.had_errors |= page.completeness.had_errors
        self._token = page.next_page_token
        self._done = not page.next_page_token
        return nodes


class Pages(_Pages[Req, Resp]):
    """Iterate for the nodes (checks, then stages, page by page), or call
    pages() for the answers; after the first page ``revision``,
    ``work_plan`` (its header), ``value_data`` (every page's so far) and
    ``absent_nodes`` hold what the pages said."""

    def __init__(self, fetch: Callable[[Req], Resp], request: Req) -> None:
        super().__init__(request)
        self._fetch = fetch

    def pages(self) -> Iterator[Resp]:
        while (request := self._next_request()) is not None:
            page = self._fetch(request)
            self._take(page)
            yield page

    def __iter__(self) -> Iterator[Node]:
        while (request := self._next_request()) is not None:
            yield from self._take(self._fetch(request))


class AsyncPages(_Pages[Req, Resp]):
    """The asyncio twin of Pages: ``async for node in pages``."""

    def __init__(self, fetch: Callable[[Req], Awaitable[Resp]], request: Req) -> None:
        super().__init__(request)
        self._fetch = fetch

    async def pages(self) -> AsyncIterator[Resp]:
        while (request := self._next_request()) is not None:
            page = await self._fetch(request)
            self._take(page)
            yield page

    async def __aiter__(self) -> AsyncIterator[Node]:
        while (request := self._next_request()) is not None:
            for node in self._take(await self._fetch(request)):
                yield node
