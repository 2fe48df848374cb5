# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""A JSON list of {path, line, column, rule, message, element} (+ suppressed: true)."""

from __future__ import annotations

from collections.abc import Sequence
from json.encoder import encode_basestring_ascii as _string
from typing import TextIO

from presubmit.finding import Finding


def _item(f: Finding) -> str:
    # The text json.dumps(..., indent=2) gives an item, built directly: its
    # pure-Python indenting encoder took a third of a run over a big report.
    lines = [
        f'    "path": {_string(f.path)}',
        f'    "line": {int(f.line)}',
        f'    "column": {int(f.column)}',
        f'    "rule": {_string(f.rule)}',
        f'    "message": {_string(f.message)}',
        f'    "element": {_string(f.element)}',
    ]
    if f.suppressed:
        lines.append('    "suppressed": true')
    return "  {\n" + ",\n".join(lines) + "\n  }"


def write(findings: Sequence[Finding], out: TextIO) -> None:
    if not findings:
        out.write("[]\n")
        return
    # One write: many small writes cost more than building the text.
    out.write("[\n" + ",\n".join(_item(f) for f in findings) + "\n]\n")
