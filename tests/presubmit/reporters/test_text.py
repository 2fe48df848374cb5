# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""text: `path:line:col: RULE_ID message`, one line per finding."""

from __future__ import annotations

from tests.presubmit.reporters.sample import FINDINGS
from tests.presubmit.reporters.sample import render


def test_text() -> None:
    lines = render("text", FINDINGS).splitlines()
    assert lines[0] == "a/b.proto:3:5: NEXT_ID message A says Next ID 2, but <3> & 'x'"
    assert lines[1].endswith("go_package: wrong, really second line")
    assert lines[2] == "tool.py:1:1: IMPORT_ONE_PER_LINE import of 2 names (ignored)"
