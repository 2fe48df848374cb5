# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Values: taking ValueWrites in (checked, digested) and handing their data
out as a reader's ValueSelection asks."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from collections.abc import Iterable

import grpc
from google.protobuf import json_format
from google.protobuf import symbol_database
from google.protobuf.any_pb2 import Any
from google.protobuf.internal.containers import MessageMap
from google.protobuf.message import DecodeError

from turboci.graph.orchestrator.v1.digest_pb2 import Digest
from turboci.graph.orchestrator.v1.digest_pb2 import DigestAlgorithm
from turboci.graph.orchestrator.v1.error_reason_pb2 import ErrorReason
from turboci.graph.orchestrator.v1.json_value_pb2 import JsonValue
from turboci.graph.orchestrator.v1.omission_reason_pb2 import OmissionReason
from turboci.graph.orchestrator.v1.value_data_pb2 import ValueData
from turboci.graph.orchestrator.v1.value_encoding_pb2 import ValueEncoding
from turboci.graph.orchestrator.v1.value_ref_pb2 import ValueRef
from turboci.graph.orchestrator.v1.value_selection_pb2 import ValueSelection
from turboci.graph.orchestrator.v1.value_write_pb2 import ValueWrite
from turboci.testing._errors import Refusal
from turboci.testing._errors import invalid
from turboci.utils.value import CanonicalError
from turboci.utils.value import canonical

# "<project>:<realm>", the form of every realm.
REALM = re.compile(r"[a-z0-9_.-]+:[A-Za-z0-9_.@/-]+")
# The largest value the orchestrator accepts, in bytes of its Any's encoding.
MAX_VALUE_BYTES = 1 << 20
# The largest value an answer carries when the reader sets no limit.
DEFAULT_ANSWER_VALUE_BYTES = 1 << 20


def _message_class(type_url: str) -> type | None:
    name = type_url.rsplit("/", 1)[-1]
    try:
        return symbol_database.Default().GetSymbol(name)
    except KeyError:
        return None


def _any_bytes(packed: Any) -> bytes:
    # The digest is over the Any as sent: type_url (field 1), then value (2).
    return packed.SerializeToString(deterministic=True)


def ingest(write: ValueWrite, field: str) -> tuple[ValueRef, Any]:
    """The reference to store for a written value and the Any to keep.

    Values of a type the orchestrator knows must be canonical; others are
    stored and digested as sent (see Digest).
    """
    if not write.HasField("value") or not write.value.type_url:
        raise invalid(f"{field}: a value needs an Any with a type_url", field)
    if write.HasField("realm") and not REALM.fullmatch(write.realm):
        raise invalid(
            f'{field}.realm: {write.realm!r} is not "<project>:<realm>"', f"{field}.realm"
        )
    packed = write.value
    cls = _message_class(packed.type_url)
    data = _any_bytes(packed)
    if len(data) > MAX_VALUE_BYTES:
        raise invalid(
            f"{field}: value of {len(data)} bytes is over the limit of {MAX_VALUE_BYTES}", field
        )
    if cls is not None:
        message = cls()
        try:
            message.ParseFromString(packed.value)
        except DecodeError:
            raise invalid(f"{field}: the bytes of {packed.type_url} do not parse", field) from None
        try:
            want: bytes | None = canonical(message)
        except CanonicalError:
            # Fields the orchestrator's schema lacks: stored as sent (see Digest).
            want = None
        if want is not None and want != packed.value:
            raise Refusal(
                grpc.StatusCode.INVALID_ARGUMENT,
                f"{field}: the bytes of {packed.type_url} are not its canonical encoding",
                ErrorReason.ERROR_REASON_VALUE_NOT_CANONICAL,
                {"type_url": packed.type_url},
            )
    ref = ValueRef(
        type_url=packed.type_url,
        digest=Digest(
            sha256=hashlib.sha256(data).hexdigest(),
            size_bytes=len(data),
            algorithm=DigestAlgorithm.DIGEST_ALGORITHM_CANONICAL_SHA256,
        ),
    )
    if write.HasField("realm"):
        ref.realm = write.realm
    stored = Any()
    stored.CopyFrom(packed)
    return ref, stored


def selected(selection: ValueSelection, type_url: str) -> bool:
    for pattern in selection.types:
        if pattern.endswith("*"):
            if type_url.startswith(pattern[:-1]):
                return True
        elif pattern == type_url:
            return True
    return False


def _data(packed: Any, encoding: ValueEncoding.ValueType) -> ValueData:
    cls = _message_class(packed.type_url)
    has_unknown = False
    message = None
    if cls is not None:
        message = cls()
        message.ParseFromString(packed.value)
        try:
            canonical(message)
        except CanonicalError:
            has_unknown = True
    if encoding == ValueEncoding.VALUE_ENCODING_JSON and message is not None:
        text = json_format.MessageToJson(message, indent=None)
        data = ValueData(json=JsonValue(type_url=packed.type_url, json=text))
    else:
        # A type the orchestrator does not know can only be given as binary.
        data = ValueData(binary=packed)
    if has_unknown:
        data.has_unknown_fields = True  # "set when": left unset otherwise
    return data


def fill(
    refs: Iterable[ValueRef],
    store: dict[str, Any],
    selection: ValueSelection,
    out: MessageMap[str, ValueData],
    may_read: Callable[[str], bool],
    default_realm: Callable[[ValueRef], str],
) -> None:
    """Put the data of refs into out, or mark each ref omitted with why."""
    limit = selection.max_value_bytes or DEFAULT_ANSWER_VALUE_BYTES
    for ref in refs:
        if not selected(selection, ref.type_url):
            ref.omitted = OmissionReason.OMISSION_REASON_NOT_REQUESTED
        elif not may_read(ref.realm or default_realm(ref)):
            ref.omitted = OmissionReason.OMISSION_REASON_NO_ACCESS
        elif ref.digest.size_bytes > limit:
            ref.omitted = OmissionReason.OMISSION_REASON_TOO_LARGE
        else:
            key = ref.digest.sha256
            if key not in out:
                out[key].CopyFrom(_data(store[key], selection.encoding))
