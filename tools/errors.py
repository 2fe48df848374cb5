# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The one error type the build tasks raise for problems a user can fix."""

from core.messages import error_line


class BuildError(Exception):
    """A problem with the input or the machine, reported as one clear line.

    `exit_code` lets a task choose its status (the lint task keeps 2 for a
    compile error) while build.py stays the only place that prints and exits.
    """

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def format_error(message: str) -> str:
    """One line per problem (see core.messages.error_line)."""
    return "\n".join(error_line(line) for line in message.splitlines() or [""])
