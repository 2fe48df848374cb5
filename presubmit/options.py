# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""What a lint run is asked to do: the suite's typed options."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, kw_only=True)
class LintOptions:
    """The options of one run; the CLI parses into this, callers build it directly."""

    # The tree to lint (its include root); None: the repo this suite lives in.
    root: Path | None = None
    # Run exactly these rules; empty: the rules the config turns on.
    rules: tuple[str, ...] = ()
    # Lint only under these root-relative paths; empty: everything.
    paths: tuple[str, ...] = ()
    # Apply the findings' fixes, then lint again.
    fix: bool = False
    # Also report findings suppressed by turboci:lint:ignore comments.
    list_ignored: bool = False
    # Nothing to lint (every PATH is skipped by the config) is a clean run,
    # not an error: for hooks, which are handed whatever files changed.
    allow_empty: bool = False
    # protoc processes at a time; None: one per core, at most two.
    jobs: int | None = None
    # How the caller prints the report (its format and the options that
    # change it), when it keeps reports (presubmit/report_memo.py): a run
    # whose every input matches a kept run's hands back that run's report.
    report_form: str | None = None
