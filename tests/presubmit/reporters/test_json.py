# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""json: a list of {path, line, column, rule, message, element}."""

from __future__ import annotations

import json

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
