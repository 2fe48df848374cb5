"""SourceFile: protoc's columns, raw offsets, and the message walk."""

from __future__ import annotations

from pathlib import Path

from google.protobuf import descriptor_pb2
from presubmit.source import SourceFile
from presubmit.source import display_column
from presubmit.source import walk_enums
from presubmit.source import walk_messages


def test_offsets_follow_protocs_tab_stops() -> None:
    raw = b"a\n\tx = 1;\n  \xc3\xa9 y\n"
    sf = SourceFile(descriptor_pb2.FileDescriptorProto(name="f.proto"), Path("."), raw)
    assert sf.line_bytes(1) == b"\tx = 1;"
    assert sf.offset(1, 8) == raw.index(b"x")  # a tab moves protoc's column to 8
    assert sf.offset(2, 4) == raw.index(b" y")  # columns count bytes
    assert display_column(b"\tx", 1) == 9
    assert display_column(b"ab", 2) == 3
    assert sf.line_bytes(9) == b""


def test_walk_messages_and_enums_in_order() -> None:
    f = descriptor_pb2.FileDescriptorProto(name="f.proto", package="p")
    a = f.message_type.add(name="A")
    b = a.nested_type.add(name="B")
    b.nested_type.add(name="C")
    b.enum_type.add(name="E")
    a.nested_type.add(name="D")
    f.message_type.add(name="Z")
    f.enum_type.add(name="Top")
    assert [(p, n) for p, _, n in walk_messages(f)] == [
        ((4, 0), ".p.A"),
        ((4, 0, 3, 0), ".p.A.B"),
        ((4, 0, 3, 0, 3, 0), ".p.A.B.C"),
        ((4, 0, 3, 1), ".p.A.D"),
        ((4, 1), ".p.Z"),
    ]
    assert [(p, n) for p, _, n in walk_enums(f)] == [
        ((5, 0), ".p.Top"),
        ((4, 0, 3, 0, 4, 0), ".p.A.B.E"),
    ]
