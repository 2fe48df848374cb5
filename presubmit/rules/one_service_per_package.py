# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""ONE_SERVICE_PER_PACKAGE: a proto package declares at most one service."""

from __future__ import annotations

from presubmit.context import RuleContext
from presubmit.rule import Report
from presubmit.rule import rule
from presubmit.spec import Reuse
from presubmit.spec import Scope


@rule(
    id="ONE_SERVICE_PER_PACKAGE",
    purpose="A proto package holds at most one service.",
    scope=Scope.TREE,
    reuse=Reuse.PACKAGE,
    default=True,
    portable=True,
)
def check(ctx: RuleContext, report: Report) -> None:
    first: dict[str, str] = {}
    for sf, svc in sorted(ctx.services(), key=lambda pair: (pair[0].name, pair[1].path)):
        package = sf.proto.package
        if package not in first:
            first[package] = f"{svc.name} ({sf.name})"
            continue
        report.at(
            sf,
            svc.path,
            f"package {package or '(none)'} already has service {first[package]}; "
            f"move {svc.name} to a package of its own",
            element=svc.full_name,
        )
