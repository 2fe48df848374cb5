# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""NEXT_ID: a message's (or enum's) `Next ID: N` comment names the next free number."""

from __future__ import annotations

from google.protobuf import descriptor_pb2

from core import comments
from core import descriptors
from core.source import SourceFile
from core.source import display_column
from presubmit.context import RuleContext
from presubmit.finding import Edit
from presubmit.rule import Report
from presubmit.rule import rule
from presubmit.spec import Kind
from presubmit.spec import Scope
from presubmit.spec import Setting

Location = descriptor_pb2.SourceCodeInfo.Location


def message_next_id(msg: descriptor_pb2.DescriptorProto) -> int:
    """1 + the largest number taken by a field, a reserved range or an extension range.

    Both kinds of range in a message descriptor have an exclusive end.
    """
    top = 0
    for f in msg.field:
        top = max(top, f.number)
    for r in msg.reserved_range:
        top = max(top, r.end - 1)
    for e in msg.extension_range:
        top = max(top, e.end - 1)
    return top + 1


def enum_next_id(enum: descriptor_pb2.EnumDescriptorProto) -> int:
    """1 + the largest value number or reserved number (enum ranges end inclusively)."""
    top = -1
    for v in enum.value:
        top = max(top, v.number)
    for r in enum.reserved_range:
        top = max(top, r.end)
    return top + 1


def numbers(first: int, last: int) -> str:
    if first == last:
        return f"number {first} was"
    if last == first + 1:
        return f"numbers {first} and {last} were"
    return f"numbers {first} to {last} were"


def _comment_line(sf: SourceFile, loc: Location) -> int | None:
    """0-based line of the comment's last non-empty line, found in the raw text.

    protoc keeps the comment's words but not where they were; a run of `//`
    lines ends on the line before the element, so count back, then confirm
    on the raw line (block comments may end elsewhere, so search nearby).
    """
    text = loc.leading_comments
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    last = max((i for i, ln in enumerate(lines) if ln.strip()), default=len(lines) - 1)
    element_line = loc.span[0]
    guess = element_line - 1 - (len(lines) - 1 - last)
    lowest = max(-1, element_line - len(lines) - 3)
    candidates: list[int] = [guess, *range(element_line, lowest, -1)]
    for line0 in candidates:
        raw = sf.line_bytes(line0).decode("utf-8", "replace")
        if comments.TRIGGER.search(raw):
            return line0
    return None


def _parse_last_line(loc: Location | None) -> comments.NextIdLine | None:
    """The Next ID line that ends the leading comment, if it ends in one."""
    if loc is None:
        return None
    line = comments.last_line(loc.leading_comments)
    return None if line is None else comments.parse(line)


@rule(
    id="NEXT_ID",
    purpose="A `Next ID: N` comment names 1 + the largest number a message or enum uses.",
    scope=Scope.FILE,
    default=True,
    portable=True,
    settings=(
        Setting(
            key="next_id.required",
            kind=Kind.BOOL,
            default=False,
            help="every message needs a Next ID comment (per tree: require_next_id)",
        ),
    ),
)
def check(ctx: RuleContext, report: Report) -> None:
    for sf in ctx.files:
        required = ctx.tree(sf.name).require_next_id
        # A file whose text never triggers has no Next ID comment to judge:
        # unless every message needs one, it is done without a look at its comments.
        if not required and not comments.may_mention_next_id(sf.raw):
            continue
        # Most comments never mention the next id; a regex scan in C
        # rules them out before the last line of the rest is parsed.
        commented = sf.leading_matching(comments.TRIGGER, comments.TRIGGER_HINT)
        enums = list(descriptors.top_enums(sf.proto))
        for msg in descriptors.messages(sf.proto):
            if msg.proto.options.map_entry:
                continue  # synthesized by protoc for map fields: nothing to comment on
            if msg.proto.enum_type:
                enums += descriptors.nested_enums(msg)
            loc = commented.get(msg.path)
            parsed = _parse_last_line(loc)
            expected = message_next_id(msg.proto)
            if loc is not None and parsed is not None:
                _judge(sf, msg, loc, parsed, expected, "message", report)
            elif required:
                report.at(
                    sf,
                    msg.path,
                    f"message {msg.name} needs a leading comment ending in "
                    f"'{comments.canonical(expected)}'",
                    element=msg.full_name,
                )
        for enum in enums:
            loc = commented.get(enum.path)
            parsed = _parse_last_line(loc)
            if loc is not None and parsed is not None:
                _judge(sf, enum, loc, parsed, enum_next_id(enum.proto), "enum", report)


def _judge(
    sf: SourceFile,
    element: descriptors.Message | descriptors.Enum,
    loc: Location,
    parsed: comments.NextIdLine,
    expected: int,
    kind: str,
    report: Report,
) -> None:
    text = comments.last_line(loc.leading_comments) or ""
    want = comments.canonical(expected)
    if parsed.canonical and parsed.value == expected:
        return
    short = element.name
    stated = parsed.value
    if stated is not None and stated > expected:
        why = (
            f"{kind} {short} says Next ID {stated} but uses numbers only up to {expected - 1}: "
            f"{numbers(expected, stated - 1)} freed without `reserved`; reserve them, "
            f"or write '{want}'"
        )
    elif stated is not None and stated < expected:
        why = (
            f"{kind} {short} says Next ID {stated}, but numbers up to {expected - 1} are "
            f"in use; write '{want}'"
        )
    else:
        why = f"{kind} {short}: '{text}' is not canonical; write '{want}'"
    if not parsed.canonical and stated is not None and stated != expected:
        why += f" ('{text}' is not canonical either)"
    line0 = _comment_line(sf, loc)
    if line0 is None:
        report.place(
            sf.name,
            loc.span[0] + 1,
            loc.span[1] + 1,
            why,
            element=element.full_name,
            anchor=element.path,
        )
        return
    raw = sf.line_bytes(line0)
    decoded = raw.decode("utf-8", "replace")
    m = comments.TRIGGER.search(decoded)
    index = len(decoded[: m.start()].encode()) if m else 0
    start = sf.line_starts()[line0]
    fix = Edit(
        path=sf.name,
        start=start,
        end=start + len(raw),
        text=comments.rewrite(decoded, expected).encode(),
    )
    report.place(
        sf.name,
        line0 + 1,
        display_column(raw, index),
        why,
        element=element.full_name,
        fixes=(fix,),
        anchor=element.path,
    )
