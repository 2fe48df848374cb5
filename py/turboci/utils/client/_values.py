# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Values fetched by digest: chunks reassembled, bytes checked against the
ValueRef's digest, types resolved through the linked module or, when it is
not imported, through the shipped descriptor bundle (a dynamic message).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import TypeVar

from google.protobuf import descriptor_pool
from google.protobuf import message_factory
from google.protobuf.any_pb2 import Any
from google.protobuf.descriptor import Descriptor
from google.protobuf.descriptor_pool import DescriptorPool
from google.protobuf.message import DecodeError
from google.protobuf.message import Message

from turboci.graph.orchestrator.v1.digest_pb2 import DigestAlgorithm
from turboci.graph.orchestrator.v1.omission_reason_pb2 import OmissionReason
from turboci.graph.orchestrator.v1.read_values_response_pb2 import ReadValuesResponse
from turboci.graph.orchestrator.v1.value_data_pb2 import ValueData
from turboci.graph.orchestrator.v1.value_ref_pb2 import ValueRef
from turboci.utils import descriptors
from turboci.utils import value
from turboci.utils.value import ValueLookupError
from turboci.utils.value import ValueOmittedError
from turboci.utils.value import ValueTypeError

M = TypeVar("M", bound=Message)

# Unset is taken as the one algorithm digest.proto defines so far.
_KNOWN_ALGORITHMS = (
    DigestAlgorithm.DIGEST_ALGORITHM_UNKNOWN,
    DigestAlgorithm.DIGEST_ALGORITHM_CANONICAL_SHA256,
)


class ValueDigestError(ValueLookupError):
    """The bytes fetched are not the value the ValueRef's digest names."""


class ValueChunkError(ValueLookupError):
    """ReadValues sent a value's chunks out of order, or not to its end."""


@dataclass
class ValuesRead:
    """What ReadValues answered: each value's whole bytes (a serialized
    google.protobuf.Any) by digest, and the digests it omitted, with why."""

    data: dict[str, bytes] = field(default_factory=dict)
    omitted: dict[str, OmissionReason.ValueType] = field(default_factory=dict)


class Reassembler:
    """Joins the chunks of a ReadValues stream, checking their order."""

    def __init__(self) -> None:
        self._parts: dict[str, bytearray] = {}
        self._done: set[str] = set()
        self.read = ValuesRead()

    def add(self, answer: ReadValuesResponse) -> None:
        self.read.omitted.update(answer.omitted)
        for chunk in answer.chunks:
            part = self._parts.setdefault(chunk.digest, bytearray())
            if chunk.digest in self._done or chunk.offset != len(part):
                ended = " and its last chunk" if chunk.digest in self._done else ""
                raise ValueChunkError(
                    f"value {chunk.digest}: chunk at offset {chunk.offset} "
                    f"after {len(part)} bytes{ended}"
                )
            part += chunk.data
            if chunk.last:
                self._done.add(chunk.digest)
                self.read.data[chunk.digest] = bytes(part)

    def finish(self, wanted: list[str]) -> ValuesRead:
        for digest in wanted:
            if digest not in self.read.data and digest not in self.read.omitted:
                got = len(self._parts.get(digest, b""))
                raise ValueChunkError(f"value {digest}: the stream ended after {got} bytes")
        return self.read


@functools.cache
def bundle_pool() -> DescriptorPool:
    """The shipped bundle's pool, loaded once."""
    return descriptors.pool()


def _full_name(type_url: str) -> str:
    return type_url.rsplit("/", 1)[-1]


def resolve(type_url: str) -> type[Message]:
    """The message class of a type URL: the imported module's class, or a
    dynamic class from the descriptor bundle; ValueTypeError when neither
    knows it."""
    name = _full_name(type_url)
    desc: Descriptor
    try:
        desc = descriptor_pool.Default().FindMessageTypeByName(name)
    except KeyError:
        try:
            desc = bundle_pool().FindMessageTypeByName(name)
        except KeyError:
            raise ValueTypeError(
                f"type {name} is neither imported nor in the descriptor bundle; "
                "import its module or pass message_type"
            ) from None
    return message_factory.GetMessageClass(desc)


def verify(ref: ValueRef, data: bytes) -> Any:
    """The value's Any, once its bytes are shown to be the ref's value: their
    SHA-256 is the digest (the orchestrator sent the canonical bytes), or
    the canonical encoding of what they hold is."""
    want = ref.digest
    if want.algorithm not in _KNOWN_ALGORITHMS:
        raise ValueDigestError(
            f"value {want.sha256}: digest algorithm {want.algorithm} is not one this "
            "client can check; upgrade turboci-proto"
        )
    packed = Any()
    try:
        packed.ParseFromString(data)
    except DecodeError as exc:
        raise ValueDigestError(f"value {want.sha256}: not a google.protobuf.Any: {exc}") from None
    if hashlib.sha256(data).hexdigest() == want.sha256 and len(data) == want.size_bytes:
        return packed
    try:
        got = value.digest(packed, bundle_pool())
    except ValueError as exc:  # CanonicalError: no canonical form to compare
        raise ValueDigestError(f"value {want.sha256}: cannot be verified: {exc}") from None
    if got.sha256 != want.sha256 or got.size_bytes != want.size_bytes:
        raise ValueDigestError(
            f"value {want.sha256} ({want.size_bytes} bytes): the data fetched digests to "
            f"{got.sha256} ({got.size_bytes} bytes)"
        )
    return packed


def decode(packed: Any, message_type: type[M] | None) -> Message:
    """The message an Any holds, as message_type (an imported or a dynamic
    class) or as the type its URL names."""
    cls: type[Message] = message_type if message_type is not None else resolve(packed.type_url)
    out = cls()
    if _full_name(packed.type_url) != out.DESCRIPTOR.full_name:
        raise ValueTypeError(
            f"value is a {_full_name(packed.type_url)}, not a {out.DESCRIPTOR.full_name}"
        )
    try:
        out.ParseFromString(packed.value)
    except DecodeError as exc:
        raise ValueLookupError(f"value of type {packed.type_url} does not parse: {exc}") from None
    return out


def inline(ref: ValueRef, value_data: Mapping[str, ValueData] | None) -> Any | None:
    """The value's Any when the ref or the answer already holds it in
    binary; None when it must be fetched (omitted from the answer, e.g.
    TOO_LARGE or NOT_REQUESTED, or there only as JSON, which may have lost
    fields and so cannot be checked against the digest)."""
    if ref.HasField("inline"):
        return ref.inline
    data = (value_data or {}).get(ref.digest.sha256)
    if data is not None and data.HasField("binary"):
        return data.binary
    return None


def omitted(ref: ValueRef, reason: OmissionReason.ValueType) -> ValueOmittedError:
    return ValueOmittedError(ref.type_url, reason)
