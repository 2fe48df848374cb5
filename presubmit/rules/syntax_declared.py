# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""SYNTAX_DECLARED: a .proto says which syntax or edition it is written in."""

from __future__ import annotations

from core.descriptors import FILE_EDITION
from core.descriptors import FILE_PACKAGE
from core.descriptors import FILE_SYNTAX
from presubmit.context import RuleContext
from presubmit.rule import Report
from presubmit.rule import rule
from presubmit.spec import Scope


@rule(
    id="SYNTAX_DECLARED",
    purpose='A .proto declares its syntax (`syntax = "proto3";`) or edition.',
    scope=Scope.FILE,
    default=True,
    portable=True,
)
def check(ctx: RuleContext, report: Report) -> None:
    for sf in ctx.files:
        # protoc records a location for the statement only when it is written,
        # and the statement must come first: right after the whole file's.
        first = sf.first_locations(3)
        if not any(list(loc.path) in ([FILE_SYNTAX], [FILE_EDITION]) for loc in first):
            report.place(
                sf.name,
                1,
                1,
                "no syntax statement, so protoc reads the file as proto2; "
                'start it with `syntax = "proto3";` (or the syntax it is written in)',
                anchor=(FILE_PACKAGE,),  # the package statement's comment may suppress it
            )
