# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""SourceFile: protoc's columns, raw offsets, suppression markers."""

from __future__ import annotations

from pathlib import Path

from google.protobuf import descriptor_pb2

from core.source import SourceFile
from core.source import display_column


def test_offsets_follow_protocs_tab_stops() -> None:
    raw = b"a\n\tx = 1;\n  \xc3\xa9 y\n"
    sf = SourceFile(descriptor_pb2.FileDescriptorProto(name="f.proto"), Path("."), raw)
    assert sf.line_bytes(1) == b"\tx = 1;"
    assert sf.offset(1, 8) == raw.index(b"x")  # a tab moves protoc's column to 8
    assert sf.offset(2, 4) == raw.index(b" y")  # columns count bytes
    assert display_column(b"\tx", 1) == 9
    assert display_column(b"ab", 2) == 3
    assert sf.line_bytes(9) == b""


def _with_comments(raw: bytes) -> SourceFile:
    proto = descriptor_pb2.FileDescriptorProto(name="f.proto")
    info = proto.source_code_info
    info.location.add(
        path=[4, 0], span=[3, 0, 5, 1], leading_comments=" turboci:lint:ignore NEXT_ID\n"
    )
    info.location.add(
        path=[4, 1], span=[7, 0, 8, 1], leading_detached_comments=[" turboci:lint:ignore X_Y\n"]
    )
    info.location.add(path=[4, 2], span=[9, 0, 9, 9], leading_comments=" plain\n")
    return SourceFile(proto, Path("."), raw)


def test_ignore_markers_are_indexed_by_element() -> None:
    sf = _with_comments(b"x\n// turboci:lint:ignore GO_PACKAGE\n")
    assert sf.has_ignore_markers()
    assert sf.ignored_at((4, 0)) == {"NEXT_ID"}
    assert sf.ignored_at((4, 1)) == {"X_Y"}
    assert sf.ignored_at((4, 2)) == set()
    assert sf.ignored_on_line(2) == {"GO_PACKAGE"}
    assert sf.ignored_on_line(1) == set()


def test_a_file_without_the_marker_is_never_indexed() -> None:
    sf = _with_comments(b"no marker in these bytes\n")
    assert not sf.has_ignore_markers()
    # The comments carry markers, but the bytes do not: the bytes are the truth.
    assert sf.ignored_at((4, 0)) == set()
