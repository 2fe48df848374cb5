# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""SERVICE_FILE_ALONE: a file with a service declares nothing else at top level."""

from __future__ import annotations

from core.descriptors import FILE_ENUM
from core.descriptors import FILE_EXTENSION
from core.descriptors import FILE_MESSAGE
from presubmit.context import RuleContext
from presubmit.rule import Report
from presubmit.rule import rule
from presubmit.spec import Scope


@rule(
    id="SERVICE_FILE_ALONE",
    purpose="A file that holds a service holds nothing else at top level.",
    scope=Scope.FILE,
    default=True,
    portable=True,
)
def check(ctx: RuleContext, report: Report) -> None:
    for sf in ctx.files:
        proto = sf.proto
        if not proto.service:
            continue
        service = proto.service[0].name
        prefix = f"{proto.package}." if proto.package else ""
        others: list[tuple[tuple[int, ...], str, str]] = []
        others += [((FILE_MESSAGE, i), "message", m.name) for i, m in enumerate(proto.message_type)]
        others += [((FILE_ENUM, i), "enum", e.name) for i, e in enumerate(proto.enum_type)]
        others += [
            ((FILE_EXTENSION, i), "extension", x.name) for i, x in enumerate(proto.extension)
        ]
        for path, kind, name in others:
            report.at(
                sf,
                path,
                f"{kind} {name} shares a file with service {service}; move it to a file of its own",
                element=prefix + name,
            )
