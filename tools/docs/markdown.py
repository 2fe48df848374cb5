# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Small helpers that make proto comments safe inside GitHub Markdown."""

from __future__ import annotations

import re

# A code span: a run of backticks, then anything, then a run of the same length.
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)
_LIST_ITEM = re.compile(r"^\s*([-*+]|\d+[.)])\s")
_SENTENCE = re.compile(r"(.+?(?<!\be\.g)(?<!\bi\.e)[.!?])(?=\s|$)")


def _escape_prose(text: str) -> str:
    # Comments are written as plain text: `<digest>` must not vanish as an
    # HTML tag, and a line starting with `#` must not become a heading.
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"(?m)^(\s*)#", r"\1\\#", text)


def inline(text: str) -> str:
    """Escape prose for Markdown, leaving `code spans` as they are."""
    out: list[str] = []
    pos = 0
    for m in CODE_SPAN.finditer(text):
        out.append(_escape_prose(text[pos : m.start()]))
        out.append(m.group())
        pos = m.end()
    out.append(_escape_prose(text[pos:]))
    return "".join(out)


def cell(text: str) -> str:
    """A comment squeezed into one table cell.

    Wrapped lines are joined with spaces so prose reflows; paragraph breaks
    and list items keep a line break so their shape survives.
    """
    parts: list[str] = []
    lines = inline(text).splitlines()
    for i, ln in enumerate(lines):
        ln = ln.strip()
        if i == 0:
            parts.append(ln)
        elif not ln:
            continue
        elif not lines[i - 1].strip():
            parts.append("<br><br>" + ln)
        elif _LIST_ITEM.match(ln):
            parts.append("<br>" + ln)
        else:
            parts.append(" " + ln)
    return "".join(parts).replace("|", "\\|")


def first_sentence(text: str) -> str:
    """The first sentence of the first paragraph, on one line."""
    para = " ".join(text.strip().split("\n\n", 1)[0].split())
    m = _SENTENCE.match(para)
    return m.group(1) if m else para
