# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Fixtures of the executor library's tests: the reference orchestrator
in-process, and executors served beside it, stopped after each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from turboci.testing import Reference

from tests.api.executor.support import Harness
from tests.testing.conftest import PY
from tests.testing.conftest import ref

__all__ = ["PY", "ref"]


@pytest.fixture
def harness(ref: Reference) -> Iterator[Harness]:
    h = Harness(ref)
    try:
        yield h
    finally:
        h.close()
