"""One compiled .proto: its descriptor, its raw bytes, and cheap location look-ups.

A large tree has over a million source locations, and turning every one into
a Python tuple costs more than protoc's whole parse, so the indexes here are
built per file, on demand, and as narrow as the caller needs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from google.protobuf import descriptor_pb2

from presubmit.finding import Finding

Location = descriptor_pb2.SourceCodeInfo.Location
SourcePath = tuple[int, ...]

# Field numbers of descriptor.proto used to build source_code_info paths.
FILE_PACKAGE = 2
FILE_DEPENDENCY = 3
FILE_MESSAGE = 4
FILE_ENUM = 5
FILE_SERVICE = 6
FILE_EXTENSION = 7
FILE_OPTIONS = 8
FILE_SYNTAX = 12
MESSAGE_FIELD = 2
MESSAGE_NESTED = 3
MESSAGE_ENUM = 4
ENUM_VALUE = 2
OPTIONS_GO_PACKAGE = 11


class SourceFile:
    """A FileDescriptorProto plus the text protoc read it from."""

    def __init__(
        self,
        proto: descriptor_pb2.FileDescriptorProto,
        root: Path,
        raw: bytes | None = None,
    ) -> None:
        self.proto = proto
        self.name = proto.name
        self._root = root
        self._raw = raw
        self._line_starts: list[int] | None = None
        self._index: dict[SourcePath, Location] | None = None

    @property
    def raw(self) -> bytes:
        if self._raw is None:
            self._raw = (self._root / self.name).read_bytes()
        return self._raw

    # --- locations -----------------------------------------------------

    def location(self, path: SourcePath) -> Location | None:
        """The location of `path`; the first call builds this file's full index."""
        if self._index is None:
            self._index = {tuple(loc.path): loc for loc in self.proto.source_code_info.location}
        return self._index.get(path)

    def leading_matching(self, pattern: re.Pattern[str], hint: str) -> dict[SourcePath, Location]:
        """Locations whose leading comment `pattern` finds something in (one cheap pass).

        `hint` is a lower-case string every match contains: a substring test
        is several times cheaper than the regex and rules out most comments.
        """
        search = pattern.search
        found: dict[SourcePath, Location] = {}
        for loc in self.proto.source_code_info.location:
            text = loc.leading_comments
            if text and hint in text.lower() and search(text):
                found[tuple(loc.path)] = loc
        return found

    def position(self, path: SourcePath) -> tuple[int, int]:
        """1-based line and column of `path`, or of the file start if unknown."""
        loc = self.location(path)
        if loc is None or not loc.span:
            return 1, 1
        return loc.span[0] + 1, loc.span[1] + 1

    def finding(self, path: SourcePath, rule: str, message: str, element: str) -> Finding:
        """A finding about the element at `path`, placed there; its comments
        are where a suppression marker for it is looked for."""
        line, col = self.position(path)
        return Finding(self.name, line, col, rule, message, element, anchor=path)

    def comments(self, path: SourcePath) -> str:
        """All comment text attached to `path` (leading, trailing, detached)."""
        loc = self.location(path)
        if loc is None:
            return ""
        return "\n".join(
            [loc.leading_comments, loc.trailing_comments, *loc.leading_detached_comments]
        )

    # --- raw text ------------------------------------------------------

    def line_starts(self) -> list[int]:
        if self._line_starts is None:
            starts = [0]
            starts += [m.end() for m in re.finditer(b"\n", self.raw)]
            self._line_starts = starts
        return self._line_starts

    def line_bytes(self, line0: int) -> bytes:
        """Line `line0` (0-based) without its line break."""
        starts = self.line_starts()
        if line0 < 0 or line0 >= len(starts):
            return b""
        end = starts[line0 + 1] if line0 + 1 < len(starts) else len(self.raw)
        return self.raw[starts[line0] : end].rstrip(b"\r\n")

    def offset(self, line0: int, col0: int) -> int:
        """Byte offset of protoc's (line, column); protoc moves tabs to the next stop of 8."""
        start = self.line_starts()[line0]
        line = self.line_bytes(line0)
        col = 0
        for i, byte in enumerate(line):
            if col >= col0:
                return start + i
            col = col + 8 - col % 8 if byte == 0x09 else col + 1
        return start + len(line)


def display_column(line: bytes, index: int) -> int:
    """1-based column of byte `index` in `line`, counted the way protoc counts."""
    col = 0
    for byte in line[:index]:
        col = col + 8 - col % 8 if byte == 0x09 else col + 1
    return col + 1


def walk_messages(
    proto: descriptor_pb2.FileDescriptorProto,
) -> Iterator[tuple[SourcePath, descriptor_pb2.DescriptorProto, str]]:
    """Every message of the file, nested ones too: (source path, message, full name)."""
    prefix = f".{proto.package}" if proto.package else ""
    for i, m in enumerate(proto.message_type):
        yield from _walk_message((FILE_MESSAGE, i), m, f"{prefix}.{m.name}")


def _walk_message(
    path: SourcePath, msg: descriptor_pb2.DescriptorProto, name: str
) -> Iterator[tuple[SourcePath, descriptor_pb2.DescriptorProto, str]]:
    yield path, msg, name
    nested = msg.nested_type
    if nested:  # most messages have none; skip the loop set-up
        for i, m in enumerate(nested):
            yield from _walk_message((*path, MESSAGE_NESTED, i), m, f"{name}.{m.name}")


def walk_enums_top(
    proto: descriptor_pb2.FileDescriptorProto,
) -> Iterator[tuple[SourcePath, descriptor_pb2.EnumDescriptorProto, str]]:
    """The file's top-level enums: (source path, enum, full name)."""
    prefix = f".{proto.package}" if proto.package else ""
    for i, e in enumerate(proto.enum_type):
        yield (FILE_ENUM, i), e, f"{prefix}.{e.name}"


def walk_enums(
    proto: descriptor_pb2.FileDescriptorProto,
) -> Iterator[tuple[SourcePath, descriptor_pb2.EnumDescriptorProto, str]]:
    """Every enum of the file, top-level and nested: (source path, enum, full name)."""
    prefix = f".{proto.package}" if proto.package else ""
    for i, e in enumerate(proto.enum_type):
        yield (FILE_ENUM, i), e, f"{prefix}.{e.name}"
    for path, msg, name in walk_messages(proto):
        if msg.enum_type:
            for i, e in enumerate(msg.enum_type):
                yield (*path, MESSAGE_ENUM, i), e, f"{name}.{e.name}"


def strip_dot(name: str) -> str:
    return name[1:] if name.startswith(".") else name
