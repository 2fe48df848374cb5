# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Fixtures of the API tests: the documented lifecycles of the API.

Without generated stubs in py/ these modules would only fail to import, so
they are not collected; tests/py/test_stubs.py fails then and says what to do.
"""

from __future__ import annotations

import pytest

from core.layout import Layout
from tests.api.support import MARKER
from tests.api.support import REPO
from tools.compile import compile_api
from tools.docs import lifecycle
from tools.docs import model

LIFECYCLE_ENUMS = ("CheckState", "StageState", "StageAttemptState")

collect_ignore_glob = [] if MARKER.exists() else ["test_*.py"]


@pytest.fixture(scope="session")
def lifecycles() -> dict[str, dict[str, set[str]]]:
    """For each lifecycle enum: every state (full value name) and the states
    its comment says it may move to, read the way `./build.py docs` reads
    them, from the build's compile of the API."""
    api = model.load(compile_api(Layout(REPO)))
    found: dict[str, dict[str, set[str]]] = {}
    for cycle in lifecycle.lifecycles(api).values():
        full = {state.name: state.value.name for state in cycle.states}
        found[cycle.enum.name] = {
            state.value.name: {full[short] for short in state.next} for state in cycle.states
        }
    assert set(found) == set(LIFECYCLE_ENUMS)
    return found
