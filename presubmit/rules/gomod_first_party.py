# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""GOMOD_FIRST_PARTY: go.mod requires directly only first-party modules."""

from __future__ import annotations

import re

from presubmit import config
from presubmit.context import RuleContext
from presubmit.rule import Report
from presubmit.rule import rule
from presubmit.spec import Kind
from presubmit.spec import Scope
from presubmit.spec import Setting

FIRST_PARTY = ("google.golang.org/", "golang.org/", "github.com/google/")
_SINGLE = re.compile(r"^\s*require\s+(?!\()(\S+)\s+(\S+)")
_BLOCK_START = re.compile(r"^\s*require\s*\(")
_BLOCK_ENTRY = re.compile(r"^(\s*)(\S+)\s+(\S+)")


def direct_requires(text: str) -> list[tuple[int, int, str]]:
    """(1-based line, 1-based column, module) of each require without `// indirect`."""
    found: list[tuple[int, int, str]] = []
    in_block = False
    for n, line in enumerate(text.splitlines(), start=1):
        code, _, comment = line.partition("//")
        if "indirect" in comment.split():
            continue
        if in_block:
            if code.strip() == ")":
                in_block = False
                continue
            m = _BLOCK_ENTRY.match(code)
            if m:
                found.append((n, m.start(2) + 1, m.group(2)))
            continue
        if _BLOCK_START.match(code):
            in_block = True
            continue
        m = _SINGLE.match(code)
        if m:
            found.append((n, m.start(1) + 1, m.group(1)))
    return found


@rule(
    id="GOMOD_FIRST_PARTY",
    purpose="go/go.mod directly requires only first-party (Go and Google) modules.",
    scope=Scope.TREE,
    default=False,
    portable=False,
    settings=(
        Setting(key="gomod.path", kind=Kind.PATH, default=None, help="the go.mod file judged"),
        Setting(
            key="gomod.first_party",
            kind=Kind.STRINGS,
            default=FIRST_PARTY,
            help="module path prefixes that may be required directly",
        ),
    ),
    requires=("gomod.path",),
)
def check(ctx: RuleContext, report: Report) -> None:
    rel = ctx.config.path("gomod.path")
    if not rel or not ctx.on(rel):
        return
    # Read only inside the root, whatever a symlink says (ConfigError otherwise).
    if not config.resolved_inside(ctx.root, rel, "[gomod] path").is_file():
        return
    text = ctx.read(rel).decode("utf-8", "replace")
    allowed = ctx.config.strings("gomod.first_party")
    for line, col, module in direct_requires(text):
        if not module.startswith(allowed):
            report.place(
                rel,
                line,
                col,
                f"{module} is not first-party; direct requires must start with "
                + " or ".join(allowed),
            )
