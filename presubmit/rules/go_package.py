# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""GO_PACKAGE: go_package follows from the proto package (and whether the file has a service)."""

from __future__ import annotations

import re

from core.descriptors import FILE_OPTIONS
from core.descriptors import FILE_PACKAGE
from core.descriptors import OPTIONS_GO_PACKAGE
from presubmit.context import RuleContext
from presubmit.rule import Report
from presubmit.rule import rule
from presubmit.spec import Kind
from presubmit.spec import Scope
from presubmit.spec import Setting

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


@rule(
    id="GO_PACKAGE",
    purpose="option go_package is derived from the proto package: prefix/a/b/c/v1;cpb.",
    scope=Scope.FILE,
    default=False,
    portable=False,
    settings=(
        Setting(
            key="go_package.prefix",
            kind=Kind.STRING,
            default="",
            help="Go import path the package's folders are appended to",
        ),
        Setting(
            key="go_package.package_root",
            kind=Kind.STRING,
            default="",
            help="leading proto package parts left out of the Go path",
        ),
        Setting(
            key="go_package.exempt",
            kind=Kind.STRINGS,
            default=(),
            help="files outside the package scheme",
        ),
    ),
    requires=("go_package.prefix",),
)
def check(ctx: RuleContext, report: Report) -> None:
    prefix = ctx.config.text("go_package.prefix").rstrip("/")
    root = ctx.config.text("go_package.package_root")
    exempt = set(ctx.config.strings("go_package.exempt"))
    for sf in ctx.files:
        if sf.name in exempt:
            continue  # e.g. a top-level file outside the package scheme
        proto = sf.proto
        want = expected_go_package(prefix, root, proto.package, len(proto.service) > 0)
        if want is None:
            report.at(
                sf,
                (FILE_PACKAGE,),
                f"package '{proto.package}' is not under '{root}.': "
                "go_package cannot be derived from it",
            )
            continue
        have = proto.options.go_package
        if not have:
            report.at(sf, (FILE_PACKAGE,), f'missing option go_package = "{want}";')
        elif have != want:
            report.at(
                sf,
                (FILE_OPTIONS, OPTIONS_GO_PACKAGE),
                f'go_package is "{have}"; for package {proto.package} it must be "{want}"',
            )
