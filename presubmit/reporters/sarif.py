# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""SARIF 2.1.0: one run, one result per finding, suppressed ones marked in source."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from typing import TextIO

from presubmit.finding import Finding

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
TOOL = "turboci-presubmit"


def build(findings: Sequence[Finding]) -> dict[str, Any]:
    rule_ids = sorted({f.rule for f in findings})
    index = {r: i for i, r in enumerate(rule_ids)}
    results: list[dict[str, Any]] = []
    for f in findings:
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": "error",
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": f.path, "uriBaseId": "SRCROOT"},
                        "region": {"startLine": f.line, "startColumn": f.column},
                    },
                    "logicalLocations": [{"fullyQualifiedName": f.element}],
                }
            ],
        }
        if f.suppressed:
            result["suppressions"] = [{"kind": "inSource"}]
        results.append(result)
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": TOOL, "rules": [{"id": r} for r in rule_ids]}},
                "results": results,
            }
        ],
    }


def write(findings: Sequence[Finding], out: TextIO) -> None:
    json.dump(build(findings), out, indent=2)
    out.write("\n")
