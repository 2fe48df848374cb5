# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The lifecycles of the API as plain tables, for the code generators.

They are read by tools/docs/lifecycle.py, the reader that draws
docs/lifecycles.md, so the generated helpers and the docs come from one
parse of the `Next states:` comments.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from core.cached_compile import Compiled
from tools.docs import lifecycle
from tools.docs import model
from tools.errors import BuildError


@dataclass(frozen=True)
class Machine:
    """One lifecycle enum: its states (full value names) and their successors."""

    enum: str  # full name, e.g. turboci.graph.orchestrator.v1.CheckState
    name: str  # relative to the package, dotted when nested: CheckState, Check.Kind
    file: str  # the .proto that declares it
    go_package: str  # the Go import path of its stubs
    go_package_name: str  # and their package name, e.g. orchestratorpb
    states: tuple[str, ...]  # declaration order
    next: dict[str, tuple[str, ...]]  # documented order; empty for a final state
    initials: tuple[str, ...]

    @property
    def noun(self) -> str:
        """What lives through the lifecycle, in snake case: StageAttemptState -> stage_attempt."""
        base = self.name.replace(".", "")
        base = base.removesuffix("State") or base
        return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", base).lower()

    @property
    def py_module(self) -> str:
        """The generated Python module that defines the enum."""
        return self.file.removesuffix(".proto").replace("/", ".") + "_pb2"


def nouns(machines: Sequence[Machine]) -> str:
    """What the lifecycles are of, for a module's doc: "checks, stage attempts and stages"."""
    words = [m.noun.replace("_", " ") + "s" for m in machines]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _go_package(option: str, enum: str) -> tuple[str, str]:
    if not option:
        raise BuildError(f"{enum}: its file has no go_package option")
    path, _, name = option.partition(";")
    return path, name or path.rsplit("/", 1)[-1]


def machines(compiled: Compiled) -> list[Machine]:
    """Every lifecycle of the compile's targets, sorted by enum full name."""
    found: list[Machine] = []
    for lc in lifecycle.lifecycles(model.load(compiled)).values():
        full = {s.name: s.value.name for s in lc.states}
        file = lc.enum.source.file
        path, name = _go_package(compiled.protos[file].options.go_package, lc.enum.full_name)
        found.append(
            Machine(
                enum=lc.enum.full_name,
                name=lc.enum.name,
                file=file,
                go_package=path,
                go_package_name=name,
                states=tuple(s.value.name for s in lc.states),
                next={s.value.name: tuple(full[n] for n in s.next) for s in lc.states},
                initials=tuple(s.value.name for s in lc.initials),
            )
        )
    nouns = [m.noun for m in found]
    clash = sorted({n for n in nouns if nouns.count(n) > 1})
    if clash:
        raise BuildError(f"two lifecycle enums would both be named {clash[0]!r} in the helpers")
    return found
