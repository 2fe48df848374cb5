"""One compiled .proto: its descriptor, its raw bytes, and cheap location look-ups.

A large tree has over a million source locations, and turning every one into
a Python tuple costs more than protoc's whole parse, so the indexes here are
built per file, on demand, and as narrow as the caller needs.
"""

from __future__ import annotations

import re
from pathlib import Path

from google.protobuf import descriptor_pb2

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
        self._index: dict[SourcePath, Location] | None = None
        self._has_markers: bool | None = None
        self._ignored: dict[SourcePath, set[str]] | None = None

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
