# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Property tests of import splitting (proto lines and Python statements)."""

from __future__ import annotations

import ast
import re

from hypothesis import given
from hypothesis import strategies as st

from presubmit import imports

NAME = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True).filter(
    lambda s: (
        s
        not in {
            "if",
            "in",
            "is",
            "as",
            "or",
            "and",
            "not",
            "def",
            "del",
            "for",
            "try",
            "with",
            "from",
            "else",
            "elif",
            "pass",
            "class",
            "while",
            "yield",
            "lambda",
            "import",
            "return",
            "raise",
            "async",
            "await",
            "break",
            "global",
            "assert",
            "except",
            "finally",
            "continue",
            "nonlocal",
        }
    )
)
ALIAS = st.tuples(NAME, st.one_of(st.none(), NAME))
BLANKS = st.text(alphabet=" \t", min_size=0, max_size=3)


def _imports_of(tree: ast.AST) -> list[tuple[str, str, str | None]]:
    out: list[tuple[str, str, str | None]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [("", a.name, a.asname) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            mod = "." * node.level + (node.module or "")
            out += [(mod, a.name, a.asname) for a in node.names]
    return sorted(out, key=repr)


def _apply(source: bytes, found: list[imports.PyImport]) -> bytes:
    for imp in sorted(found, key=lambda i: i.start, reverse=True):
        assert imp.replacement is not None
        source = source[: imp.start] + imp.replacement + source[imp.end :]
    return source


@given(
    names=st.lists(ALIAS, min_size=1, max_size=5),
    module=st.one_of(st.none(), NAME),
    level=st.integers(min_value=0, max_value=2),
    indent=st.sampled_from(["", "    "]),
    inline=st.booleans(),
    paren=st.booleans(),
    crlf=st.booleans(),
)
def test_python_split_keeps_every_name(
    names: list[tuple[str, str | None]],
    module: str | None,
    level: int,
    indent: str,
    inline: bool,
    paren: bool,
    crlf: bool,
) -> None:
    aliases = ", ".join(f"{n} as {a}" if a else n for n, a in names)
    if module is None and level == 0:
        stmt = f"import {aliases}"
    else:
        mod = "." * level + (module or "")
        stmt = f"from {mod} import ({aliases},)" if paren else f"from {mod} import {aliases}"
    nl = "\r\n" if crlf else "\n"
    body = f"x = 1; {stmt}" if inline else stmt
    source = (f"if True:{nl}{indent or '    '}{body}{nl}y = 2{nl}").encode()
    found = imports.python_imports(source)
    assert len(found) == (1 if len(names) > 1 else 0)
    fixed = _apply(source, found)
    tree = ast.parse(fixed)
    assert _imports_of(tree) == _imports_of(ast.parse(source))
    assert imports.python_imports(fixed) == []
    # Nothing outside the statement moved.
    assert fixed.endswith(f"{nl}y = 2{nl}".encode())
    if crlf:
        assert b"\n" not in fixed.replace(b"\r\n", b"")


def test_future_imports_are_exempt() -> None:
    assert imports.python_imports(b"from __future__ import annotations, division\n") == []


@given(
    deps=st.lists(
        st.from_regex(r"[a-z]{1,5}(/[a-z]{1,5}){0,2}\.proto", fullmatch=True),
        min_size=2,
        max_size=5,
    ),
    gaps=st.lists(BLANKS, min_size=5, max_size=5),
    indent=BLANKS,
    comment=st.booleans(),
)
def test_proto_split_one_import_per_line(
    deps: list[str], gaps: list[str], indent: str, comment: bool
) -> None:
    stmts = [f'import "{d}";' for d in deps]
    line = indent
    spans: list[tuple[int, int]] = []
    for i, s in enumerate(stmts):
        if i:
            line += gaps[i] if gaps[i] else " "
            if comment and i == 1:
                line += "/* c */ "
        start = len(line.encode())
        line += s
        spans.append((start, len(line.encode())))
    raw = line.encode()
    edits = imports.split_proto_line(raw, spans)
    out = raw
    for a, b, text in sorted(edits, reverse=True):
        out = out[:a] + text + out[b:]
    lines = out.decode().split("\n")
    assert [ln.count("import ") for ln in lines] == [1] * len(stmts)
    assert re.findall(r'import "[^"]*";', out.decode()) == stmts
    assert re.sub(r"\s", "", out.decode()) == re.sub(r"\s", "", line)
    assert all(ln.startswith(indent) for ln in lines)


def test_imports_nested_in_any_statement_are_found() -> None:
    source = b"""\
def f():
    import a, b
class C:
    if x:
        pass
    else:
        from m import c, d
try:
    import e, f
except E:
    import g, h
finally:
    import i, j
with w:
    for k in y:
        while z:
            import l, m
match v:
    case 1:
        import n, o
if q: import p, r
"""
    found = imports.python_imports(source)
    assert [p.line for p in found] == [2, 7, 9, 11, 13, 17, 20, 21]
    assert found[-1].replacement == b"import p; import r"


def test_files_without_a_multi_name_candidate_are_not_parsed() -> None:
    # No comma, parenthesis or continuation after `import`: nothing to parse,
    # so even a syntax error elsewhere is not this rule's business.
    assert imports.python_imports(b"import os\nfrom x import y\ndef (:\n") == []
    assert imports.python_imports(b'"""import a, b"""\n') == []
