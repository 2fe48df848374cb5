# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Reading and writing TurboCI values (check options and results, stage args).

Answers from the orchestrator carry values as ValueRefs (type and digest)
plus one value_data map keyed by digest. ``lookup`` joins the two and hands
back the typed message, or raises an error that says why it cannot: the
value was omitted (ValueOmittedError, with the orchestrator's reason), is
missing from the map (ValueMissingError), or is of another type
(ValueTypeError).

``digest`` and ``canonical`` compute a value's digest over the canonical
encoding that digest.proto defines; the Go helpers
(go.chromium.org/turboci/proto/go/utils/value) give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from collections.abc import Mapping
from typing import TypeVar
from typing import cast

from google.protobuf import json_format
from google.protobuf.any_pb2 import Any
from google.protobuf.descriptor import Descriptor
from google.protobuf.descriptor_pool import DescriptorPool
from google.protobuf.message import DecodeError
from google.protobuf.message import Message

from turboci.graph.orchestrator.v1.digest_pb2 import Digest
from turboci.graph.orchestrator.v1.digest_pb2 import DigestAlgorithm
from turboci.graph.orchestrator.v1.omission_reason_pb2 import OmissionReason
from turboci.graph.orchestrator.v1.value_data_pb2 import ValueData
from turboci.graph.orchestrator.v1.value_ref_pb2 import ValueRef
from turboci.graph.orchestrator.v1.value_write_pb2 import ValueWrite
from turboci.utils import _json
from turboci.utils._canonical import ANY_FULL_NAME
from turboci.utils._canonical import CanonicalError
from turboci.utils._canonical import canonical

M = TypeVar("M", bound=Message)

TYPE_URL_PREFIX = "type.googleapis.com/"


class ValueLookupError(LookupError):
    """Base of the lookup errors: the value cannot be returned."""


class ValueOmittedError(ValueLookupError):
    """The answer holds only the reference; ``reason`` says why."""

    def __init__(self, type_url: str, reason: OmissionReason.ValueType) -> None:
        self.type_url = type_url
        self.reason = reason
        name = OmissionReason.Name(reason) if reason in OmissionReason.values() else str(reason)
        super().__init__(f"value of type {type_url} was omitted: {name}")


class ValueMissingError(ValueLookupError):
    """The reference says the data is there, but the map has no entry for it."""


class ValueIncompleteError(ValueLookupError):
    """The value as fetched is not whole (its JSON lost fields): no digest of it."""


class ValueTypeError(ValueLookupError):
    """The value is of another type than the caller asked for."""


def type_url_of(message_type: type[Message]) -> str:
    """The type URL that values of this message type carry."""
    return TYPE_URL_PREFIX + message_type.DESCRIPTOR.full_name


def _full_name(type_url: str) -> str:
    # Type URLs may have any prefix; only the part after the last "/" names
    # the type.
    return type_url.rsplit("/", 1)[-1]


def pack(message: Message, pool: DescriptorPool | None = None) -> Any:
    """The value's Any: its type URL and the canonical encoding of message.

    Raises CanonicalError when message has no canonical encoding (e.g. it
    holds unknown fields).
    """
    if not isinstance(message, Message):
        raise TypeError(f"pack wants a protobuf message, got {type(message).__name__}")
    return Any(type_url=type_url_of(type(message)), value=canonical(message, pool))


def _as_any(value: Message, pool: DescriptorPool | None) -> Message:
    if not isinstance(value, Message):
        raise TypeError(f"a value is a protobuf message, got {type(value).__name__}")
    return value if value.DESCRIPTOR.full_name == ANY_FULL_NAME else pack(value, pool)


def digest(value: Message, pool: DescriptorPool | None = None) -> Digest:
    """The digest of a value, given as its message or as its packed Any.

    An Any is taken as the value itself, already packed (as in ValueWrite
    and ValueData), and is not packed again. Types inside Anys are looked
    up in `pool` first, then in the default pool. Raises CanonicalError when
    the value has no canonical encoding.
    """
    data = canonical(_as_any(value, pool), pool)
    return Digest(
        sha256=hashlib.sha256(data).hexdigest(),
        size_bytes=len(data),
        algorithm=DigestAlgorithm.DIGEST_ALGORITHM_CANONICAL_SHA256,
    )


def write(message: Message, realm: str | None = None) -> ValueWrite:
    """A ValueWrite holding the message, for CheckWrite, StageWrite and reasons."""
    out = ValueWrite(value=pack(message))
    if realm is not None:
        out.realm = realm
    return out


def ref_with_data(message: Message, realm: str | None = None) -> tuple[ValueRef, ValueData]:
    """A ValueRef to message and the ValueData entry it points at, as an
    answer from the orchestrator carries them: put the data into the
    answer's value_data map under ``ref.digest.sha256``. Meant for tests and
    fakes of the orchestrator."""
    packed = pack(message)
    ref = ValueRef(type_url=packed.type_url, digest=digest(packed))
    if realm is not None:
        ref.realm = realm
    return ref, ValueData(binary=packed)


def _fetched(ref: ValueRef, value_data: Mapping[str, ValueData], want: str) -> Any | ValueData:
    """What ref points at: an Any (inline or binary data) or the ValueData of
    its JSON, after lookup's checks of type, omission and presence."""
    if not isinstance(ref, ValueRef):
        raise TypeError(f"lookup wants a ValueRef, got {type(ref).__name__}")
    if ref.type_url and _full_name(ref.type_url) != want:
        raise ValueTypeError(f"value is a {_full_name(ref.type_url)}, not a {want}")
    if ref.HasField("omitted"):
        raise ValueOmittedError(ref.type_url, ref.omitted)
    if ref.HasField("inline"):
        # Only the orchestrator's own storage sets it, but it is the value
        # all the same.
        return ref.inline
    key = ref.digest.sha256
    if not key:
        raise ValueMissingError("value reference has neither a digest nor an omission reason")
    data = value_data.get(key)
    if data is None:
        raise ValueMissingError(f"value {key} of type {ref.type_url} is not in value_data")
    which = data.WhichOneof("data")
    if which == "binary":
        return data.binary
    if which == "json":
        if _full_name(data.json.type_url) != want:
            raise ValueTypeError(f"value is a {_full_name(data.json.type_url)}, not a {want}")
        return data
    raise ValueMissingError(f"value_data entry {key} holds no data")


def _json_object(ref: ValueRef, data: ValueData) -> object:
    try:
        return json.loads(data.json.json)
    except ValueError as exc:
        raise ValueLookupError(f"value {ref.digest.sha256}: bad JSON: {exc}") from None


def lookup(ref: ValueRef, value_data: Mapping[str, ValueData], message_type: type[M]) -> M:
    """The message a ValueRef points at, decoded as message_type.

    Raises ValueOmittedError (see its ``reason``) when the answer carries no
    data for the value, ValueTypeError when the value is of another type,
    ValueMissingError when the answer is inconsistent, and ValueLookupError
    when its bytes or JSON do not parse as message_type.

    A value fetched as JSON may hold fields that message_type lacks (it was
    written with a newer schema): they are ignored, and `ignored_fields`
    names them; `is_complete` tells whether the message is the whole value.
    """
    fetched = _fetched(ref, value_data, message_type.DESCRIPTOR.full_name)
    if isinstance(fetched, Any):
        return _unpack(fetched, message_type)
    message = message_type()
    try:
        json_format.Parse(fetched.json.json, message, ignore_unknown_fields=True)
    except json_format.ParseError as exc:
        raise ValueLookupError(f"value {ref.digest.sha256}: bad JSON: {exc}") from None
    return message


def ignored_fields(
    ref: ValueRef, value_data: Mapping[str, ValueData], message_type: type[M]
) -> tuple[str, ...]:
    """The fields of the value's JSON that message_type lacks, which `lookup`
    ignores, as paths (``artifacts[0].checksum``); none for binary data,
    whose unknown fields the message keeps."""
    fetched = _fetched(ref, value_data, message_type.DESCRIPTOR.full_name)
    if isinstance(fetched, Any):
        return ()
    return _ignored(ref, fetched, message_type)


def _ignored(ref: ValueRef, data: ValueData, message_type: type[M]) -> tuple[str, ...]:
    """ignored_fields of JSON data already fetched."""
    desc = cast(Descriptor, message_type.DESCRIPTOR)
    return tuple(sorted(_json.unknown_fields(_json_object(ref, data), desc)))


def is_complete(ref: ValueRef, value_data: Mapping[str, ValueData], message_type: type[M]) -> bool:
    """Whether `lookup` gives the whole value: not when its JSON lacks fields
    the orchestrator's schema did not know (``has_unknown_fields``), nor
    when it holds fields message_type lacks (`ignored_fields`)."""
    fetched = _fetched(ref, value_data, message_type.DESCRIPTOR.full_name)
    if isinstance(fetched, Any):
        return True
    return not fetched.has_unknown_fields and not _ignored(ref, fetched, message_type)


def digest_of_data(
    ref: ValueRef, value_data: Mapping[str, ValueData], message_type: type[M]
) -> Digest:
    """The digest of the value as the answer carries it, to check against
    ``ref.digest``. Refused (ValueIncompleteError) for JSON that lost fields:
    a digest over part of a value would differ from the writer's for no
    fault of the value."""
    fetched = _fetched(ref, value_data, message_type.DESCRIPTOR.full_name)
    if isinstance(fetched, Any):
        return digest(fetched)
    lost = list(_ignored(ref, fetched, message_type))
    if fetched.has_unknown_fields:
        lost.append("fields unknown to the orchestrator's schema (has_unknown_fields)")
    if lost:
        raise ValueIncompleteError(
            f"value {ref.digest.sha256}: its JSON lost {', '.join(lost)}; "
            "fetch it as binary (VALUE_ENCODING_BINARY) to digest it"
        )
    return digest(pack(lookup(ref, value_data, message_type)))


def _unpack(packed: Any, message_type: type[M]) -> M:
    message = message_type()
    try:
        unpacked = packed.Unpack(message)
    except DecodeError as exc:  # bytes that are not a message of the type
        raise ValueLookupError(f"value of type {packed.type_url}: bad bytes: {exc}") from None
    if not unpacked:
        raise ValueTypeError(
            f"value is a {_full_name(packed.type_url)}, not a {message_type.DESCRIPTOR.full_name}"
        )
    return message


def find(
    refs: Iterable[ValueRef], value_data: Mapping[str, ValueData], message_type: type[M]
) -> M | None:
    """The value of message_type among refs (check options or results hold at
    most one per type), or None when there is none. Omissions still raise, so
    that "not there" and "not shown to you" stay apart."""
    want = message_type.DESCRIPTOR.full_name
    for ref in refs:
        if _full_name(ref.type_url) == want:
            return lookup(ref, value_data, message_type)
    return None


__all__ = [
    "TYPE_URL_PREFIX",
    "CanonicalError",
    "ValueIncompleteError",
    "ValueLookupError",
    "ValueMissingError",
    "ValueOmittedError",
    "ValueTypeError",
    "canonical",
    "digest",
    "digest_of_data",
    "find",
    "ignored_fields",
    "is_complete",
    "lookup",
    "pack",
    "ref_with_data",
    "type_url_of",
    "write",
]
