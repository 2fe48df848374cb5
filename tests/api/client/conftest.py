# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Fixtures of the client's tests: a reference orchestrator over real gRPC."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PY = Path(__file__).resolve().parents[3] / "py"
if str(PY) not in sys.path:
    sys.path.insert(0, str(PY))

from turboci.testing import Reference  # noqa: E402


@pytest.fixture
def ref() -> Iterator[Reference]:
    with Reference() as reference:
        yield reference
