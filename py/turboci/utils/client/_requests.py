# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""What every call does to its request and metadata before the first attempt."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from collections.abc import Mapping
from typing import TypeVar

import grpc
from google.protobuf.message import Message

R = TypeVar("R", bound=Message)

Metadata = Mapping[str, str] | Iterable[tuple[str, str]]


def with_request_id(request: R) -> R:
    """The request with a request_id: the caller's own is kept; otherwise a
    copy gets a fresh UUID4, so every retry of the call sends the same one
    and the orchestrator applies the call once. The caller's message is
    never changed."""
    if request.DESCRIPTOR.fields_by_name.get("request_id") is None:
        return request
    # R is any request type here, hence getattr/setattr.
    if getattr(request, "request_id"):  # noqa: B009
        return request
    copy = type(request)()
    copy.CopyFrom(request)
    setattr(copy, "request_id", str(uuid.uuid4()))  # noqa: B010
    return copy


def _pairs(metadata: Metadata | None) -> list[tuple[str, str]]:
    if metadata is None:
        return []
    if isinstance(metadata, Mapping):
        return [(str(k), str(v)) for k, v in metadata.items()]
    return [(str(k), str(v)) for k, v in metadata]


def merge_metadata(base: Metadata | None, extra: Metadata | None) -> tuple[tuple[str, str], ...]:
    """The client-wide metadata plus a call's extras; gRPC keys are
    lowercase, so they are lowered here rather than refused by grpc later."""
    return tuple((k.lower(), v) for k, v in _pairs(base) + _pairs(extra))


def channel_credentials(
    credentials: grpc.ChannelCredentials | None, insecure: bool
) -> grpc.ChannelCredentials | None:
    """What a channel to a target is opened with; None is plain text, only
    when asked for. TLS otherwise, so that a token or a user's name never
    travels in plain text by accident."""
    if insecure:
        if credentials is not None:
            raise ValueError("insecure=True and credentials: choose one")
        return None
    return credentials or grpc.ssl_channel_credentials()
