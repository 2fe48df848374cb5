# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""A run's whole report, kept for the next run over exactly the same inputs.

When every input of a run is what it was for a kept run (each target's
key, the config, the rules, this code, and how the report is printed), the
run prints that run's report as it was, without decoding a row per file or
formatting a finding again: a lint of an unchanged tree (a hook, an editor
on save) costs reading and hashing the files. The report is kept in the
findings cache beside the rows (presubmit/findings_cache.py), compressed,
checked like them, and read only where they are read.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Mapping

# A report bigger than this once unpacked is not one this suite wrote.
MAX_TEXT = 64 * 1024 * 1024


def key(fingerprint: str, file_keys: Mapping[str, str], form: str) -> str:
    """The key of a run: its fingerprint, each target's key, and `form` (how
    the report is printed: its format and the options that change it)."""
    parts = [f"{name}\0{k}" for name, k in sorted(file_keys.items())]
    return hashlib.sha256("\0".join(["report", fingerprint, form, *parts]).encode()).hexdigest()


def encode(text: str, code: int) -> bytes:
    return zlib.compress(json.dumps({"code": code, "text": text}).encode(), 1)


def decode(payload: bytes) -> tuple[str, int] | None:
    """The report and exit code in `payload`, or None if it is not exactly that."""
    try:
        unpack = zlib.decompressobj()
        data = unpack.decompress(payload, MAX_TEXT)
        if unpack.unconsumed_tail or not unpack.eof:
            return None
        value = json.loads(data)
    except (zlib.error, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(value, dict) or set(value) != {"code", "text"}:
        return None
    text, code = value["text"], value["code"]
    if not isinstance(text, str) or code not in (0, 1) or isinstance(code, bool):
        return None
    return text, code
