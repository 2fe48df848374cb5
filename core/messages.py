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


def relocated(line: str, prefix: str) -> str:
    """A compiler-style line whose path is relative to a folder, with the path
    seen from `prefix`'s parent (`prefix` is that folder, relative; "." or
    "": unchanged). Other lines are returned as they are."""
    if prefix in ("", "."):
        return line
    path, sep, rest = line.partition(":")
    head = rest.split(":", 1)[0]
    if not sep or not head.isdigit() or path.startswith("/") or " " in path:
        return line
    return f"{prefix.rstrip('/')}/{path}:{rest}"
