# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""github: workflow-command annotations, escaped."""

from __future__ import annotations

from presubmit.reporters import github
from tests.presubmit.reporters.sample import FINDINGS
from tests.presubmit.reporters.sample import render


def test_github_escapes() -> None:
    lines = render("github", FINDINGS).splitlines()
    assert lines[0] == (
        "::error file=a/b.proto,line=3,col=5,title=NEXT_ID::message A says Next ID 2, but <3> & 'x'"
    )
    assert lines[1].endswith("::go_package: wrong, really%0Asecond line")
    assert lines[2].startswith("::notice file=tool.py,")
    assert github._prop("a,b:c%") == "a%2Cb%3Ac%25"
