# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""json: a list of {path, line, column, rule, message, element}."""

from __future__ import annotations

import json

from presubmit.finding import Finding
from tests.presubmit.reporters.sample import FINDINGS
from tests.presubmit.reporters.sample import render


def test_json() -> None:
    items = json.loads(render("json", FINDINGS))
    assert items[0] == {
        "path": "a/b.proto",
        "line": 3,
        "column": 5,
        "rule": "NEXT_ID",
        "message": "message A says Next ID 2, but <3> & 'x'",
        "element": "pkg.A",
    }
    assert items[2]["suppressed"] is True
    assert json.loads(render("json", [])) == []


def test_json_is_the_text_of_the_standard_encoder() -> None:
    """The report is byte for byte what json.dumps(indent=2) writes, escapes included."""
    odd = Finding(
        path="d/é.proto",
        line=1,
        column=2,
        rule="NEXT_ID",
        message='quote " backslash \\ tab \t nul \x00 snowman \u2603 astral \U0001f600',
        element="pkg.\u00e9",
    )
    for findings in ([], FINDINGS, [odd]):
        items = []
        for f in findings:
            item = f.to_dict()
            if f.suppressed:
                item["suppressed"] = True
            items.append(item)
        assert render("json", findings) == json.dumps(items, indent=2) + "\n"
