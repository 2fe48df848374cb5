# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""JUnit XML: one test case per finding (a failure, or skipped when suppressed)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import TextIO

from presubmit.finding import Finding

SUITE = "turboci-presubmit"


def build(findings: Sequence[Finding]) -> ET.Element:
    failures = sum(1 for f in findings if not f.suppressed)
    skipped = len(findings) - failures
    tests = max(1, len(findings))
    counts = {
        "tests": str(tests),
        "failures": str(failures),
        "errors": "0",
        "skipped": str(skipped),
        "time": "0",
    }
    suites = ET.Element("testsuites", {"name": SUITE, **counts})
    suite = ET.SubElement(suites, "testsuite", {"name": SUITE, **counts})
    if not findings:
        # A report with no test case reads as "nothing ran"; say the lint passed.
        ET.SubElement(suite, "testcase", {"classname": SUITE, "name": "lint", "time": "0"})
    for f in findings:
        case = ET.SubElement(
            suite,
            "testcase",
            {
                "classname": f"{SUITE}.{f.rule}",
                "name": f"{f.path}:{f.line}:{f.column}",
                "file": f.path,
                "line": str(f.line),
                "time": "0",
            },
        )
        if f.suppressed:
            ET.SubElement(case, "skipped", {"message": f"ignored: {f.message}"})
        else:
            fail = ET.SubElement(case, "failure", {"message": f.message, "type": f.rule})
            fail.text = f"{f.path}:{f.line}:{f.column}: {f.rule} {f.message}\nelement: {f.element}"
    return suites


def write(findings: Sequence[Finding], out: TextIO) -> None:
    root = build(findings)
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")
