# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""How a problem reads on the terminal: one line, like a compiler's."""

from __future__ import annotations

from pathlib import Path


def error_line(line: str) -> str:
    """Compiler-style lines (`path:line:...`) and a summing-up line (`… and N
    more`) print as they are; any other line gets `error: `, once."""
    head = line.split(" ", 1)[0].split(":")
    if (len(head) >= 3 and head[1].isdigit()) or line.startswith(("error: ", "… ")):
        return line
    return f"error: {line}"


def relocated(line: str, prefix: str, root: Path | None = None) -> str:
    """A line about a file under a root, with the path as seen from elsewhere.

    `prefix` is the root as seen from there ("." or "": nothing changes).
    Compiler-style lines (`path:line:...`) are moved; with `root`, so are
    `path: message` lines naming a file or folder that is there. Others,
    and absolute paths, are returned as they are.
    """
    if prefix in ("", "."):
        return line
    path, sep, rest = line.partition(":")
    if not sep or path.startswith("/") or " " in path or not path:
        return line
    located = rest.split(":", 1)[0].isdigit()
    named = root is not None and rest.startswith(" ") and _exists(root / path)
    if not (located or named):
        return line
    return f"{prefix.rstrip('/')}/{path}:{rest}"


def _exists(path: Path) -> bool:
    return path.exists() or path.is_symlink()
