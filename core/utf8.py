# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Strings in compiled descriptors that are not UTF-8, which protoc lets through.

An escape in a string literal (`json_name = "r\\377"`) gives bytes that no
UTF-8 reader (the JSON mapping, Go's protobuf) accepts. The text of the
file is checked before the compile; this checks what the escapes made.
"""

from __future__ import annotations

from google.protobuf import descriptor_pb2
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

_SOURCE_INFO = "source_code_info"


def _walk(msg: Message, path: list[int], found: list[tuple[list[int], str]]) -> None:
    for fd, value in msg.ListFields():
        if fd.name == _SOURCE_INFO:
            continue
        repeated = fd.is_repeated
        values = list(value) if repeated else [value]
        if fd.type == FieldDescriptor.TYPE_STRING:
            # upb hands back bytes for a string field that is not UTF-8.
            for i, v in enumerate(values):
                if isinstance(v, bytes):
                    found.append(([*path, fd.number, *([i] if repeated else [])], fd.name))
        elif fd.type == FieldDescriptor.TYPE_MESSAGE:
            for i, v in enumerate(values):
                _walk(v, [*path, fd.number, *([i] if repeated else [])], found)


def not_utf8(proto: descriptor_pb2.FileDescriptorProto) -> list[str]:
    """`file:line:col: ...` for each string of `proto` that is not UTF-8."""
    found: list[tuple[list[int], str]] = []
    _walk(proto, [], found)
    if not found:
        return []
    spans = {tuple(loc.path): loc.span for loc in proto.source_code_info.location}
    lines = []
    for path, name in found:
        line, col = 1, 1
        for end in range(len(path), -1, -1):  # the closest element with a place
            span = spans.get(tuple(path[:end]))
            if span:
                line, col = span[0] + 1, span[1] + 1
                break
        lines.append(
            f"{proto.name}:{line}:{col}: {name} is not UTF-8 (an escape made bytes "
            "that are not text); write it as UTF-8"
        )
    return lines
