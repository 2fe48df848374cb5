# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""How a problem reads on the terminal: one line, like a compiler's."""

from __future__ import annotations


def error_line(line: str) -> str:
    """Compiler-style lines (`path:line:...`) and a summing-up line (`… and N
    more`) print as they are; any other line gets `error: `, once."""
    head = line.split(" ", 1)[0].split(":")
    if (len(head) >= 3 and head[1].isdigit()) or line.startswith(("error: ", "… ")):
        return line
    return f"error: {line}"
