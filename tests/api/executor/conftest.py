# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Fixtures of the executor library's tests: the reference orchestrator
in-process, and executors served beside it, stopped after each test."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PY = Path(__file__).resolve().parents[3] / "py"
if str(PY) not in sys.path:
    sys.path.insert(0, str(PY))

from turboci.testing import Reference  # noqa: E402

from tests.api.executor.support import Harness  # noqa: E402


@pytest.fixture
def ref() -> Iterator[Reference]:
    with Reference() as reference:
        yield reference


@pytest.fixture
def harness(ref: Reference) -> Iterator[Harness]:
    h = Harness(ref)
    try:
        yield h
    finally:
        h.close()
