# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""One compiled .proto: its descriptor, its raw bytes, and cheap location look-ups.

A large tree has over a million source locations, and turning every one into
a Python tuple costs more than protoc's whole parse, so the indexes here are
built per file, on demand, and as narrow as the caller needs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from google.protobuf import descriptor_pb2

from core import comments
from core.descriptors import SourcePath
from core.descriptors import read_varint

Location = descriptor_pb2.SourceCodeInfo.Location


class SourceFile:
    """A FileDescriptorProto plus the text protoc read it from."""

    def __init__(
        self,
        proto: descriptor_pb2.FileDescriptorProto,
        root: Path,
        raw: bytes | None = None,
        source_info: bytes | None = None,
    ) -> None:
        """`source_info`, when given, is the file's SourceCodeInfo serialized,
        and `proto` comes without it (core/wire.py): kept as bytes, it costs a
        fraction of its parsed form, and look-ups parse only what they need."""
        self.proto = proto
        self.name = proto.name
        self._root = root
        self._raw = raw
        self._line_starts: list[int] | None = None
        self._apart = source_info is not None
        self._sci = source_info
        self._index: _LocationIndex | None = None
        self._has_markers: bool | None = None
        self._ignored: dict[SourcePath, set[str]] | None = None

    @property
    def raw(self) -> bytes:
        if self._raw is None:
            self._raw = (self._root / self.name).read_bytes()
        return self._raw

    # --- locations -----------------------------------------------------

    def location(self, path: SourcePath) -> Location | None:
        """The first location of `path` (its declaration), or None.

        A file of a big tree has tens of thousands of locations, and turning
        them all into Python objects costs more than protoc's parse of the
        file. So the serialized source info is walked, reading only each
        entry's length and path (a few bytes), into an index from the packed
        path to the first entry's bytes, and only as far as a look-up needs
        (a service comes early in its file); only the entry asked for is
        parsed.
        """
        if self._index is None:
            self._index = _LocationIndex(self._serialized())
        found = self._index.first(_packed(path))
        if found is None and self._index.unreadable:
            # Fields the walk does not know how to skip: parse them all.
            for loc in self.source_info().location:
                self._index.found.setdefault(_packed(loc.path), loc)
            self._index.unreadable = False
            found = self._index.found.get(_packed(path))
        if found is None or isinstance(found, Location):
            return found
        start, end = found
        return Location.FromString(self._serialized()[start:end])

    def release(self) -> None:
        """Drop the indexes built for look-ups (a big file's location index
        takes many times its source info); later look-ups build them again."""
        self._index = None
        self._ignored = None
        self._line_starts = None
        if not self._apart:
            self._sci = None

    def _serialized(self) -> bytes:
        if self._sci is None:
            self._sci = self.proto.source_code_info.SerializeToString()
        return self._sci

    def source_info(self) -> descriptor_pb2.SourceCodeInfo:
        """Every location, parsed (from the bytes each time, when kept apart)."""
        if self._apart:
            return descriptor_pb2.SourceCodeInfo.FromString(self._serialized())
        return self.proto.source_code_info

    def first_locations(self, count: int) -> list[Location]:
        """The first `count` locations, parsing no other."""
        sci = self._serialized()
        found: list[Location] = []
        pos = 0
        try:
            while pos < len(sci) and len(found) < count:
                if sci[pos] != 0x0A:
                    return list(self.source_info().location[:count])
                size, start = read_varint(sci, pos + 1)
                pos = start + size
                found.append(Location.FromString(sci[start:pos]))
        except (IndexError, ValueError):
            return list(self.source_info().location[:count])
        return found

    def leading_matching(self, pattern: re.Pattern[str], hint: str) -> dict[SourcePath, Location]:
        """Locations whose leading comment `pattern` finds something in (one cheap pass).

        `hint` is a lower-case string every match contains: a substring test
        is several times cheaper than the regex and rules out most comments.
        """
        search = pattern.search
        found: dict[SourcePath, Location] = {}
        for loc in self.source_info().location:
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

    def has_ignore_markers(self) -> bool:
        """Does the file mention the suppression marker at all? (Most do not.)"""
        if self._has_markers is None:
            self._has_markers = comments.IGNORE_MARKER in self.raw
        return self._has_markers

    def ignored_at(self, path: SourcePath) -> set[str]:
        """Rule IDs suppressed for the element at `path` by markers in its comments.

        Indexed once per file, only over the locations whose comments hold a
        marker, so many findings in one file cost one pass.
        """
        if not self.has_ignore_markers():
            return set()
        if self._ignored is None:
            self._ignored = {}
            for loc in self.source_info().location:
                text = "\n".join(
                    [loc.leading_comments, loc.trailing_comments, *loc.leading_detached_comments]
                )
                if "turboci:lint:ignore" in text:
                    key = tuple(loc.path)
                    self._ignored[key] = self._ignored.get(key, set()) | comments.ignored_rules(
                        text
                    )
        return self._ignored.get(path, set())

    def ignored_on_line(self, line: int) -> set[str]:
        """Rule IDs named by a marker on 1-based `line` (for findings with no element)."""
        if not self.has_ignore_markers():
            return set()
        return comments.ignored_rules(self.line_bytes(line - 1).decode("utf-8", "replace"))

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


class _LocationIndex:
    """Packed path -> (start, end) of the first Location with that path in
    serialized SourceCodeInfo, walked in order as far as look-ups need.

    Each entry is field 1 (0x0a, then its length as a varint); its payload
    starts with the packed path (0x0a, a length, the varints), which only the
    file's own location (an empty path) leaves out. A field other than
    `location` (an extension) stops the walk: `unreadable` is then set, and
    the caller parses the whole info instead.
    """

    def __init__(self, sci: bytes) -> None:
        self.sci = sci
        self.found: dict[bytes, tuple[int, int] | Location] = {}
        self.pos = 0
        self.unreadable = False

    def first(self, packed: bytes) -> tuple[int, int] | Location | None:
        hit = self.found.get(packed)
        if hit is not None or self.unreadable:
            return hit
        sci, found = self.sci, self.found
        setdefault = found.setdefault
        pos, end = self.pos, len(sci)
        try:
            while pos < end:
                if sci[pos] != 0x0A:
                    self.unreadable = True
                    return None
                # Varints of one byte inline: nearly every length is one (this
                # loop runs once per location of the file).
                size = sci[pos + 1]
                start = pos + 2
                if size >= 0x80:
                    size, start = read_varint(sci, pos + 1)
                pos = start + size
                if size and sci[start] == 0x0A:
                    length = sci[start + 1]
                    at = start + 2
                    if length >= 0x80:
                        length, at = read_varint(sci, start + 1)
                    key = sci[at : at + length]
                else:
                    key = b""
                entry = (start, pos)
                if setdefault(key, entry) is entry and key == packed:
                    self.pos = pos
                    return entry
        except (IndexError, ValueError):
            self.unreadable = True  # truncated: not what upb serializes
            return None
        self.pos = pos
        return None


def _packed(path: Sequence[int]) -> bytes:
    return b"".join(_varint(n) for n in path)


def _varint(n: int) -> bytes:
    n &= (1 << 64) - 1  # a negative int32 is ten bytes, as protobuf writes it
    out = bytearray()
    while True:
        low = n & 0x7F
        n >>= 7
        if n:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)
