# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Splitting import statements so each imports one thing.

Proto: several `import "x.proto";` statements on one line go on lines of
their own. Python: `import a, b` and `from x import a, b` become one statement
per name (`from __future__` is exempt: it is a compiler directive).
Pure functions over text, so they can be property-tested on their own.
"""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

# A line where an import could name several things: a comma, a parenthesis
# or a continuation after `import`. Files without one cannot hold a
# multi-name import, so they are not parsed at all (most files, and parsing
# is most of the rule's cost).
_MAYBE_SEVERAL = re.compile(rb"\bimport\b[^\n#]*[,(\\]")


def split_proto_line(line: bytes, spans: list[tuple[int, int]]) -> list[tuple[int, int, bytes]]:
    """Edits (start, end, text) on `line` moving every import after the first to its own line.

    `spans` are the byte ranges of the import statements on the line, in order.
    Only the blanks between two statements change; a comment between them stays.
    """
    indent = line[: len(line) - len(line.lstrip(b" \t"))]
    edits: list[tuple[int, int, bytes]] = []
    for (_, prev_end), (start, _) in itertools.pairwise(spans):
        gap = line[prev_end:start]
        keep = gap.rstrip(b" \t")
        edits.append((prev_end + len(keep), start, b"\n" + indent))
    return edits


@dataclass(frozen=True)
class PyImport:
    """A Python import statement that imports more than one name."""

    line: int  # 1-based
    column: int  # 1-based, in characters
    start: int  # byte offsets of the statement in the file
    end: int
    names: tuple[str, ...]
    replacement: bytes | None  # None: cannot be split safely (comments inside)


def _alias(a: ast.alias) -> str:
    return f"{a.name} as {a.asname}" if a.asname else a.name


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement, nested ones included; imports are statements, so the
    expressions (most of a tree's nodes) need no visit."""
    for stmt in body:
        yield stmt
        for field in ("body", "orelse", "finalbody"):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list):
                yield from _statements(inner)
        for handler in getattr(stmt, "handlers", ()):
            yield from _statements(handler.body)
        for case in getattr(stmt, "cases", ()):
            yield from _statements(case.body)


def python_imports(source: bytes) -> list[PyImport]:
    """Every statement of `source` importing several names.

    Raises SyntaxError for a file that could hold one but does not parse.
    """
    if not _MAYBE_SEVERAL.search(source):
        return []
    tree = ast.parse(source)
    starts = [0] + [m.end() for m in re.finditer(rb"\n", source)]
    newline = b"\r\n" if b"\r\n" in source else b"\n"
    found: list[PyImport] = []
    for node in _statements(tree.body):
        if isinstance(node, ast.Import):
            stmts = [f"import {_alias(a)}" for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.module == "__future__" and node.level == 0:
                continue
            module = "." * node.level + (node.module or "")
            stmts = [f"from {module} import {_alias(a)}" for a in node.names]
        else:
            continue
        if len(stmts) < 2 or node.end_lineno is None or node.end_col_offset is None:
            continue
        # ast's col_offset counts UTF-8 bytes, which is what the offsets need.
        start = starts[node.lineno - 1] + node.col_offset
        end = starts[node.end_lineno - 1] + node.end_col_offset
        line_start = starts[node.lineno - 1]
        head = source[line_start:start]
        text = source[start:end]
        replacement: bytes | None
        if b"#" in text:
            replacement = None
        else:
            # At the start of its line a statement can be followed by another
            # line at the same indent; after `;` or `if x:` it must stay on
            # the line, so the pieces are joined with `; `.
            sep = newline + head if head.strip() == b"" else b"; "
            replacement = sep.join(s.encode() for s in stmts)
        column = len(head.decode("utf-8", "replace")) + 1
        found.append(
            PyImport(
                node.lineno, column, start, end, tuple(_alias(a) for a in node.names), replacement
            )
        )
    found.sort(key=lambda p: p.start)
    return found
