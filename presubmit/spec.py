# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""A rule's spec: what it is, as data. The registry, the config and the docs read it."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Scope(enum.Enum):
    """FILE: each file is judged alone, so the rule may run on each compiled
    batch as it arrives. TREE: it needs every file at once."""

    FILE = "file"
    TREE = "tree"


class Reuse(enum.Enum):
    """What a rule's findings follow from, so what of an earlier run may stand for them.

    FILE: a file's findings follow from it and its imports (the findings
    cache keeps them per file). PACKAGE: a package's findings follow from
    its files (kept per package). NONE: the rule reads more (files other
    than protos, the date): it runs on every run, over every file."""

    FILE = "file"
    PACKAGE = "package"
    NONE = "none"


class Kind(enum.Enum):
    """The TOML type of a setting (PATH: a string naming a file inside the root)."""

    STRING = "string"
    BOOL = "true or false"
    INT = "positive integer"
    STRINGS = "list of strings"
    PATH = "path"


# What a setting holds once read.
Value = str | bool | int | tuple[str, ...] | None


@dataclass(frozen=True, kw_only=True)
class Setting:
    """One presubmit.toml key: `section.name` (a [section] table) or `name` (top level)."""

    key: str
    kind: Kind
    default: Value
    help: str

    @property
    def section(self) -> str:
        return self.key.rpartition(".")[0]

    @property
    def name(self) -> str:
        return self.key.rpartition(".")[2]

    def describe(self) -> str:
        """How --list-rules and the docs show it: `[go_package] prefix (string, default "")`."""
        where = f"[{self.section}] {self.name}" if self.section else self.name
        default = list(self.default) if isinstance(self.default, tuple) else self.default
        shown = "none" if default is None else _toml(default)
        return f"{where} ({self.kind.value}, default {shown}): {self.help}"


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value)


@dataclass(frozen=True, kw_only=True)
class RuleSpec:
    """What a rule is, as data: the registry, the config and the docs read this."""

    id: str
    purpose: str
    scope: Scope
    # On in a tree with a presubmit.toml unless the config turns it off.
    default: bool
    # On in a foreign tree (no presubmit.toml): it encodes no convention of this repo.
    portable: bool
    # The presubmit.toml keys the rule declares (and so reads), and those it cannot run without.
    settings: tuple[Setting, ...] = ()
    requires: tuple[str, ...] = ()
    # A rule of scope FILE is always FILE; one of scope TREE says.
    reuse: Reuse = Reuse.NONE

    def __post_init__(self) -> None:
        if self.scope is Scope.FILE and self.reuse is not Reuse.FILE:
            object.__setattr__(self, "reuse", Reuse.FILE)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.settings)
