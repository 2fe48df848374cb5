# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import output_of
from tests.conftest import snapshot
from tests.conftest import task_context
from tools.engine.context import Context
from tools.errors import BuildError
from tools.tasks import docs

STATE = """\
syntax = "proto3";

package turboci.graph.ids.v1;

option go_package = "go.chromium.org/turboci/proto/go/graph/ids/v1;idspb";

// Where a lookup is.
enum LookupState {
  // Not set.
  LOOKUP_STATE_UNKNOWN = 0;

  // Asked.
  // Next states: LOOKUP_STATE_DONE.
  LOOKUP_STATE_ASKED = 1;

  // Answered.
  // Next states: none.
  LOOKUP_STATE_DONE = 2;
}
"""


def ctx(root: Path) -> Context:
    return task_context(root)


def test_renders_pages_and_lifecycles_then_checks_fresh(api_tree: Path) -> None:
    (api_tree / "turboci/graph/ids/v1/lookup_state.proto").write_text(STATE)
    docs.docs(ctx(api_tree))
    page = (api_tree / "docs/turboci.graph.ids.v1.md").read_text()
    assert "WorkPlanId" in page
    lifecycles = (api_tree / "docs/lifecycles.md").read_text()
    assert "    ASKED --> DONE" in lifecycles
    docs.docs(ctx(api_tree), check=True)


def test_check_lists_stale_and_extra_pages(api_tree: Path) -> None:
    docs.docs(ctx(api_tree))
    (api_tree / "docs/README.md").write_text("edited\n")
    (api_tree / "docs/old.md").write_text("gone\n")
    c = ctx(api_tree)
    with pytest.raises(BuildError, match="2 doc page"):
        docs.docs(c, check=True)
    out = output_of(c)
    assert "docs/README.md: differs" in out
    assert "docs/old.md: stale" in out
    docs.docs(ctx(api_tree))
    assert not (api_tree / "docs/old.md").exists()


def test_a_bad_lifecycle_fails_at_its_place_and_leaves_docs_alone(api_tree: Path) -> None:
    docs.docs(ctx(api_tree))
    before = snapshot(api_tree / "docs")
    bad = STATE.replace("Next states: LOOKUP_STATE_DONE.", "Next states: LOOKUP_STATE_GONE.")
    (api_tree / "turboci/graph/ids/v1/lookup_state.proto").write_text(bad)
    with pytest.raises(BuildError) as info:
        docs.docs(ctx(api_tree))
    assert info.value.message.startswith("turboci/graph/ids/v1/lookup_state.proto:13:")
    assert "LOOKUP_STATE_GONE" in info.value.message
    assert snapshot(api_tree / "docs") == before


def test_a_guide_is_rendered_and_an_edit_to_its_program_makes_it_stale(api_tree: Path) -> None:
    (api_tree / "guides/programs/python").mkdir(parents=True)
    (api_tree / "guides/writing-a-thing.md").write_text(
        "# Writing a thing\n\n<!-- program: python/thing.py -->\n"
    )
    program = api_tree / "guides/programs/python/thing.py"
    program.write_text("print('hello')\n")
    docs.docs(ctx(api_tree))
    assert "print('hello')" in (api_tree / "docs/writing-a-thing.md").read_text()
    assert "[Writing a thing](writing-a-thing.md)" in (api_tree / "docs/README.md").read_text()
    docs.docs(ctx(api_tree), check=True)
    program.write_text("print('bye')\n")
    with pytest.raises(BuildError, match="1 doc page"):
        docs.docs(ctx(api_tree), check=True)
