# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""What a rule sees: the per-element helpers over the files it is on for."""

from __future__ import annotations

from pathlib import Path

from google.protobuf import descriptor_pb2

from core.source import SourceFile
from presubmit.config import Config
from presubmit.context import RuleContext


def _file(name: str, package: str) -> SourceFile:
    f = descriptor_pb2.FileDescriptorProto(name=name, package=package)
    m = f.message_type.add(name="M")
    m.field.add(name="a", number=1)
    entry = m.nested_type.add(name="TagsEntry")
    entry.options.map_entry = True
    entry.field.add(name="key", number=1)
    m.enum_type.add(name="Kind")
    f.enum_type.add(name="Top")
    f.service.add(name="S")
    return SourceFile(f, Path("."), b"")


def test_helpers_walk_every_file_and_skip_map_entries() -> None:
    ctx = RuleContext(Path("."), Config(), [_file("a.proto", "p.a"), _file("b.proto", "p.b")])
    assert [(sf.name, m.full_name) for sf, m in ctx.messages()] == [
        ("a.proto", "p.a.M"),
        ("b.proto", "p.b.M"),
    ]
    assert [m.full_name for _, m in ctx.messages(map_entries=True)] == [
        "p.a.M",
        "p.a.M.TagsEntry",
        "p.b.M",
        "p.b.M.TagsEntry",
    ]
    assert [(m.name, f.full_name) for _, m, f in ctx.fields()] == [
        ("M", "p.a.M.a"),
        ("M", "p.b.M.a"),
    ]
    assert [e.full_name for _, e in ctx.enums()] == [
        "p.a.Top",
        "p.a.M.Kind",
        "p.b.Top",
        "p.b.M.Kind",
    ]
    assert [(s.path, s.full_name) for _, s in ctx.services()] == [
        ((6, 0), "p.a.S"),
        ((6, 0), "p.b.S"),
    ]


def test_read_caches_and_tree_settings() -> None:
    seen: dict[str, bytes] = {"x.py": b"import os\n"}
    ctx = RuleContext(Path("/nonexistent"), Config(require_next_id=True), [], _raw=seen)
    assert ctx.read("x.py") == b"import os\n"  # from what the run already read
    assert ctx.tree("any/file.proto").require_next_id
