# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The terminal's streams in UTF-8, whatever the locale says.

Under `LANG=C` or `PYTHONIOENCODING=ascii` Python would encode what it
prints in ASCII and fail on the first file name that is not (`é.proto`).
Every entry point calls utf8_output() first, so the output is the same
everywhere. Only the standard library: build.py calls it before the tools
venv exists.
"""

from __future__ import annotations

import io
import sys


def utf8_output() -> None:
    """Write stdout and stderr as UTF-8; what UTF-8 cannot carry (the bytes of
    a name that is not UTF-8) as backslash escapes instead of an error."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(encoding="utf-8", errors="backslashreplace")
