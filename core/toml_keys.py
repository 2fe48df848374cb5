# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Unknown keys of a TOML file: where they are written, and what was meant.

tomllib keeps no positions, so the place is found again in the text; both
presubmit.toml and DEPS refuse a key they do not know with its line and the
nearest known key, so that a typo is never silently a default.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

_HEADER = re.compile(r"\s*\[\[?(.*?)\]\]?\s*(#.*)?")
_PART = re.compile(r"""\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*\.?""")


def _parts(text: str) -> tuple[str, ...]:
    """A dotted key or table name as its parts (`trees."a.b"` -> trees, a.b)."""
    out: list[str] = []
    pos = 0
    while pos < len(text):
        m = _PART.match(text, pos)
        if not m or m.end() == pos:
            break
        out.append(next(g for g in m.groups() if g is not None))
        pos = m.end()
    return tuple(out)


def locate(text: str, table: tuple[str, ...], key: str) -> tuple[int, int]:
    """(line, column), 1-based, of the first place `key` of `table` (() for the
    top level) is written, as a key or as a table header; (1, 1) if not found."""
    wanted = (*table, key)
    current: tuple[str, ...] = ()
    in_string = False
    for number, line in enumerate(text.split("\n"), 1):
        if line.count('"""') % 2 or line.count("'''") % 2:
            in_string = not in_string
            if not in_string:
                continue
        if in_string:
            continue
        column = len(line) - len(line.lstrip()) + 1
        header = _HEADER.fullmatch(line)
        if header:
            current = _parts(header.group(1))
            if current[: len(wanted)] == wanted:
                return number, column
            continue
        lhs, eq, _ = line.partition("=")
        if eq and (*current, *_parts(lhs))[: len(wanted)] == wanted:
            return number, column
    return 1, 1


def unknown(key: str, known: Iterable[str], *, table: bool = False, inside: str = "") -> str:
    """`unknown key `disabel`; did you mean `disable`?` (the known ones when none is near);
    `inside` names the table holding the key (`[next_id]`)."""
    names = sorted(known)
    what = f"unknown table [{key}]" if table else f"unknown key `{key}`"
    what += f" in {inside}" if inside else ""
    # A close spelling, else a key the typed one starts (`requir` -> `require_next_id`).
    near = (
        difflib.get_close_matches(key, names, n=1, cutoff=0.6)
        or [n for n in names if len(key) >= 3 and n.startswith(key)][:1]
    )
    if near:
        return f"{what}; did you mean " + (f"[{near[0]}]?" if table else f"`{near[0]}`?")
    return f"{what}; known: {', '.join(names)}"
