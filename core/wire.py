# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Descriptor sets cut at the wire level, without parsing what is not needed.

protoc's set for a batch holds every import again; parsing it whole builds
each shared import once per batch, and every file's source info (most of
the bytes) as objects, in one arena that lives as long as any file of it.
Cut apart, each file is parsed on its own, once, without its source info,
which stays serialized for the look-ups that need it (core/source.py).
"""

from __future__ import annotations

from dataclasses import dataclass

# FileDescriptorSet.file and FileDescriptorProto's name and source_code_info.
_SET_FILE = 1
_NAME = 1
_DEPENDENCY = 3
_SOURCE_INFO = 9


class WireError(ValueError):
    """Bytes that are not the message they should be."""


def _varint(data: bytes | memoryview, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise WireError("a varint runs past the end")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7


def fields(data: bytes | memoryview) -> list[tuple[int, int, int, int]]:
    """Each top-level field of a message: (number, start, value start, end);
    a length-delimited value is data[value start:end]. WireError for bytes
    that are not a message (or hold groups, which descriptors never do)."""
    out: list[tuple[int, int, int, int]] = []
    pos = 0
    size = len(data)
    while pos < size:
        start = pos
        # Tags and lengths of one byte inline: nearly all are (this loop runs
        # once per message, enum and service of every file of a big tree).
        tag = data[pos]
        pos += 1
        if tag >= 0x80:
            tag, pos = _varint(data, start)
        number, kind = tag >> 3, tag & 7
        if number == 0:
            raise WireError("field number 0")
        if kind == 2:
            if pos >= size:
                raise WireError("a length runs past the end")
            length = data[pos]
            value = pos + 1
            if length >= 0x80:
                length, value = _varint(data, pos)
            pos = value + length
        elif kind == 0:
            _, pos = _varint(data, pos)
            value = pos
        elif kind == 1:
            value, pos = pos, pos + 8
        elif kind == 5:
            value, pos = pos, pos + 4
        else:
            raise WireError(f"wire type {kind}")
        if pos > size:
            raise WireError("a field runs past the end")
        if kind != 2:
            value = start  # only length-delimited values are sliced
        out.append((number, start, value, pos))
    return out


def set_files(data: bytes) -> list[memoryview]:
    """The serialized FileDescriptorProtos of a serialized FileDescriptorSet
    (views into `data`: a batch's set is not copied again)."""
    view = memoryview(data)
    return [view[v:e] for n, _, v, e in fields(data) if n == _SET_FILE]


@dataclass(frozen=True)
class FileParts:
    """A serialized FileDescriptorProto cut in two."""

    name: str
    # Everything but the source info (what a rule walks).
    bare: bytes
    # The serialized SourceCodeInfo (b"" when the file has none).
    source_info: bytes


def file_parts(data: bytes | memoryview) -> FileParts:
    """The name, the rest without source info, and the source info of a file."""
    name = ""
    keep: list[bytes | memoryview] = []
    info: list[bytes | memoryview] = []
    for number, start, value, end in fields(data):
        if number == _SOURCE_INFO:
            info.append(data[value:end])
            continue
        if number == _NAME:
            try:
                name = bytes(data[value:end]).decode("utf-8")
            except UnicodeDecodeError:
                raise WireError("a file name that is not UTF-8") from None
        keep.append(data[start:end])
    # Repeated occurrences of a message field merge; protoc writes one.
    return FileParts(name, b"".join(keep), b"".join(info))


def dependencies(file: bytes | memoryview) -> list[str]:
    """The names a serialized FileDescriptorProto imports."""
    try:
        return [bytes(file[v:e]).decode("utf-8") for n, _, v, e in fields(file) if n == _DEPENDENCY]
    except UnicodeDecodeError:
        raise WireError("an import name that is not UTF-8") from None


def joined(parts: FileParts) -> bytes:
    """The file whole again: its source info as a field after the rest (field
    order does not change what a parser reads)."""
    if not parts.source_info:
        return parts.bare
    return (
        parts.bare
        + bytes([_SOURCE_INFO << 3 | 2])
        + _varint_bytes(len(parts.source_info))
        + parts.source_info
    )


def _varint_bytes(n: int) -> bytes:
    out = bytearray()
    while n >= 0x80:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def as_set_entry(file: bytes) -> bytes:
    """A serialized file as one entry of a serialized FileDescriptorSet."""
    return bytes([_SET_FILE << 3 | 2]) + _varint_bytes(len(file)) + file
