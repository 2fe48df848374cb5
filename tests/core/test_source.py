# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""SourceFile: location look-ups, protoc's columns, raw offsets, suppression markers."""

from __future__ import annotations

from pathlib import Path

import pytest
from google.protobuf import descriptor_pb2
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from core import cached_compile as compiler
from core.layout import Layout
from core.source import Location
from core.source import SourceFile
from core.source import display_column
from tools.api_compile import proto_files

REPO = Path(__file__).resolve().parents[2]


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


def _first_by_path(proto: descriptor_pb2.FileDescriptorProto) -> dict[tuple[int, ...], Location]:
    first: dict[tuple[int, ...], Location] = {}
    for loc in proto.source_code_info.location:
        first.setdefault(tuple(loc.path), loc)
    return first


def test_location_is_the_first_of_its_path_in_every_api_file() -> None:
    layout = Layout(REPO)
    compiled = compiler.compile_files(REPO, proto_files(layout), cache=layout.compile_cache)
    for name in compiled.files:
        proto = compiled.protos[name]
        sf = SourceFile(proto, REPO)
        for path, loc in _first_by_path(proto).items():
            assert sf.location(path) == loc, (name, path)
        assert sf.location((4, 999, 2, 999)) is None


def test_source_info_kept_apart_answers_as_the_parsed_one() -> None:
    """A file whose source info is kept serialized (the lint's lean compile)
    answers every look-up as one that carries it parsed."""
    layout = Layout(REPO)
    compiled = compiler.compile_files(REPO, proto_files(layout), cache=layout.compile_cache)
    for name in compiled.files:
        proto = compiled.protos[name]
        bare = descriptor_pb2.FileDescriptorProto()
        bare.CopyFrom(proto)
        bare.ClearField("source_code_info")
        apart = SourceFile(bare, REPO, None, proto.source_code_info.SerializeToString())
        whole = SourceFile(proto, REPO)
        for path in _first_by_path(proto):
            assert apart.location(path) == whole.location(path), (name, path)
        assert apart.first_locations(3) == list(proto.source_code_info.location[:3])
        assert apart.source_info() == proto.source_code_info
        for path in _first_by_path(proto):
            assert apart.ignored_at(path) == whole.ignored_at(path)


# Bytes that look like location and path headers (0x0a, small lengths), in
# the paths, spans and comments that surround the entries looked up: a path
# (10, 1, 0) holds the bytes of a whole Location whose path is (0,).
_tricky_ints = st.sampled_from([0, 1, 2, 3, 4, 5, 10, 127, 128, 129, 300, 16384])
_tricky_text = st.lists(st.sampled_from(["\n", "\x02", "\x04", "\x80", "a", "\x0a\x02\x04"])).map(
    "".join
)


@pytest.mark.slow  # 300 examples: over a second
@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(_tricky_ints, max_size=5),  # empty: the file's own location
            st.lists(_tricky_ints, min_size=3, max_size=4),
            _tricky_text,
        ),
        max_size=25,
    ),
    st.lists(_tricky_ints, max_size=5),
)
def test_location_survives_bytes_that_look_like_entries(
    entries: list[tuple[list[int], list[int], str]], asked: list[int]
) -> None:
    proto = descriptor_pb2.FileDescriptorProto(name="f.proto")
    for numbers, span, comment in entries:
        proto.source_code_info.location.add(path=numbers, span=span, leading_comments=comment)
    first = _first_by_path(proto)
    paths: list[tuple[int, ...]] = [*first, tuple(asked)]
    # The index is walked only as far as each look-up needs: asked in any
    # order, every path finds its first entry.
    for order in (paths, paths[::-1], paths[1::2] + paths[::2]):
        sf = SourceFile(proto, Path("."), b"")
        for path in order:
            assert sf.location(path) == first.get(path)
