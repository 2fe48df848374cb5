"""Findings every reporter test formats, and a helper to render them."""

from __future__ import annotations

import io

from presubmit.finding import Finding
from presubmit.reporters import FORMATS

FINDINGS = [
    Finding("a/b.proto", 3, 5, "NEXT_ID", "message A says Next ID 2, but <3> & 'x'", "pkg.A"),
    Finding("a/b.proto", 9, 1, "GO_PACKAGE", "go_package: wrong, really\nsecond line", "a/b.proto"),
    Finding(
        "tool.py", 1, 1, "IMPORT_ONE_PER_LINE", "import of 2 names", "tool.py", suppressed=True
    ),
]


def render(name: str, findings: list[Finding]) -> str:
    out = io.StringIO()
    FORMATS[name](findings, out)
    return out.getvalue()
