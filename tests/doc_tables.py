# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""What the READMEs hold, read back for tests: tables and recipe blocks."""

from __future__ import annotations

import re
import textwrap

_RECIPE = re.compile(r"^( *)<!-- recipe: (.+?) -->\n\1```[a-z]*\n(.*?)^\1```", re.M | re.S)


def first_cells(text: str, header: str) -> list[str]:
    """The first word of each row's first cell, backticks dropped, of the table
    whose header row starts with `| header |`."""
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {header} |"))
    out = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        out.append(line.split("|")[1].strip().strip("`").split()[0].strip("`"))
    return out


def add_row(text: str, header: str, row: str) -> str:
    """`text` with `row` appended to the table under `| header |`."""
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {header} |"))
    end = start + 2
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    return "\n".join([*lines[:end], row, *lines[end:]])


def recipes(text: str) -> list[tuple[str, str]]:
    """(target, content) of each block marked `<!-- recipe: target -->`, unindented."""
    return [(m.group(2), textwrap.dedent(m.group(3))) for m in _RECIPE.finditer(text)]
