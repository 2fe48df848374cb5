# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""What a rule sees: the files it is on for, the config, and per-element helpers."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from google.protobuf import descriptor_pb2

from core import descriptors
from core.source import SourceFile
from presubmit.config import Config
from presubmit.config import Tree


@dataclass
class RuleContext:
    root: Path
    config: Config
    # The compiled protos this rule is on for (per the config, or --rules).
    files: list[SourceFile]
    # The hand-written Python this rule is on for.
    python_files: list[str] = field(default_factory=list)
    # Every compiled file of the run, whatever the rule is on for (declarations
    # a tree-scope rule may need: an option's extension, a package's services).
    all_files: list[SourceFile] = field(default_factory=list)
    # Is the rule on for this root-relative path (per the config, or everywhere
    # when named with --rules)? For the files a rule finds itself (go.mod).
    on: Callable[[str], bool] = lambda _path: True
    # Problems that are not findings (a file a rule had to skip), for stderr.
    warnings: list[str] = field(default_factory=list)
    # Every descriptor of the compile by file name, imports included: what a
    # file sees, whichever other files the run was given.
    protos: Mapping[str, descriptor_pb2.FileDescriptorProto] = field(default_factory=dict)
    _raw: dict[str, bytes] = field(default_factory=dict)

    def closure(self, sf: SourceFile) -> list[descriptor_pb2.FileDescriptorProto]:
        """`sf` and every file it imports, directly or not (those the compile holds)."""
        seen: dict[str, descriptor_pb2.FileDescriptorProto] = {}
        stack = [sf.proto]
        while stack:
            proto = stack.pop()
            if proto.name in seen:
                continue
            seen[proto.name] = proto
            stack.extend(self.protos[d] for d in proto.dependency if d in self.protos)
        return list(seen.values())

    def tree(self, path: str) -> Tree:
        """The settings of the most specific configured tree holding `path`."""
        return self.config.tree_for(path)

    def read(self, rel: str) -> bytes:
        """Raw bytes of a root-relative file that is not a compiled proto (cached)."""
        if rel not in self._raw:
            self._raw[rel] = (self.root / rel).read_bytes()
        return self._raw[rel]

    # --- per-element helpers ---------------------------------------------

    def messages(
        self, *, map_entries: bool = False
    ) -> Iterator[tuple[SourceFile, descriptors.Message]]:
        """Every message of every file, nested ones too (protoc's map entries only if asked)."""
        for sf in self.files:
            for m in descriptors.messages(sf.proto):
                if map_entries or not m.proto.options.map_entry:
                    yield sf, m

    def fields(self) -> Iterator[tuple[SourceFile, descriptors.Message, descriptors.Field]]:
        for sf, m in self.messages():
            for f in descriptors.fields(m):
                yield sf, m, f

    def enums(self) -> Iterator[tuple[SourceFile, descriptors.Enum]]:
        for sf in self.files:
            for e in descriptors.enums(sf.proto):
                yield sf, e

    def services(self) -> Iterator[tuple[SourceFile, descriptors.Service]]:
        for sf in self.files:
            for s in descriptors.services(sf.proto):
                yield sf, s
