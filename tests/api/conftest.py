# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Fixtures of the API tests: the lifecycles the API's comments document.

Without generated stubs in py/ these modules would only fail to import, so
they are not collected; tests/py/test_stubs.py fails then and says what to do.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from core.layout import Layout
from tests.api.support import MARKER
from tests.api.support import REPO
from tools.api_compile import compile_api
from tools.docs import lifecycle
from tools.docs import model

LIFECYCLE_ENUMS = ("CheckState", "StageState", "StageAttemptState")

collect_ignore_glob = [] if MARKER.exists() else ["test_*.py"]


@dataclass(frozen=True)
class Documented:
    """One lifecycle as its enum's comments say, in full value names."""

    states: tuple[str, ...]
    next: dict[str, tuple[str, ...]]
    initial: tuple[str, ...]


@pytest.fixture(scope="session")
def lifecycles() -> dict[str, Documented]:
    """Every lifecycle enum by full name, read the way `./build.py docs`
    reads it (tools/docs/lifecycle.py), from the build's compile of the API."""
    api = model.load(compile_api(Layout(REPO)))
    found: dict[str, Documented] = {}
    for cycle in lifecycle.lifecycles(api).values():
        full = {state.name: state.value.name for state in cycle.states}
        found[cycle.enum.full_name] = Documented(
            states=tuple(s.value.name for s in cycle.states),
            next={s.value.name: tuple(full[n] for n in s.next) for s in cycle.states},
            initial=tuple(s.value.name for s in cycle.initials),
        )
    assert {name.rsplit(".", 1)[-1] for name in found} == set(LIFECYCLE_ENUMS)
    return found
