# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The canonical encoding of a message, as digest.proto defines it.

Written over descriptors and the message's field values only, never over
the bytes a protobuf backend serializes, so that upb, the pure-Python and
the C++ backends, and the Go helpers, all give the same bytes.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from typing import cast

from google.protobuf import descriptor_pool
from google.protobuf import message_factory
from google.protobuf import unknown_fields
from google.protobuf.descriptor import Descriptor
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.descriptor_pool import DescriptorPool
from google.protobuf.message import DecodeError
from google.protobuf.message import Message

ANY_FULL_NAME = "google.protobuf.Any"

_MASK64 = (1 << 64) - 1

_WIRE_VARINT = 0
_WIRE_I64 = 1
_WIRE_LEN = 2
_WIRE_SGROUP = 3
_WIRE_EGROUP = 4
_WIRE_I32 = 5

_F = FieldDescriptor
_VARINT_TYPES = {_F.TYPE_INT32, _F.TYPE_INT64, _F.TYPE_UINT32, _F.TYPE_UINT64}
_VARINT_TYPES |= {_F.TYPE_BOOL, _F.TYPE_ENUM, _F.TYPE_SINT32, _F.TYPE_SINT64}
_FIXED: dict[int, tuple[str, int]] = {
    _F.TYPE_FIXED32: ("<I", _WIRE_I32),
    _F.TYPE_SFIXED32: ("<i", _WIRE_I32),
    _F.TYPE_FLOAT: ("<f", _WIRE_I32),
    _F.TYPE_FIXED64: ("<Q", _WIRE_I64),
    _F.TYPE_SFIXED64: ("<q", _WIRE_I64),
    _F.TYPE_DOUBLE: ("<d", _WIRE_I64),
}


class CanonicalError(ValueError):
    """The message has no canonical encoding; ``kind`` says why.

    Kinds: ``unknown_fields`` (fields the schema does not define),
    ``unresolvable_type`` (an Any of a type the encoder cannot find),
    ``malformed_any`` (an Any whose bytes do not parse as its type),
    ``extension`` (extensions are not allowed in values) and
    ``invalid_string`` (a string that is not valid UTF-8).
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def _varint(n: int) -> bytes:
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _tag(number: int, wire: int) -> bytes:
    return _varint((number << 3) | wire)


def _len(data: bytes) -> bytes:
    return _varint(len(data)) + data


def _wire_type(field_type: int) -> int:
    if field_type in _VARINT_TYPES:
        return _WIRE_VARINT
    if field_type in _FIXED:
        return _FIXED[field_type][1]
    return _WIRE_LEN


def _scalar(field: FieldDescriptor, value: object) -> bytes:
    """The payload of one scalar value, without its tag."""
    t = field.type
    if t in (_F.TYPE_INT32, _F.TYPE_INT64, _F.TYPE_ENUM):
        assert isinstance(value, int)
        return _varint(value & _MASK64)
    if t in (_F.TYPE_UINT32, _F.TYPE_UINT64):
        assert isinstance(value, int)
        return _varint(value)
    if t == _F.TYPE_BOOL:
        return b"\x01" if value else b"\x00"
    if t == _F.TYPE_SINT32:
        assert isinstance(value, int)
        return _varint(((value << 1) ^ (value >> 31)) & 0xFFFFFFFF)
    if t == _F.TYPE_SINT64:
        assert isinstance(value, int)
        return _varint(((value << 1) ^ (value >> 63)) & _MASK64)
    if t in _FIXED:
        return struct.pack(_FIXED[t][0], value)
    if t == _F.TYPE_STRING:
        assert isinstance(value, str)
        try:
            return _len(value.encode("utf-8"))
        except UnicodeEncodeError as exc:
            raise CanonicalError(
                "invalid_string", f"{field.full_name}: not valid UTF-8: {exc}"
            ) from None
    if t == _F.TYPE_BYTES:
        assert isinstance(value, bytes)
        return _len(value)
    raise AssertionError(f"not a scalar type: {t}")


def _is_default(field: FieldDescriptor, value: object) -> bool:
    """Whether an implicit-presence singular value is its default (not written)."""
    if field.type == _F.TYPE_FLOAT:
        return struct.pack("<f", value) == b"\0" * 4
    if field.type == _F.TYPE_DOUBLE:
        return struct.pack("<d", value) == b"\0" * 8
    return bool(value == field.default_value)


def _map_key(key: str | int | bool) -> bytes | int:
    # Strings compare by their UTF-8 bytes; ints numerically; False < True.
    return key.encode("utf-8") if isinstance(key, str) else int(key)


class _Encoder:
    """The canonical encoder. With `scramble`, it writes fields, map entries
    and an Any's two fields in reverse order instead: a valid encoding of
    the same message that is not canonical, used to make test inputs."""

    def __init__(self, pool: DescriptorPool | None, scramble: bool = False) -> None:
        self._pool = pool
        self._scramble = scramble

    def _resolve(self, name: str, where: DescriptorPool) -> Descriptor:
        pools: Iterable[DescriptorPool] = (
            p for p in (self._pool, where, descriptor_pool.Default()) if p is not None
        )
        for pool in pools:
            try:
                return pool.FindMessageTypeByName(name)
            except KeyError:
                continue
        raise CanonicalError("unresolvable_type", f"Any holds unknown type {name!r}")

    def message(self, msg: Message) -> bytes:
        desc = msg.DESCRIPTOR
        if len(unknown_fields.UnknownFieldSet(msg)):
            raise CanonicalError(
                "unknown_fields", f"{desc.full_name} holds fields its schema does not define"
            )
        if desc.full_name == ANY_FULL_NAME:
            return self._any(msg)
        out = bytearray()
        for present, _ in msg.ListFields():
            if present.is_extension:
                raise CanonicalError(
                    "extension", f"{desc.full_name}: extension {present.full_name}"
                )
        fields = cast(list[FieldDescriptor], list(desc.fields))
        for field in sorted(fields, key=lambda f: f.number, reverse=self._scramble):
            out += self._field(msg, field)
        return bytes(out)

    def _any(self, msg: Message) -> bytes:
        type_url: str = getattr(msg, "type_url")  # noqa: B009 (Any fields, typed as Message)
        value: bytes = getattr(msg, "value")  # noqa: B009
        out = bytearray()
        head = b""
        if type_url:
            url_field = cast(FieldDescriptor, msg.DESCRIPTOR.fields_by_name["type_url"])
            head = _tag(1, _WIRE_LEN) + _scalar(url_field, type_url)
        if not self._scramble:
            out += head
        if value:
            name = type_url.rsplit("/", 1)[-1]
            if not name:
                raise CanonicalError("unresolvable_type", "Any holds bytes but no type URL")
            desc = self._resolve(name, cast(DescriptorPool, msg.DESCRIPTOR.file.pool))
            inner = message_factory.GetMessageClass(desc)()
            try:
                inner.ParseFromString(value)
            except DecodeError as exc:
                raise CanonicalError(
                    "malformed_any", f"Any of type {name}: bytes do not parse: {exc}"
                ) from None
            encoded = self.message(inner)
            if encoded:
                out += _tag(2, _WIRE_LEN) + _len(encoded)
        if self._scramble:
            out += head
        return bytes(out)

    def _value(self, field: FieldDescriptor, value: object) -> bytes:
        """One value of a field, with its tag."""
        if field.type == _F.TYPE_MESSAGE:
            assert isinstance(value, Message)
            return _tag(field.number, _WIRE_LEN) + _len(self.message(value))
        if field.type == _F.TYPE_GROUP:
            assert isinstance(value, Message)
            return (
                _tag(field.number, _WIRE_SGROUP)
                + self.message(value)
                + _tag(field.number, _WIRE_EGROUP)
            )
        return _tag(field.number, _wire_type(field.type)) + _scalar(field, value)

    def _field(self, msg: Message, field: FieldDescriptor) -> bytes:
        value = getattr(msg, field.name)
        entry = field.message_type
        if entry is not None and entry.GetOptions().map_entry:
            key_field = entry.fields_by_name["key"]
            value_field = entry.fields_by_name["value"]
            out = bytearray()
            for key in sorted(value, key=_map_key, reverse=self._scramble):
                body = self._value(key_field, key) + self._value(value_field, value[key])
                out += _tag(field.number, _WIRE_LEN) + _len(body)
            return bytes(out)
        if field.is_repeated:
            if not value:
                return b""
            if field.is_packed and _wire_type(field.type) != _WIRE_LEN:
                body = b"".join(_scalar(field, v) for v in value)
                return _tag(field.number, _WIRE_LEN) + _len(body)
            return b"".join(self._value(field, v) for v in value)
        if field.has_presence:
            if not msg.HasField(field.name):
                return b""
        elif _is_default(field, value):
            return b""
        return self._value(field, value)


def canonical(message: Message, pool: DescriptorPool | None = None) -> bytes:
    """The canonical encoding of message (see digest.proto).

    Types packed in Anys are looked up in `pool` first, then in the pool of
    the Any's own descriptor, then in the default pool. Raises CanonicalError
    when the message has no canonical encoding.
    """
    return _Encoder(pool).message(message)


def scrambled(message: Message, pool: DescriptorPool | None = None) -> bytes:
    """A valid encoding of message that is not canonical: fields, map entries
    and Any fields in reverse order, at every depth. For test inputs."""
    return _Encoder(pool, scramble=True).message(message)
