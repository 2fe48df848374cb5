# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Fixtures of the client's tests: a reference orchestrator over real gRPC,
the one the reference's own tests use."""

from __future__ import annotations

from tests.testing.conftest import PY
from tests.testing.conftest import ref

__all__ = ["PY", "ref"]
