# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Refusals as the API defines them: a status code, a google.rpc.ErrorInfo
naming the ErrorReason, and the reason's own details (WriteConflict).

The details travel as a serialized google.rpc.Status in the
`grpc-status-details-bin` trailer, which every gRPC client library reads,
so no grpcio-status is needed.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence

import grpc
from google.protobuf.any_pb2 import Any
from google.protobuf.message import Message
from google.rpc import error_details_pb2  # type: ignore[import-untyped, attr-defined, unused-ignore]
from google.rpc import status_pb2  # type: ignore[import-untyped, attr-defined, unused-ignore]

from turboci.graph.orchestrator.v1.error_reason_pb2 import ErrorReason

# The ErrorInfo domain of every refusal the orchestrator makes.
DOMAIN = "turboci.graph.orchestrator.v1"
DETAILS_KEY = "grpc-status-details-bin"


class Refusal(Exception):  # noqa: N818 (an answer, not a failure)
    """A request the orchestrator refuses; raised anywhere, answered once."""

    def __init__(
        self,
        code: grpc.StatusCode,
        message: str,
        reason: ErrorReason.ValueType | None = None,
        metadata: Mapping[str, str] | None = None,
        details: Sequence[Message] = (),
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason
        self.metadata = dict(metadata or {})
        self.details = list(details)

    def status(self) -> status_pb2.Status:
        out = status_pb2.Status(code=self.code.value[0], message=self.message)
        if self.reason is not None:
            info = error_details_pb2.ErrorInfo(
                reason=reason_name(self.reason), domain=DOMAIN, metadata=self.metadata
            )
            out.details.add().Pack(info)
        for extra in self.details:
            packed = Any()
            packed.Pack(extra)
            out.details.append(packed)
        return out


def reason_name(reason: ErrorReason.ValueType) -> str:
    """ErrorInfo.reason: the value's name without "ERROR_REASON_" (error_reason.proto)."""
    return ErrorReason.Name(reason).removeprefix("ERROR_REASON_")


def invalid(message: str, field: str | None = None) -> Refusal:
    """INVALID_ARGUMENT for a malformed request, with the field that is wrong."""
    details: list[Message] = []
    if field:
        violation = error_details_pb2.BadRequest.FieldViolation(field=field, description=message)
        details.append(error_details_pb2.BadRequest(field_violations=[violation]))
    return Refusal(grpc.StatusCode.INVALID_ARGUMENT, message, details=details)


def not_writable(message: str, field: str, state: str) -> Refusal:
    return Refusal(
        grpc.StatusCode.FAILED_PRECONDITION,
        message,
        ErrorReason.ERROR_REASON_FIELD_NOT_WRITABLE,
        {"field": field, "state": state},
    )


def abort(context: grpc.ServicerContext, refusal: Refusal) -> None:
    """End the call with the refusal; raises, as grpc's abort does."""
    context.set_trailing_metadata(((DETAILS_KEY, refusal.status().SerializeToString()),))
    context.abort(refusal.code, refusal.message)


def status_of(error: grpc.RpcError) -> status_pb2.Status | None:  # type: ignore[no-any-unimported, unused-ignore]
    """The google.rpc.Status a refusal carried, for clients and tests."""
    trailing = error.trailing_metadata() if isinstance(error, grpc.Call) else None
    pairs: tuple[tuple[str, str | bytes], ...] = tuple(trailing or ())
    for key, value in pairs:
        if key == DETAILS_KEY and isinstance(value, bytes):
            return status_pb2.Status.FromString(value)
    return None


def error_info(error: grpc.RpcError) -> error_details_pb2.ErrorInfo | None:
    """The ErrorInfo of a refusal, or None when it carried none."""
    status = status_of(error)
    for detail in status.details if status else ():
        info = error_details_pb2.ErrorInfo()
        if detail.Unpack(info):
            return info
    return None


def detail(error: grpc.RpcError, message_type: type[Message]) -> Message | None:
    """The first detail of the given type a refusal carried (e.g. WriteConflict)."""
    status = status_of(error)
    for packed in status.details if status else ():
        out = message_type()
        if packed.Unpack(out):
            return out
    return None
