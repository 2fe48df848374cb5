# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""`path:line:col: RULE_ID message`, like a compiler."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from presubmit.finding import Finding


def line(f: Finding) -> str:
    tail = " (ignored)" if f.suppressed else ""
    # One finding, one line: tools that read compiler output split on newlines.
    message = " ".join(f.message.splitlines())
    return f"{f.path}:{f.line}:{f.column}: {f.rule} {message}{tail}"


def write(findings: Sequence[Finding], out: TextIO) -> None:
    for f in findings:
        out.write(line(f) + "\n")
