# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""What the presubmit concluded about each check, and about the change."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

OK = "ok"
WARNING = "warning"
FAIL = "FAIL"
SKIPPED = "skipped"


@dataclass(frozen=True)
class CheckResult:
    name: str
    status: str
    seconds: float
    # The check's own output (FAIL and warning), or why it was skipped.
    output: str = ""
    reason: str = ""
    # Lint findings as {path, line, column, rule, message, element} dicts.
    findings: tuple[dict[str, Any], ...] = ()
    # The command that shows the same answer alone.
    rerun: str = ""


@dataclass(frozen=True)
class Verdict:
    """The presubmit's answer: every check, the change's basis and footer, the time."""

    checks: list[CheckResult]
    basis: str | None
    basis_why: str
    footer: str | None
    seconds: float
    uncommitted: tuple[str, ...] = field(default=())

    @property
    def failed(self) -> list[CheckResult]:
        return [c for c in self.checks if c.status == FAIL]

    @property
    def passed(self) -> bool:
        return not self.failed
