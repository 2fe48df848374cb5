# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Source paths and walkers over FileDescriptorProtos, shared by lint, docs and gen.

A source path (descriptor.proto's SourceCodeInfo.Location.path) is the chain
of field numbers and indexes that leads from the file to an element; the
walkers yield each element with its path so a consumer can place it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic
from typing import NamedTuple
from typing import TypeVar

from google.protobuf import descriptor_pb2

SourcePath = tuple[int, ...]

# Field numbers of descriptor.proto that source paths are made of.
FILE_PACKAGE = 2
FILE_DEPENDENCY = 3
FILE_MESSAGE = 4
FILE_ENUM = 5
FILE_SERVICE = 6
FILE_EXTENSION = 7
FILE_OPTIONS = 8
FILE_SYNTAX = 12
FILE_EDITION = 14
MESSAGE_FIELD = 2
MESSAGE_NESTED = 3
MESSAGE_ENUM = 4
ENUM_VALUE = 2
SERVICE_METHOD = 2
OPTIONS_GO_PACKAGE = 11

# The extension number of google.api.field_behavior on FieldOptions.
FIELD_BEHAVIOR_EXTENSION = 1052

T = TypeVar("T")


class Element(NamedTuple, Generic[T]):
    """One definition of a file: where it is (`path`), what it is, its full name (no dot).

    A named tuple, not a dataclass: a big tree has hundreds of thousands of
    fields, and a tuple is several times cheaper to make.
    """

    path: SourcePath
    proto: T
    full_name: str

    @property
    def name(self) -> str:
        return self.full_name.rsplit(".", 1)[-1]


Message = Element[descriptor_pb2.DescriptorProto]
Enum = Element[descriptor_pb2.EnumDescriptorProto]
Field = Element[descriptor_pb2.FieldDescriptorProto]
Service = Element[descriptor_pb2.ServiceDescriptorProto]
Method = Element[descriptor_pb2.MethodDescriptorProto]
EnumValue = Element[descriptor_pb2.EnumValueDescriptorProto]


def _prefix(file: descriptor_pb2.FileDescriptorProto) -> str:
    return f"{file.package}." if file.package else ""


def messages(file: descriptor_pb2.FileDescriptorProto) -> Iterator[Message]:
    """Every message of the file, each followed by its nested ones (depth first)."""
    prefix = _prefix(file)
    for i, m in enumerate(file.message_type):
        yield from _nested(Element((FILE_MESSAGE, i), m, prefix + m.name))


def _nested(message: Message) -> Iterator[Message]:
    yield message
    nested = message.proto.nested_type
    if nested:  # most messages have none; skip the loop set-up
        for i, m in enumerate(nested):
            yield from _nested(
                Element((*message.path, MESSAGE_NESTED, i), m, f"{message.full_name}.{m.name}")
            )


def top_enums(file: descriptor_pb2.FileDescriptorProto) -> Iterator[Enum]:
    prefix = _prefix(file)
    for i, e in enumerate(file.enum_type):
        yield Element((FILE_ENUM, i), e, prefix + e.name)


def nested_enums(message: Message) -> Iterator[Enum]:
    for i, e in enumerate(message.proto.enum_type):
        yield Element((*message.path, MESSAGE_ENUM, i), e, f"{message.full_name}.{e.name}")


def enums(file: descriptor_pb2.FileDescriptorProto) -> Iterator[Enum]:
    """Every enum of the file: top-level ones, then those nested in messages."""
    yield from top_enums(file)
    for m in messages(file):
        if m.proto.enum_type:
            yield from nested_enums(m)


def fields(message: Message) -> Iterator[Field]:
    for i, f in enumerate(message.proto.field):
        yield Element((*message.path, MESSAGE_FIELD, i), f, f"{message.full_name}.{f.name}")


def values(enum: Enum) -> Iterator[EnumValue]:
    # Enum values are scoped like their enum's siblings, not inside the enum.
    scope = enum.full_name.rsplit(".", 1)[0] if "." in enum.full_name else ""
    for i, v in enumerate(enum.proto.value):
        name = f"{scope}.{v.name}" if scope else v.name
        yield Element((*enum.path, ENUM_VALUE, i), v, name)


def services(file: descriptor_pb2.FileDescriptorProto) -> Iterator[Service]:
    prefix = _prefix(file)
    for i, s in enumerate(file.service):
        yield Element((FILE_SERVICE, i), s, prefix + s.name)


def methods(service: Service) -> Iterator[Method]:
    for i, m in enumerate(service.proto.method):
        yield Element((*service.path, SERVICE_METHOD, i), m, f"{service.full_name}.{m.name}")


def varints_of(data: bytes, number: int) -> list[int]:
    """All varint values of field `number` in a serialized message, packed or not.

    Options such as google.api.field_behavior are extensions; read from the
    wire form they work whether or not the extension is registered in this
    process (unregistered, it is kept as an unknown field).
    """
    found: list[int] = []
    for num, value in _fields(data):
        if num != number:
            continue
        if isinstance(value, int):
            found.append(value)
        else:  # packed
            inner = 0
            while inner < len(value):
                item, inner = read_varint(value, inner)
                found.append(item)
    return found


def payloads_of(data: bytes, number: int) -> list[bytes]:
    """The payloads of every length-delimited field `number` in a serialized message
    (an option set to a message, read whether or not its extension is registered)."""
    return [value for num, value in _fields(data) if num == number and isinstance(value, bytes)]


def _fields(data: bytes) -> Iterator[tuple[int, int | bytes]]:
    """(number, value) of each varint (an int) and length-delimited (bytes) field
    of a serialized message; fixed-size fields and group markers are skipped."""
    pos = 0
    while pos < len(data):
        tag, pos = read_varint(data, pos)
        num, wire = tag >> 3, tag & 7
        if wire == 0:
            value, pos = read_varint(data, pos)
            yield num, value
        elif wire == 2:
            size, pos = read_varint(data, pos)
            yield num, data[pos : pos + size]
            pos += size
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        elif wire in (3, 4):
            continue  # group markers carry no payload of their own
        else:
            raise ValueError(f"bad wire type {wire}")


def read_varint(data: bytes, pos: int) -> tuple[int, int]:
    """The varint at `pos`, and where the bytes after it start; ValueError if cut short."""
    result = shift = 0
    while True:
        if pos >= len(data):
            raise ValueError("truncated varint")
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7
