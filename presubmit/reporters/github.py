# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""GitHub Actions workflow commands: `::error file=...,line=...,col=...::message`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from presubmit.finding import Finding


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def write(findings: Sequence[Finding], out: TextIO) -> None:
    for f in findings:
        # A suppressed finding is shown, not failed on.
        level = "notice" if f.suppressed else "error"
        out.write(
            f"::{level} file={_prop(f.path)},line={f.line},col={f.column},"
            f"title={_prop(f.rule)}::{_data(f.message)}\n"
        )
