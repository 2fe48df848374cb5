# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import SEED_BAD_PROTO
from tests.conftest import output_of
from tests.conftest import task_context
from tools.engine.context import Context
from tools.errors import BuildError
from tools.tasks import format as format_task

PROTO = "turboci/graph/ids/v1/work_plan_id.proto"


def ctx(root: Path) -> Context:
    return task_context(root)


def test_formatted_tree_is_left_alone(api_tree: Path) -> None:
    before = (api_tree / PROTO).read_bytes()
    assert format_task.format_protos(ctx(api_tree)) is False
    assert (api_tree / PROTO).read_bytes() == before


def test_format_rewrites_and_check_reports_the_diff(api_tree: Path) -> None:
    path = api_tree / PROTO
    path.write_text(path.read_text().replace("  optional string realm", "optional   string realm"))
    c = ctx(api_tree)
    with pytest.raises(BuildError, match=r"not formatted: run \./build\.py format"):
        format_task.format_protos(c, check=True)
    assert "+  optional string realm" in output_of(c)
    assert format_task.format_protos(ctx(api_tree)) is True
    assert "  optional string realm = 2;" in path.read_text()
    format_task.format_protos(ctx(api_tree), check=True)


def test_a_file_that_does_not_compile_is_reported_not_rewritten(api_tree: Path) -> None:
    bad = api_tree / "turboci" / "dm.proto"
    shutil.copy(SEED_BAD_PROTO, bad)
    before = bad.read_bytes()
    with pytest.raises(BuildError) as info:
        format_task.format_protos(ctx(api_tree))
    assert info.value.message.startswith("turboci/dm.proto:")
    assert bad.read_bytes() == before
