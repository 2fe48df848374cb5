# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Findings every reporter test formats, and a helper to render them."""

from __future__ import annotations

import io

from presubmit.finding import Finding
from presubmit.reporters import FORMATS

FINDINGS = [
    Finding(
        path="a/b.proto",
        line=3,
        column=5,
        rule="NEXT_ID",
        message="message A says Next ID 2, but <3> & 'x'",
        element="pkg.A",
    ),
    Finding(
        path="a/b.proto",
        line=9,
        column=1,
        rule="GO_PACKAGE",
        message="go_package: wrong, really\nsecond line",
        element="a/b.proto",
    ),
    Finding(
        path="tool.py",
        line=1,
        column=1,
        rule="IMPORT_ONE_PER_LINE",
        message="import of 2 names",
        element="tool.py",
        suppressed=True,
    ),
]


def render(name: str, findings: list[Finding]) -> str:
    out = io.StringIO()
    FORMATS[name](findings, out)
    return out.getvalue()
