# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""What a rule reports, and the edit that fixes it."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from typing import Any


@dataclass(frozen=True, kw_only=True)
class Edit:
    """Replace bytes [start, end) of the file at `path` (root-relative) by `text`."""

    path: str
    start: int
    end: int
    text: bytes


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One problem. `line` and `column` are 1-based; `path` is root-relative.

    `element` is the fully-qualified name of the message, enum, field or
    service, or the file path for file-level findings. `anchor` is the
    source_code_info path whose comments may suppress the finding (None:
    the finding's own line is searched for the marker instead).
    """

    path: str
    line: int
    column: int
    rule: str
    message: str
    element: str
    suppressed: bool = False
    fixes: tuple[Edit, ...] = field(default=(), compare=False, repr=False)
    anchor: tuple[int, ...] | None = field(default=None, compare=False, repr=False)

    def sort_key(self) -> tuple[str, int, int, str, str, str]:
        # The element breaks ties, so the order never depends on which rules ran first.
        return (self.path, self.line, self.column, self.rule, self.message, self.element)

    def as_suppressed(self) -> Finding:
        return replace(self, suppressed=True)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "rule": self.rule,
            "message": self.message,
            "element": self.element,
        }
