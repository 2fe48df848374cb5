# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The page py/turboci/testing/README.md: its example runs, and its table
names only tests that exist, so neither can rot."""

from __future__ import annotations

import re

from tests.testing.conftest import PY

PAGE = PY / "turboci" / "testing" / "README.md"
HERE = PY.parent / "tests" / "testing"


def test_the_example_runs() -> None:
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)
    assert blocks, "the page lost its example"
    for block in blocks:
        exec(compile(block, str(PAGE), "exec"), {})


def test_every_test_the_table_names_exists() -> None:
    text = PAGE.read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| ") and "test_" in line]
    assert len(rows) > 30
    defined = {
        m
        for f in HERE.glob("test_*.py")
        for m in re.findall(r"^def (test_\w+)", f.read_text(), re.M)
    }
    for row in rows:
        # Test names, not the files (test_x.py) that hold them.
        for name in re.findall(r"\b(test_\w+)\b(?!\.py)", row.split("|")[2]):
            assert name in defined, f"{PAGE.name} names {name}, which no test defines"
