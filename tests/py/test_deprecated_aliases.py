# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The 0.1.0 module names import again, warn, and are the 0.2.0 helpers."""

from __future__ import annotations

import importlib
import sys

import pytest
from turboci.data.build.v1.build_check_result_pb2 import BuildCheckResult
from turboci.graph.ids.v1.check_id_pb2 import CheckId
from turboci.utils import ids
from turboci.utils import value


def fresh(name: str) -> object:
    sys.modules.pop(name, None)  # the warning comes at import
    with pytest.warns(DeprecationWarning, match=f"{name} is deprecated"):
        return importlib.import_module(name)


def test_values_keeps_the_old_names() -> None:
    values = fresh("turboci.util.values")
    assert values.digest_of is value.digest  # type: ignore[attr-defined]
    assert values.value_write is value.write  # type: ignore[attr-defined]
    assert values.lookup is value.lookup  # type: ignore[attr-defined]
    message = BuildCheckResult()
    written = values.value_write(message)  # type: ignore[attr-defined]
    assert written == value.write(message)


def test_ids_keeps_the_old_names() -> None:
    old = fresh("turboci.util.ids")
    text = ids.format(ids.parse_as("Wp:Cbuild/linux", CheckId))
    assert old.format_id(old.parse_id(text)) == text  # type: ignore[attr-defined]
