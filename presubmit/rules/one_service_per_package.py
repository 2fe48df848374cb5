"""ONE_SERVICE_PER_PACKAGE: a proto package declares at most one service."""

from __future__ import annotations

from presubmit.context import LintContext
from presubmit.finding import Finding
from presubmit.source import FILE_SERVICE


class OneServicePerPackage:
    id = "ONE_SERVICE_PER_PACKAGE"
    purpose = "A proto package holds at most one service."
    per_file = False

    def check(self, ctx: LintContext) -> list[Finding]:
        first: dict[str, str] = {}
        found: list[Finding] = []
        for sf in sorted(ctx.files_for(self.id), key=lambda f: f.name):
            package = sf.proto.package
            prefix = f"{package}." if package else ""
            for i, svc in enumerate(sf.proto.service):
                if package not in first:
                    first[package] = f"{svc.name} ({sf.name})"
                    continue
                found.append(
                    sf.finding(
                        (FILE_SERVICE, i),
                        self.id,
                        f"package {package or '(none)'} already has service {first[package]}; "
                        f"move {svc.name} to a package of its own",
                        prefix + svc.name,
                    )
                )
        return found


RULE = OneServicePerPackage()
