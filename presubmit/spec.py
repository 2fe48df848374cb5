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
    # The presubmit.toml keys the rule reads, and those it cannot run without.
    config: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
