# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The rule tables of the READMEs list every rule of the registry, and no other."""

from __future__ import annotations

from pathlib import Path

import pytest

from presubmit import registry
from tests.doc_tables import first_cells

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("readme, header", [("presubmit/README.md", "ID"), ("README.md", "rule")])
def test_the_rule_table_lists_every_rule(readme: str, header: str) -> None:
    listed = first_cells((REPO / readme).read_text(encoding="utf-8"), header)
    assert sorted(listed) == sorted(r.id for r in registry.all_rules()), readme
    assert len(listed) == len(set(listed)), readme
