# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

from __future__ import annotations

from tools.tasks.test import Tally


def test_pytest_closing_lines_are_counted() -> None:
    tally = Tally()
    tally.add_pytest("304 passed in 30.66s")
    tally.add_pytest("2 failed, 10 passed, 1 error in 3.1s")
    tally.add_pytest("no tests ran in 0.01s")
    assert (tally.passed, tally.failed) == (314, 3)
