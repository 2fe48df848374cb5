# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Deprecated alias of turboci.utils.value (0.1.0's names), until 0.4.0.

Digests are those of 0.2.0 on: over the canonical encoding, so a value
with map keys that are prefixes of each other digests differently from 0.1.0.
"""

from __future__ import annotations

import warnings

from turboci.utils.value import TYPE_URL_PREFIX
from turboci.utils.value import ValueLookupError
from turboci.utils.value import ValueMissingError
from turboci.utils.value import ValueOmittedError
from turboci.utils.value import ValueTypeError
from turboci.utils.value import digest as digest_of
from turboci.utils.value import find
from turboci.utils.value import lookup
from turboci.utils.value import pack
from turboci.utils.value import type_url_of
from turboci.utils.value import write as value_write

warnings.warn(
    "turboci.util.values is deprecated: use turboci.utils.value "
    "(digest_of is digest, value_write is write); it goes in 0.4.0",
    DeprecationWarning,
    stacklevel=2,
)

__all__ = [
    "TYPE_URL_PREFIX",
    "ValueLookupError",
    "ValueMissingError",
    "ValueOmittedError",
    "ValueTypeError",
    "digest_of",
    "find",
    "lookup",
    "pack",
    "type_url_of",
    "value_write",
]
