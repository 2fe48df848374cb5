# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The comment grammar of the API, in one place: `Next ID: N`, `Next states:`,
suppression markers, and how a comment reads once cleaned.

Pure functions over text, so the loose trigger and the rewrite can be tested
(and property-tested) without a compiler.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

# "next" and "id" as whole words (letters or digits next to them break the
# word; "_" does not, so NEXT_ID triggers), joined by nothing, "_", "-" or
# blanks, in any case: "NextID:5" and "NEXT_ID = 3" trigger, "next
# identifier" and "context id" do not.
TRIGGER = re.compile(r"(?<![A-Za-z0-9])next[ \t_-]*id(?![A-Za-z0-9])", re.IGNORECASE)
# A cheap first look at a whole file's bytes, lowered: the trigger without
# its word boundaries. A literal head lets the regex engine skip ahead fast
# (six times faster than spelling out the cases or IGNORECASE).
TRIGGER_LOWER_BYTES = re.compile(rb"next[ \t_-]*id")


def may_mention_next_id(raw: bytes) -> bool:
    """Could a comment in these bytes be a Next ID line? False rules it out."""
    return TRIGGER_LOWER_BYTES.search(raw.lower()) is not None


# Every text the trigger matches contains this, in lower case.
TRIGGER_HINT = "next"
CANONICAL = re.compile(r"Next ID: (0|[1-9][0-9]*)")
# The number a non-canonical line most likely means: the first one after the trigger.
_STATED = re.compile(r"[ \t]*[:=]?[ \t]*([0-9]+)")
# Where a comment line's own words start: after "//", or after the "/*" or
# leading "*" of a block comment, and after the blanks before them.
_PREFIX = re.compile(r"[ \t]*(?://|/\*+|\*+(?!/))?")
IGNORE_MARKER = b"turboci:lint:ignore"
IGNORE = re.compile(r"turboci:lint:ignore[ \t]+([A-Z][A-Z0-9_]*)")


@dataclass(frozen=True)
class NextIdLine:
    """A comment line that mentions the next id."""

    canonical: bool
    value: int | None


def canonical(number: int) -> str:
    return f"Next ID: {number}"


def last_line(comment: str) -> str | None:
    """The last non-empty line of a comment as protoc hands it over, stripped."""
    for line in reversed(comment.splitlines()):
        if line.strip():
            return line.strip()
    return None


def parse(line: str) -> NextIdLine | None:
    """None when `line` does not mention the next id at all."""
    text = line.strip()
    m = TRIGGER.search(text)
    if m is None:
        return None
    exact = CANONICAL.fullmatch(text)
    if exact:
        return NextIdLine(True, int(exact.group(1)))
    stated = _STATED.match(text, m.end())
    return NextIdLine(False, int(stated.group(1)) if stated else None)


def content_span(line: str) -> tuple[int, int]:
    """[start, end) of the words of a raw comment line, without markers or blanks."""
    start = _PREFIX.match(line)
    begin = start.end() if start else 0
    close = line.find("*/", begin)
    end = close if close >= 0 else len(line)
    while end > begin and line[end - 1] in " \t\r":
        end -= 1
    while begin < end and line[begin] in " \t":
        begin += 1
    return begin, end


def rewrite(line: str, number: int) -> str:
    """`line` (a raw source line holding the comment) with its words set to the canonical text."""
    begin, end = content_span(line)
    # Keep one blank after the comment marker, as written by hand.
    before = line[:begin]
    if before and before[-1] not in " \t":
        before += " "
    after = line[end:]
    if after.startswith("*/"):
        after = " " + after
    return before + canonical(number) + after


def ignored_rules(comment: str) -> set[str]:
    """Rule IDs named by `turboci:lint:ignore RULE_ID` markers in `comment`."""
    return set(IGNORE.findall(comment))


# A lifecycle enum value's comment ends with `Next states: A, B.` or `Next states: none.`
NEXT_STATES = re.compile(r"^\s*next states:", re.IGNORECASE)
# A lifecycle enum's own comment may list where a node can start: `Initial states: A, B.`
INITIAL_STATES = re.compile(r"^\s*initial states:", re.IGNORECASE)


def clean_comment(raw: str) -> str:
    """Dedent a protoc comment and drop blank lines at either end or doubled."""
    lines = [ln.rstrip() for ln in textwrap.dedent(raw).splitlines()]
    out: list[str] = []
    for ln in lines:
        if ln or (out and out[-1]):
            out.append(ln)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def strip_next_id(text: str) -> str:
    """`text` without a last line that is a Next ID line: it is for editors, not readers."""
    lines = text.splitlines()
    if lines and parse(lines[-1]) is not None:
        lines.pop()
        while lines and not lines[-1].strip():
            lines.pop()
    return "\n".join(lines)
