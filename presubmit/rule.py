# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""A rule declared as data (its spec) with the function that checks it.

A rule module holds one `@rule(...)`-decorated function; the registry finds
it. The function gets the files the rule is on for (with per-element
helpers) and a `Report` bound to the rule, so it never names its own ID.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field

from core.descriptors import SourcePath
from core.source import SourceFile
from presubmit.context import RuleContext
from presubmit.finding import Edit
from presubmit.finding import Finding
from presubmit.spec import Reuse
from presubmit.spec import RuleSpec
from presubmit.spec import Scope
from presubmit.spec import Setting


@dataclass
class Report:
    """Where a rule puts its findings; bound to the rule, so findings carry its ID."""

    rule: str
    findings: list[Finding] = field(default_factory=list)

    def at(
        self,
        sf: SourceFile,
        path: SourcePath,
        message: str,
        *,
        element: str | None = None,
        fixes: tuple[Edit, ...] = (),
    ) -> None:
        """A finding about the element at `path`, placed there; its comments may suppress it."""
        line, col = sf.position(path)
        self.place(sf.name, line, col, message, element=element, fixes=fixes, anchor=path)

    def place(
        self,
        file: str,
        line: int,
        column: int,
        message: str,
        *,
        element: str | None = None,
        fixes: tuple[Edit, ...] = (),
        anchor: SourcePath | None = None,
    ) -> None:
        """A finding at an explicit place (`anchor`: the element whose comments may suppress it)."""
        self.findings.append(
            Finding(
                path=file,
                line=line,
                column=column,
                rule=self.rule,
                message=message,
                element=element or file,
                fixes=fixes,
                anchor=anchor,
            )
        )


Check = Callable[[RuleContext, Report], None]


@dataclass(frozen=True)
class Rule:
    spec: RuleSpec
    check: Check

    @property
    def id(self) -> str:
        return self.spec.id

    def run(self, ctx: RuleContext) -> list[Finding]:
        report = Report(self.spec.id)
        self.check(ctx, report)
        return report.findings


def rule(
    *,
    id: str,
    purpose: str,
    scope: Scope,
    default: bool,
    portable: bool,
    settings: tuple[Setting, ...] = (),
    requires: tuple[str, ...] = (),
    reuse: Reuse = Reuse.NONE,
) -> Callable[[Check], Rule]:
    """Declare the decorated check function as a rule (with the presubmit.toml
    settings it reads; `requires` names those it cannot run without; `reuse`,
    for a rule of scope TREE, what its findings follow from)."""
    spec = RuleSpec(
        id=id,
        purpose=purpose,
        scope=scope,
        default=default,
        portable=portable,
        settings=settings,
        requires=requires,
        reuse=reuse,
    )

    def make(check: Check) -> Rule:
        return Rule(spec, check)

    return make
