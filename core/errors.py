# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The one error base for problems a user can fix, and the one place that
turns any error into what a command line prints and its exit status.

Every command line (build.py, `python -m presubmit`, the hooks, `python -m
tools.commit_queue`) runs its body through `guarded`, so the same error reads and
exits the same way whichever entry point met it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from collections.abc import Sequence
from typing import TextIO

from core.error_lines import error_line


class UserError(Exception):
    """Bad input or a machine that says no, as one line per problem (`lines`);
    never a bug of ours. `exit_code` is what a command line exits with."""

    exit_code = 2

    def __init__(self, lines: Sequence[str] | str, exit_code: int | None = None) -> None:
        self.lines = lines.split("\n") if isinstance(lines, str) else list(lines)
        super().__init__("\n".join(self.lines))
        if exit_code is not None:
            self.exit_code = exit_code

    @property
    def message(self) -> str:
        return "\n".join(self.lines)


def _same(line: str) -> str:
    return line


def exit_status(
    exc: BaseException, err: TextIO, program: str, shown: Callable[[str], str] = _same
) -> int:
    """Print `exc` as its one line(s) on `err` and return the exit status:
    the UserError's own, 1 when the reader of the output left, 2 when the
    machine said no, 130 when interrupted, 3 for a bug (an internal error)."""
    if isinstance(exc, UserError):
        for line in exc.lines:
            err.write(error_line(shown(line)) + "\n")
        return exc.exit_code
    if isinstance(exc, BrokenPipeError):
        # The reader (`| head`) left; that is not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    if isinstance(exc, OSError):  # permissions, a full disk: not a bug
        where = f"{exc.filename}: " if exc.filename else ""
        err.write(
            f"error: {where}{exc.strerror or exc}; check its permissions and the free space\n"
        )
        return 2
    if isinstance(exc, KeyboardInterrupt):
        err.write("interrupted\n")
        return 130
    err.write(
        f"error: internal error in {program}: {type(exc).__name__}: {exc} "
        "(rerun with TURBOCI_DEBUG=1 for the traceback)\n"
    )
    return 3


def guarded(
    body: Callable[[], int],
    err: TextIO,
    program: str,
    shown: Callable[[str], str] = _same,
) -> int:
    """Run a command line's `body`; any error becomes its line and exit status.
    `shown` rewrites each line before it prints (paths as seen from the caller)."""
    try:
        return body()
    except (Exception, KeyboardInterrupt) as exc:
        if os.environ.get("TURBOCI_DEBUG") and not isinstance(exc, (UserError, KeyboardInterrupt)):
            raise
        return exit_status(exc, err, program, shown)
