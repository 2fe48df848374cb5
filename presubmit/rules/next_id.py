"""NEXT_ID: a message's (or enum's) `Next ID: N` comment names the next free number."""

from __future__ import annotations

from google.protobuf import descriptor_pb2

from presubmit import comments
from presubmit.context import LintContext
from presubmit.finding import Edit
from presubmit.finding import Finding
from presubmit.source import MESSAGE_ENUM
from presubmit.source import SourceFile
from presubmit.source import SourcePath
from presubmit.source import display_column
from presubmit.source import strip_dot
from presubmit.source import walk_enums_top
from presubmit.source import walk_messages

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


class NextId:
    id = "NEXT_ID"
    purpose = "A `Next ID: N` comment names 1 + the largest number a message or enum uses."
    per_file = True

    def check(self, ctx: LintContext) -> list[Finding]:
        found: list[Finding] = []
        for sf in ctx.files_for(self.id):
            required = ctx.require_next_id(sf.name)
            # Most comments never mention the next id; a regex scan in C
            # rules them out before the last line of the rest is parsed.
            commented = sf.leading_matching(comments.TRIGGER, comments.TRIGGER_HINT)
            enums = [(p, e, n) for p, e, n in walk_enums_top(sf.proto)]
            for path, msg, name in walk_messages(sf.proto):
                if msg.options.map_entry:
                    continue  # synthesized by protoc for map fields: nothing to comment on
                if msg.enum_type:
                    enums += [
                        ((*path, MESSAGE_ENUM, i), e, f"{name}.{e.name}")
                        for i, e in enumerate(msg.enum_type)
                    ]
                loc = commented.get(path)
                parsed = _parse_last_line(loc)
                if loc is not None and parsed is not None:
                    found += self._judge(
                        sf, path, loc, parsed, strip_dot(name), message_next_id(msg), "message"
                    )
                elif required:
                    expected = message_next_id(msg)
                    found.append(
                        sf.finding(
                            path,
                            self.id,
                            f"message {msg.name} needs a leading comment ending in "
                            f"'{comments.canonical(expected)}'",
                            strip_dot(name),
                        )
                    )
            for path, enum, name in enums:
                loc = commented.get(path)
                parsed = _parse_last_line(loc)
                if loc is not None and parsed is not None:
                    expected = enum_next_id(enum)
                    found += self._judge(sf, path, loc, parsed, strip_dot(name), expected, "enum")
        return found

    def _judge(
        self,
        sf: SourceFile,
        path: SourcePath,
        loc: Location,
        parsed: comments.NextIdLine,
        name: str,
        expected: int,
        kind: str,
    ) -> list[Finding]:
        text = comments.last_line(loc.leading_comments) or ""
        want = comments.canonical(expected)
        if parsed.canonical and parsed.value == expected:
            return []
        short = name.rsplit(".", 1)[-1]
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
            line, col = loc.span[0] + 1, loc.span[1] + 1
            return [Finding(sf.name, line, col, self.id, why, name, anchor=path)]
        raw = sf.line_bytes(line0)
        decoded = raw.decode("utf-8", "replace")
        m = comments.TRIGGER.search(decoded)
        index = len(decoded[: m.start()].encode()) if m else 0
        start = sf.line_starts()[line0]
        fix = Edit(sf.name, start, start + len(raw), comments.rewrite(decoded, expected).encode())
        return [
            Finding(
                sf.name,
                line0 + 1,
                display_column(raw, index),
                self.id,
                why,
                name,
                fixes=(fix,),
                anchor=path,
            )
        ]


RULE = NextId()
