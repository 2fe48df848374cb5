"""GO_PACKAGE: go_package follows from the proto package (and whether the file has a service)."""

from __future__ import annotations

import re

from presubmit.context import LintContext
from presubmit.finding import Finding
from presubmit.source import FILE_OPTIONS
from presubmit.source import FILE_PACKAGE
from presubmit.source import OPTIONS_GO_PACKAGE

_VERSION = re.compile(r"v[0-9]+((alpha|beta)[0-9]*)?")


def expected_go_package(prefix: str, package_root: str, package: str, service: bool) -> str | None:
    """`prefix/a/b/c/v1;cpb` for `<root>.a.b.c.v1` (`.../grpcpb;cgrpcpb` with a service).

    None when the package is not under `package_root`.
    """
    parts = package.split(".") if package else []
    top = package_root.split(".") if package_root else []
    if parts[: len(top)] != top or len(parts) <= len(top):
        return None
    rest = parts[len(top) :]
    short = rest[-2] if len(rest) >= 2 and _VERSION.fullmatch(rest[-1]) else rest[-1]
    directory = "/".join([prefix, *rest]) if prefix else "/".join(rest)
    if service:
        return f"{directory}/grpcpb;{short}grpcpb"
    return f"{directory};{short}pb"


class GoPackage:
    id = "GO_PACKAGE"
    purpose = "option go_package is derived from the proto package: prefix/a/b/c/v1;cpb."
    per_file = True

    def check(self, ctx: LintContext) -> list[Finding]:
        prefix = ctx.config.go_package_prefix
        root = ctx.config.package_root
        found: list[Finding] = []
        for sf in ctx.files_for(self.id):
            proto = sf.proto
            want = expected_go_package(prefix, root, proto.package, len(proto.service) > 0)
            if want is None:
                found.append(
                    sf.finding(
                        (FILE_PACKAGE,),
                        self.id,
                        f"package '{proto.package}' is not under '{root}.': "
                        "go_package cannot be derived from it",
                        sf.name,
                    )
                )
                continue
            have = proto.options.go_package
            if not have:
                found.append(
                    sf.finding(
                        (FILE_PACKAGE,),
                        self.id,
                        f'missing option go_package = "{want}";',
                        sf.name,
                    )
                )
            elif have != want:
                path = (FILE_OPTIONS, OPTIONS_GO_PACKAGE)
                found.append(
                    sf.finding(
                        path,
                        self.id,
                        f'go_package is "{have}"; for package {proto.package} it must be "{want}"',
                        sf.name,
                    )
                )
        return found


RULE = GoPackage()
