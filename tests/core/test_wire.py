# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Descriptor sets cut apart at the wire level say what parsing them whole says."""

from __future__ import annotations

from pathlib import Path

import pytest
from google.protobuf import descriptor_pb2

from core import cached_compile
from core import wire

A = """\
syntax = "proto3";
package acme.a.v1;
// A thing.
message A {
  // Its name.
  string name = 1;
}
"""
B = """\
syntax = "proto3";
package acme.b.v1;
import "acme/a/v1/a.proto";
// Holds an A.
message B {
  acme.a.v1.A a = 1;
}
service S {
  rpc Get(B) returns (B);
}
"""


def _tree(root: Path) -> list[str]:
    for rel, text in {"acme/a/v1/a.proto": A, "acme/b/v1/b.proto": B}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return ["acme/a/v1/a.proto", "acme/b/v1/b.proto"]


def _set(root: Path) -> descriptor_pb2.FileDescriptorSet:
    compiled = cached_compile.compile_files(root, _tree(root))
    return compiled.descriptor_set()


def test_a_set_cut_into_files_and_parts_matches_the_whole(tmp_path: Path) -> None:
    whole = _set(tmp_path)
    data = whole.SerializeToString()
    entries = wire.set_files(data)
    assert len(entries) == len(whole.file)
    for entry, proto in zip(entries, whole.file, strict=True):
        parts = wire.file_parts(entry)
        assert parts.name == proto.name
        bare = descriptor_pb2.FileDescriptorProto.FromString(parts.bare)
        assert not bare.HasField("source_code_info")
        info = descriptor_pb2.SourceCodeInfo.FromString(parts.source_info)
        assert info == proto.source_code_info and info.location
        bare.source_code_info.CopyFrom(info)
        assert bare == proto


@pytest.mark.parametrize(
    "data",
    [
        b"\x0a\x05abc",  # a length past the end
        b"\x0b\x00",  # a group
        b"\x00\x01",  # field number 0
        b"\x08" + b"\xff" * 11,  # a varint that never ends
        b"\x0a\x02\xff\xfe",  # a name that is not UTF-8
    ],
)
def test_bytes_that_are_no_file_are_refused(data: bytes) -> None:
    with pytest.raises(wire.WireError):
        wire.file_parts(data)


def test_the_lean_compile_gives_the_same_descriptors_and_their_source_info(
    tmp_path: Path,
) -> None:
    files = _tree(tmp_path)
    cache = tmp_path / "cache"
    full = {p.name: p for p in _set(tmp_path).file}
    for round_ in ("from protoc", "from the cache"):
        info: dict[str, bytes] = {}
        got = [
            p
            for batch in cached_compile.compile_stream(
                tmp_path, files, cache=cache, source_info=info
            )
            for p in batch
        ]
        assert sorted(p.name for p in got) == files, round_
        for proto in got:
            assert not proto.HasField("source_code_info")
            merged = descriptor_pb2.FileDescriptorProto()
            merged.CopyFrom(proto)
            merged.source_code_info.ParseFromString(info[proto.name])
            assert merged == full[proto.name], round_
    # What the lean compile stored serves a compile that wants the source info.
    again = cached_compile.compile_files(tmp_path, files, cache=cache)
    assert not again.fresh
    assert {n: again.protos[n] for n in files} == {n: full[n] for n in files}


def test_the_imports_of_a_file_are_read_off_its_bytes() -> None:
    proto = descriptor_pb2.FileDescriptorProto(name="a.proto", dependency=["b.proto", "c/d.proto"])
    assert wire.dependencies(proto.SerializeToString()) == ["b.proto", "c/d.proto"]
    assert wire.dependencies(descriptor_pb2.FileDescriptorProto(name="x").SerializeToString()) == []
