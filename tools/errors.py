# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The error the build tasks raise for problems a user can fix."""

from core.error_lines import error_line
from core.errors import UserError


class BuildError(UserError):
    """A problem with the input or the machine, reported as one clear line.

    `exit_code` (1 unless said) lets a task choose its status (the lint task
    keeps 2 for a compile error); core.errors.guarded prints and exits.
    """

    exit_code = 1


def format_error(message: str) -> str:
    """One line per problem (see core.error_lines.error_line)."""
    return "\n".join(error_line(line) for line in message.splitlines() or [""])
