"""SERVICE_FILE_ALONE: a file with a service declares nothing else at top level."""

from __future__ import annotations

from presubmit.context import LintContext
from presubmit.finding import Finding
from presubmit.source import FILE_ENUM
from presubmit.source import FILE_EXTENSION
from presubmit.source import FILE_MESSAGE


class ServiceFileAlone:
    id = "SERVICE_FILE_ALONE"
    purpose = "A file that holds a service holds nothing else at top level."
    per_file = True

    def check(self, ctx: LintContext) -> list[Finding]:
        found: list[Finding] = []
        for sf in ctx.files_for(self.id):
            proto = sf.proto
            if not proto.service:
                continue
            service = proto.service[0].name
            prefix = f"{proto.package}." if proto.package else ""
            others: list[tuple[tuple[int, ...], str, str]] = []
            for i, m in enumerate(proto.message_type):
                others.append(((FILE_MESSAGE, i), "message", m.name))
            for i, e in enumerate(proto.enum_type):
                others.append(((FILE_ENUM, i), "enum", e.name))
            for i, x in enumerate(proto.extension):
                others.append(((FILE_EXTENSION, i), "extension", x.name))
            for path, kind, name in others:
                found.append(
                    sf.finding(
                        path,
                        self.id,
                        f"{kind} {name} shares a file with service {service}; "
                        "move it to a file of its own",
                        prefix + name,
                    )
                )
        return found


RULE = ServiceFileAlone()
