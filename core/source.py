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
from pathlib import Path

from google.protobuf import descriptor_pb2
from google.protobuf.message import DecodeError

from core import comments
from core.descriptors import SourcePath

Location = descriptor_pb2.SourceCodeInfo.Location


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
        self._sci: bytes | None = None
        self._by_width: dict[int, dict[bytes, int]] = {}
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
        file. So locations are found in the serialized source info, where
        each starts with its path field: one pass of bytes.find (in C)
        indexes the entries whose path has the length asked for, and only
        the entry asked for is parsed, then checked.
        """
        if not path:
            # The whole file's: it has no path field to look for, and comes first.
            for entry in self.proto.source_code_info.location:
                if not entry.path:
                    return entry
            return None
        if self._sci is None:
            self._sci = self.proto.source_code_info.SerializeToString()
        packed = b"".join(_varint(n) for n in path)
        index = self._by_width.get(len(packed))
        if index is None and len(packed) < 0x80:
            index = _index(self._sci, len(packed))
            self._by_width[len(packed)] = index
        at = index.get(packed) if index is not None else None
        if at is not None:
            loc = _entry_at(self._sci, at, path)
            if loc is not None:
                return loc
        # Bytes that only looked like an entry came first: search them all.
        needle = b"\x0a" + _varint(len(packed)) + packed
        at = self._sci.find(needle)
        while at >= 0:
            loc = _entry_at(self._sci, at, path)
            if loc is not None:
                return loc
            at = self._sci.find(needle, at + 1)
        return None

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
            for loc in self.proto.source_code_info.location:
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


def _index(sci: bytes, width: int) -> dict[bytes, int]:
    """Where each packed path of `width` bytes first starts an entry in `sci`.

    An entry is a Location (0x0a, its length as a varint of 1 to 3 bytes),
    whose first field is its path (0x0a, `width`, the packed path). The
    path's header is found with bytes.find, one byte on each time so that a
    false match never hides a real entry it overlaps, and kept when the
    bytes before it can be a Location's header; _entry_at checks the rest.
    """
    index: dict[bytes, int] = {}
    needle = bytes([0x0A, width])
    find = sci.find
    at = find(needle, 2)
    while at >= 0:
        start = at + 2
        if _header_before(sci, at):
            index.setdefault(sci[start : start + width], at)
        at = find(needle, at + 1)
    return index


def _header_before(sci: bytes, at: int) -> bool:
    """Do the bytes before `at` end with 0x0a and a varint of 1 to 3 bytes?"""
    if sci[at - 1] >= 0x80:
        return False  # a varint's last byte is below 0x80
    for width in (1, 2, 3):
        head = at - width
        if head < 1:
            return False
        if sci[head - 1] == 0x0A:
            return True
        if sci[head - 1] < 0x80:
            return False  # not a continuation byte: no longer varint fits
    return False


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        low = n & 0x7F
        n >>= 7
        if n:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def _entry_at(sci: bytes, at: int, path: SourcePath) -> Location | None:
    """The Location whose payload starts at `at` in serialized source info, if
    one does and its path is `path` (else the bytes matched by chance)."""
    # Each location is field 1 of SourceCodeInfo: 0x0a, then its length as a
    # varint of 1 to 3 bytes, right before the payload.
    for width in (1, 2, 3):
        start = at - width
        if start < 1 or sci[start - 1] != 0x0A:
            continue
        head = sci[start:at]
        if any(b < 0x80 for b in head[:-1]) or head[-1] >= 0x80:
            continue
        size = 0
        for shift, b in enumerate(head):
            size |= (b & 0x7F) << (7 * shift)
        try:
            loc = Location.FromString(sci[at : at + size])
        except DecodeError:
            continue
        if tuple(loc.path) == path:
            return loc
    return None
