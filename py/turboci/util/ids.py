# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Deprecated alias of turboci.utils.ids (0.1.0's names), until 0.4.0."""

from __future__ import annotations

import warnings

from turboci.utils.ids import IdError
from turboci.utils.ids import format as format_id
from turboci.utils.ids import parse as parse_id
from turboci.utils.ids import parse_as

warnings.warn(
    "turboci.util.ids is deprecated: use turboci.utils.ids "
    "(format_id is format, parse_id is parse); it goes in 0.4.0",
    DeprecationWarning,
    stacklevel=2,
)

__all__ = ["IdError", "format_id", "parse_as", "parse_id"]
