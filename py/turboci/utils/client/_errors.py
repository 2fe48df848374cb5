# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""One error type for every refusal, with the API's details unpacked.

The orchestrator sends its details as a serialized google.rpc.Status in the
``grpc-status-details-bin`` trailer: an ErrorInfo naming the ErrorReason,
and the reason's own detail (WriteConflict), or a BadRequest for a malformed
request. Reading that trailer needs only protobuf, not grpcio-status.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping

import grpc
from google.protobuf.message import DecodeError
from google.rpc import error_details_pb2  # type: ignore[import-untyped, attr-defined, unused-ignore]
from google.rpc import status_pb2  # type: ignore[import-untyped, attr-defined, unused-ignore]

from turboci.graph.orchestrator.v1.write_conflict_pb2 import WriteConflict

# The ErrorInfo domain of the orchestrator's own reasons.
DOMAIN = "turboci.graph.orchestrator.v1"
DETAILS_KEY = "grpc-status-details-bin"

# The orchestrator's own trouble (error_reason.proto): retried with the same
# request_id. Every other code is the caller's to handle.
RETRYABLE_CODES: frozenset[grpc.StatusCode] = frozenset(
    {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.INTERNAL}
)


class TurboCIError(Exception):
    """A call the orchestrator refused, or that could not reach it.

    ``reason`` is the ErrorReason without its prefix ("WRITE_CONFLICT"),
    only when the ErrorInfo is the orchestrator's; ``metadata`` is that
    ErrorInfo's metadata; ``write_conflict`` and ``field_violations`` are
    the WriteConflict and BadRequest details when present; ``attempts`` is
    how many times the call was sent.
    """

    def __init__(
        self,
        code: grpc.StatusCode,
        message: str,
        *,
        reason: str | None = None,
        metadata: Mapping[str, str] | None = None,
        write_conflict: WriteConflict | None = None,
        field_violations: Iterable[error_details_pb2.BadRequest.FieldViolation] = (),
        attempts: int = 1,
        status: status_pb2.Status | None = None,  # type: ignore[no-any-unimported, unused-ignore]
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason
        self.metadata: dict[str, str] = dict(metadata or {})
        self.write_conflict = write_conflict
        self.field_violations = list(field_violations)
        self.attempts = attempts
        self.status = status

    @property
    def retryable(self) -> bool:
        return self.code in RETRYABLE_CODES

    def __str__(self) -> str:
        text = f"{self.code.name}: {self.message}"
        if self.reason:
            text += f" [{self.reason}]"
        if self.field_violations:
            fields = ", ".join(v.field for v in self.field_violations)
            text += f" (fields: {fields})"
        if self.attempts > 1 and "attempts" not in self.message:
            text += f" (after {self.attempts} attempts)"
        return text

    def __repr__(self) -> str:
        name = type(self).__name__
        return (
            f"{name}({self.code.name}, {self.message!r}, "
            f"reason={self.reason!r}, attempts={self.attempts})"
        )


class RetryableError(TurboCIError):
    """A TurboCIError of a code that is retried (UNAVAILABLE, INTERNAL): the
    call gave up because its deadline left no room for another attempt."""


def status_from_trailers(  # type: ignore[no-any-unimported, unused-ignore]
    trailers: Iterable[tuple[str, str | bytes]] | None,
) -> status_pb2.Status | None:
    """The google.rpc.Status in the details trailer, or None (also when it
    does not parse: details are a help, never a reason to fail)."""
    for key, value in trailers or ():
        if key == DETAILS_KEY and isinstance(value, bytes):
            try:
                return status_pb2.Status.FromString(value)
            except DecodeError:
                return None
    return None


def make_error(
    code: grpc.StatusCode,
    message: str,
    trailers: Iterable[tuple[str, str | bytes]] | None = None,
    attempts: int = 1,
) -> TurboCIError:
    """The error for a failed call: its code, message and unpacked details."""
    status = status_from_trailers(trailers)
    reason: str | None = None
    metadata: dict[str, str] = {}
    conflict: WriteConflict | None = None
    violations: list[error_details_pb2.BadRequest.FieldViolation] = []
    for packed in status.details if status is not None else ():
        info = error_details_pb2.ErrorInfo()
        bad = error_details_pb2.BadRequest()
        wc = WriteConflict()
        if packed.Is(info.DESCRIPTOR) and packed.Unpack(info):
            if info.domain == DOMAIN and reason is None:
                reason = info.reason
                metadata = dict(info.metadata)
        elif packed.Is(wc.DESCRIPTOR) and packed.Unpack(wc):
            conflict = conflict or wc
        elif packed.Is(bad.DESCRIPTOR) and packed.Unpack(bad):
            violations.extend(bad.field_violations)
    cls = RetryableError if code in RETRYABLE_CODES else TurboCIError
    return cls(
        code,
        message,
        reason=reason,
        metadata=metadata,
        write_conflict=conflict,
        field_violations=violations,
        attempts=attempts,
        status=status,
    )


def from_rpc_error(error: grpc.RpcError, attempts: int = 1) -> TurboCIError:
    """The TurboCIError of a grpc (sync or aio) RpcError."""
    code_fn = getattr(error, "code", None)
    details_fn = getattr(error, "details", None)
    trailers_fn = getattr(error, "trailing_metadata", None)
    code = code_fn() if callable(code_fn) else grpc.StatusCode.UNKNOWN
    if not isinstance(code, grpc.StatusCode):
        code = grpc.StatusCode.UNKNOWN
    message = (details_fn() if callable(details_fn) else None) or str(error)
    trailers = trailers_fn() if callable(trailers_fn) else None
    pairs = tuple(trailers) if trailers else ()
    return make_error(code, str(message), pairs, attempts)
