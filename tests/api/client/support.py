# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Faults on the wire for the client's tests: a client interceptor that
fails chosen calls with a status, before or after the server saw them."""

from __future__ import annotations

import threading
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import grpc
from google.protobuf.message import Message
from turboci.graph.ids.v1.check_id_pb2 import CheckId
from turboci.graph.ids.v1.work_plan_id_pb2 import WorkPlanId
from turboci.graph.orchestrator.v1.check_kind_pb2 import CheckKind
from turboci.graph.orchestrator.v1.check_state_pb2 import CheckState
from turboci.graph.orchestrator.v1.check_write_pb2 import CheckWrite
from turboci.graph.orchestrator.v1.create_work_plan_request_pb2 import CreateWorkPlanRequest
from turboci.utils.client import Client

REALM = "chromium:try"

Pairs = tuple[tuple[str, str | bytes], ...]


class Injected(grpc.RpcError):
    """A status the interceptor makes up, shaped like grpc's own errors."""

    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(message)
        self._code = code
        self._message = message

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return self._message

    def trailing_metadata(self) -> tuple[Any, ...]:
        return ()


@dataclass
class Fault:
    """Fail the next ``times`` calls of ``method`` with ``code``;
    ``after`` lets the server apply each call first (the answer is lost)."""

    method: str
    times: int
    code: grpc.StatusCode = grpc.StatusCode.UNAVAILABLE
    after: bool = False


@dataclass
class Faults(grpc.UnaryUnaryClientInterceptor):
    """Records every unary call (method, request, metadata) and injects faults."""

    faults: list[Fault] = field(default_factory=list)
    calls: list[tuple[str, Message, Pairs]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def intercept_unary_unary(  # type: ignore[override]
        self,
        continuation: Callable[[Any, Message], Any],
        client_call_details: grpc.ClientCallDetails,
        request: Message,
    ) -> Any:
        method = client_call_details.method.rsplit("/", 1)[-1]
        with self.lock:
            self.calls.append((method, request, tuple(client_call_details.metadata or ())))
            fault = next((f for f in self.faults if f.method == method and f.times > 0), None)
            if fault is not None:
                fault.times -= 1
        if fault is None:
            return continuation(client_call_details, request)
        if fault.after:
            continuation(client_call_details, request).result()
        raise Injected(fault.code, f"injected {fault.code.name}")

    def sent(self, method: str) -> list[Message]:
        return [r for m, r, _ in self.calls if m == method]


def faulty_client(address: str, faults: Faults, drops: Drops | None = None, **kw: Any) -> Client:
    interceptors: list[Any] = [faults] if drops is None else [faults, drops]
    channel = grpc.intercept_channel(grpc.insecure_channel(address), *interceptors)
    return Client(channel, **kw)


def check(name: str, **kw: Any) -> CheckWrite:
    kw.setdefault("kind", CheckKind.CHECK_KIND_BUILD)
    kw.setdefault("state", CheckState.CHECK_STATE_PLANNING)
    return CheckWrite(id=CheckId(id=name), **kw)


def create(client: Client, *checks: CheckWrite, **kw: Any) -> WorkPlanId:
    request = CreateWorkPlanRequest(workflow="test/flow", realm=REALM, checks=checks, **kw)
    return client.create_work_plan(request).work_plan


@dataclass
class Drops(grpc.UnaryStreamClientInterceptor):
    """Cuts the first ``times`` WatchWorkPlan streams after ``keep`` messages:
    with ``code`` (UNAVAILABLE) or, when code is None, by ending the stream.
    ``on_drop`` runs just before (to change the workplan while no one watches)."""

    times: int = 1
    keep: int = 1
    code: grpc.StatusCode | None = grpc.StatusCode.UNAVAILABLE
    on_drop: Callable[[], None] | None = None
    requests: list[Message] = field(default_factory=list)
    calls: list[Any] = field(default_factory=list)

    def intercept_unary_stream(  # type: ignore[override]
        self,
        continuation: Callable[[Any, Message], Any],
        client_call_details: grpc.ClientCallDetails,
        request: Message,
    ) -> Any:
        call = continuation(client_call_details, request)
        if not client_call_details.method.endswith("/WatchWorkPlan"):
            return call
        self.requests.append(request)
        self.calls.append(call)
        if self.times <= 0:
            return call
        self.times -= 1
        return self._cut(call)

    def _cut(self, call: Any) -> Iterator[Message]:
        for _ in range(self.keep):
            yield next(call)
        call.cancel()
        if self.on_drop is not None:
            self.on_drop()
        if self.code is not None:
            raise Injected(self.code, "stream dropped")


@dataclass
class Tamper(grpc.UnaryStreamClientInterceptor):
    """Flips the first byte of every ReadValues chunk, as a broken proxy would."""

    def intercept_unary_stream(  # type: ignore[override]
        self,
        continuation: Callable[[Any, Message], Any],
        client_call_details: grpc.ClientCallDetails,
        request: Message,
    ) -> Any:
        call = continuation(client_call_details, request)
        if not client_call_details.method.endswith("/ReadValues"):
            return call
        return self._flip(call)

    def _flip(self, call: Any) -> Iterator[Message]:
        for answer in call:
            for chunk in answer.chunks:
                if chunk.data:
                    chunk.data = bytes([chunk.data[0] ^ 1]) + chunk.data[1:]
            yield answer
