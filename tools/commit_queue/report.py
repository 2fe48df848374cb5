# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The presubmit's output: the summary table, then each failing check's output;
JSON and JUnit reports for the queue; GitHub Actions annotations."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any
from typing import TextIO

from tools.commit_queue.outcome import FAIL
from tools.commit_queue.outcome import SKIPPED
from tools.commit_queue.outcome import WARNING
from tools.commit_queue.outcome import CheckResult
from tools.commit_queue.outcome import Verdict

SUITE = "turboci-presubmit"


def _note(c: CheckResult) -> str:
    """Why a check was skipped, or what allowed its warning."""
    return f"  ({c.reason})" if c.reason else ""


def text(verdict: Verdict, out: TextIO) -> None:
    """The table (check, status, time), then the failing checks' output under their names."""
    basis = verdict.basis[:12] if verdict.basis else "-"
    out.write(f"presubmit: {basis}..HEAD ({verdict.basis_why})\n")
    if verdict.uncommitted:
        out.write(f"presubmit: with {len(verdict.uncommitted)} uncommitted file(s)\n")
    for c in verdict.checks:
        out.write(f"{c.name:<9} {c.status:<8} {c.seconds:7.2f}s{_note(c)}\n")
    for c in verdict.checks:
        if c.status in (FAIL, WARNING) and c.output.strip():
            out.write(f"\n== {c.name} ({c.status}) ==\n{c.output.rstrip()}\n")
            if c.rerun:
                out.write(f"(alone: {c.rerun})\n")
    failed = [c.name for c in verdict.failed]
    if failed:
        out.write(f"\npresubmit FAILED: {', '.join(failed)} ({verdict.seconds:.2f}s)\n")
    else:
        warned = [c.name for c in verdict.checks if c.status == WARNING]
        extra = f", warnings: {', '.join(warned)}" if warned else ""
        out.write(f"\npresubmit passed{extra} ({verdict.seconds:.2f}s)\n")


def _data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(s: str) -> str:
    return _data(s).replace(":", "%3A").replace(",", "%2C")


def github(verdict: Verdict, out: TextIO) -> None:
    """The summary, plus a workflow command per failing check, warning and lint finding."""
    text(verdict, out)
    for c in verdict.checks:
        for f in c.findings:
            out.write(
                f"::error file={_prop(f['path'])},line={f['line']},col={f['column']},"
                f"title={_prop(f['rule'])}::{_data(f['message'])}\n"
            )
        if c.status == FAIL:
            out.write(f"::error title={_prop('presubmit ' + c.name)}::{_data(c.output.strip())}\n")
        elif c.status == WARNING:
            out.write(f"::warning title={_prop('presubmit ' + c.name)}::{_data(c.reason)}\n")


def as_dict(verdict: Verdict) -> dict[str, Any]:
    return {
        "result": "pass" if verdict.passed else "fail",
        "basis": verdict.basis,
        "basis_why": verdict.basis_why,
        "footer": verdict.footer,
        "uncommitted": list(verdict.uncommitted),
        "seconds": round(verdict.seconds, 3),
        "checks": [
            {
                "name": c.name,
                "status": c.status,
                "seconds": round(c.seconds, 3),
                "reason": c.reason,
                "output": c.output,
                "findings": list(c.findings),
            }
            for c in verdict.checks
        ],
    }


def write_json(verdict: Verdict, out: TextIO) -> None:
    out.write(json.dumps(as_dict(verdict), indent=2) + "\n")


def junit_tree(verdict: Verdict) -> ET.Element:
    """One test case per check: failure for FAIL, skipped for skipped; output as system-out."""
    counts = {
        "tests": str(len(verdict.checks)),
        "failures": str(len(verdict.failed)),
        "errors": "0",
        "skipped": str(sum(1 for c in verdict.checks if c.status == SKIPPED)),
        "time": f"{verdict.seconds:.3f}",
    }
    suites = ET.Element("testsuites", {"name": SUITE, **counts})
    suite = ET.SubElement(suites, "testsuite", {"name": SUITE, **counts})
    for c in verdict.checks:
        case = ET.SubElement(
            suite, "testcase", {"classname": SUITE, "name": c.name, "time": f"{c.seconds:.3f}"}
        )
        if c.status == FAIL:
            first = next((ln for ln in reversed(c.output.splitlines()) if ln.strip()), "failed")
            fail = ET.SubElement(case, "failure", {"message": first, "type": c.name})
            fail.text = c.output
        elif c.status == SKIPPED:
            ET.SubElement(case, "skipped", {"message": c.reason})
        elif c.output.strip() or c.reason:
            out = ET.SubElement(case, "system-out")
            out.text = "\n".join(s for s in (c.reason, c.output) if s.strip())
    return suites


def write_junit(verdict: Verdict, out: TextIO) -> None:
    root = junit_tree(verdict)
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")
