# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Finds the state machines documented on enums and draws them as Mermaid.

The API's convention: in a lifecycle enum every non-zero value's leading
comment ends with `Next states: FULL_VALUE_NAME, ...` or `Next states: none.`
(a terminal state). The first non-zero value is the initial state, and so is
any state that no other state leads to; an enum whose own comment has a line
`Initial states: FULL_VALUE_NAME, ...` starts in exactly those instead (a
node a writer may create further along, e.g. a check created PLANNED).

This is the one reader of those comments: docs/lifecycles.md is drawn from
it, and `./build.py gen` writes the lifecycle helpers of Go and Python from
it (tools/stubs/machines.py), so the docs and the helpers cannot disagree.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from core import comments
from core.comments import clean_comment
from tools.docs.model import Api
from tools.docs.model import Enum
from tools.docs.model import EnumValue
from tools.errors import BuildError

_NEXT_STATES = comments.NEXT_STATES
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Short names that Mermaid would read as keywords rather than state ids.
_MERMAID_WORDS = {"state", "note", "end", "direction", "classdef", "class", "style"}


@dataclass(frozen=True)
class State:
    name: str  # short, e.g. PENDING
    value: EnumValue
    comment: str  # the value's comment without the Next states line
    next: tuple[str, ...]  # short names; empty for a terminal state

    @property
    def terminal(self) -> bool:
        return not self.next


@dataclass(frozen=True)
class Lifecycle:
    package: str
    enum: Enum
    states: tuple[State, ...]  # declaration order; the first is the initial state
    # Short names from the enum's `Initial states:` line, if it has one.
    declared_initials: tuple[str, ...] = ()

    @property
    def initial(self) -> State:
        return self.states[0]

    @property
    def initials(self) -> tuple[State, ...]:
        """Where a node may start: the states the enum's `Initial states:`
        line names, else the first state and every other state that no state
        leads to (a lifecycle may start in more than one place)."""
        if self.declared_initials:
            return tuple(s for s in self.states if s.name in self.declared_initials)
        targets = {n for s in self.states for n in s.next}
        return (self.initial, *(s for s in self.states[1:] if s.name not in targets))

    def ordered(self) -> tuple[State, ...]:
        """The states in lifecycle order: breadth first from the initial
        states (later initial states first, as they lead into the earlier
        ones), declaration order among equals, then the terminal states in
        declaration order."""
        by_name = {s.name: s for s in self.states}
        queue = [*self.initials[1:], self.initial]
        seen = {s.name for s in queue}
        i = 0
        while i < len(queue):
            for n in queue[i].next:
                if n not in seen:
                    seen.add(n)
                    queue.append(by_name[n])
            i += 1
        queue += [s for s in self.states if s.name not in seen]
        return tuple([s for s in queue if not s.terminal] + [s for s in self.states if s.terminal])

    def mermaid(self) -> list[str]:
        """The body of a stateDiagram-v2, one transition per line, read top
        to bottom in lifecycle order; two or more terminal states are drawn
        together in one "ended" box."""
        order = self.ordered()
        lines = ["stateDiagram-v2"]
        lines += [f"    [*] --> {s.name}" for s in self.initials]
        for s in order:
            lines += [f"    {s.name} --> {n}" for n in s.next]
        ends = [s.name for s in order if s.terminal]
        if len(ends) < 2:
            return lines + [f"    {name} --> [*]" for name in ends]
        box = "ENDED"
        while box in {s.name for s in self.states}:
            box += "_"
        lines.append(f'    state "ended" as {box} {{')
        lines += [f"        {name}" for name in ends]
        return [*lines, "    }", f"    {box} --> [*]"]


def short_names(names: list[str]) -> dict[str, str]:
    """Full value name -> name without the enum's common `PREFIX_`.

    Falls back to the full names when stripping would leave something Mermaid
    cannot use as a state id (empty, starting with a digit, a keyword).
    """
    # Compare whole `_`-separated words so PRIORITY_LOW/PRIORITY_LATE keep `LOW`.
    words = [n.split("_") for n in names]
    common = 0
    # Stop one word short of the shortest name so no short name is empty.
    while all(len(w) > common + 1 and w[common] == words[0][common] for w in words):
        common += 1
    prefix = "".join(w + "_" for w in words[0][:common])
    shorts = {n: n[len(prefix) :] for n in names}
    usable = all(
        s and (s[0].isalpha() or s[0] == "_") and s.lower() not in _MERMAID_WORDS
        for s in shorts.values()
    )
    return shorts if usable else {n: n for n in names}


def _next_line(value: EnumValue) -> int | None:
    """Index of the raw leading-comment line that starts `Next states:`."""
    found = None
    for i, ln in enumerate(value.source.leading.splitlines()):
        if _NEXT_STATES.match(ln):
            found = i
    return found


def is_lifecycle(enum: Enum) -> bool:
    return any(_next_line(v) is not None for v in enum.values)


def _where(value: EnumValue, line_index: int, offset: int) -> str:
    """`path:line:col` of character `offset` of raw comment line `line_index`."""
    line, col = value.source.leading_line(line_index)
    # Raw comment lines start right after the `//`.
    return f"{value.source.file}:{line}:{col + 2 + offset}"


def _parse_state(
    enum: Enum, value: EnumValue, shorts: dict[str, str], errors: list[str]
) -> State | None:
    src = value.source
    start = _next_line(value)
    if start is None:
        errors.append(
            f"{src.file}:{src.line}:{src.col}: {value.name}: every non-zero value of the "
            f'lifecycle enum {enum.full_name} must end its comment with "Next states: '
            f'FULL_VALUE_NAME, ..." or "Next states: none."'
        )
        return None
    raw = src.leading.splitlines()
    # The list may wrap onto the following comment lines; its `.` ends it.
    tokens: list[tuple[str, int, int]] = []
    end = start
    for end in range(start, len(raw)):
        head = _NEXT_STATES.match(raw[end]) if end == start else None
        skip = head.end() if head else 0
        tokens += [(m.group(), end, m.start()) for m in _WORD.finditer(raw[end], skip)]
        if raw[end].rstrip().endswith("."):
            break
    where = _where(value, start, len(raw[start]) - len(raw[start].lstrip()))
    if any(ln.strip() for ln in raw[end + 1 :]):
        errors.append(
            f'{where}: {value.name}: the "Next states:" list must end the comment; '
            "move the text after it above it"
        )
        return None
    if not tokens:
        errors.append(f'{where}: {value.name}: "Next states:" names no state; write "none."')
        return None
    zero = {v.name for v in enum.values if v.number == 0}
    targets: list[str] = []
    for word, i, pos in tokens:
        if word.lower() == "none":
            if len(tokens) > 1:
                errors.append(
                    f'{_where(value, i, pos)}: {value.name}: "none" means a terminal '
                    "state and cannot be listed with other states"
                )
            continue
        if word not in shorts or word in zero:
            errors.append(f"{_where(value, i, pos)}: {_unknown(enum, word, shorts, zero)}")
            continue
        if shorts[word] not in targets:
            targets.append(shorts[word])
    comment = clean_comment("\n".join(raw[:start]))
    return State(shorts[value.name], value, comment, tuple(targets))


def _unknown(enum: Enum, word: str, shorts: dict[str, str], zero: set[str]) -> str:
    if word in zero:
        return f'"Next states:" names {word}, the zero value of {enum.full_name}, which is no state'
    msg = f'"Next states:" names {word}, which is not a value of {enum.full_name}'
    # Writing the short name is the likely slip; say which full name was meant.
    guess = [full for full, short in shorts.items() if short == word and full not in zero]
    if not guess:
        # Compare without the shared prefix, which would make any two names look alike.
        by_short = {short: full for full, short in shorts.items() if full not in zero}
        full, short = next(iter(shorts.items()))
        prefix = full[: len(full) - len(short)]
        close = difflib.get_close_matches(word.removeprefix(prefix), list(by_short), 1)
        guess = [by_short[c] for c in close]
    return msg + (f" (did you mean {guess[0]}?)" if guess else "")


def parse(package: str, enum: Enum, errors: list[str]) -> Lifecycle | None:
    """The lifecycle documented on `enum`, or None if it is not one.

    Problems are appended to `errors` as `path:line:col: message`.
    """
    if not is_lifecycle(enum):
        return None
    shorts = short_names([v.name for v in enum.values])
    states = [_parse_state(enum, v, shorts, errors) for v in enum.values if v.number != 0]
    kept = tuple(s for s in states if s is not None)
    initials = _declared_initials(enum, shorts, errors)
    if not kept or len(kept) != len(states) or initials is None:
        return None
    return Lifecycle(package, enum, kept, initials)


def _declared_initials(
    enum: Enum, shorts: dict[str, str], errors: list[str]
) -> tuple[str, ...] | None:
    """The short names of the enum's `Initial states:` line (empty without
    one); None, with the problems in `errors`, when it names no state."""
    lines = enum.source.leading.splitlines()
    found = [i for i, ln in enumerate(lines) if comments.INITIAL_STATES.match(ln)]
    if not found:
        return ()
    index = found[-1]
    line = lines[index]
    line_no, col = enum.source.leading_line(index)
    head = comments.INITIAL_STATES.match(line)
    assert head is not None
    found_words = list(_WORD.finditer(line, head.end()))
    words = [m.group() for m in found_words]
    zero = {v.name for v in enum.values if v.number == 0}
    bad = [w for w in words if w not in shorts or w in zero]
    # Point at the first bad name (raw comment lines start right after `//`).
    at = next((m.start() for m in found_words if m.group() in bad), head.end())
    where = f"{enum.source.file}:{line_no}:{col + 2 + at}"
    if bad or not words:
        errors.append(
            f'{where}: "Initial states:" of {enum.full_name} must name its non-zero values '
            f"by their full names, e.g. {next(iter(n for n in shorts if n not in zero), '?')}"
            + (f" (not {', '.join(bad)})" if bad else "")
        )
        return None
    return tuple(dict.fromkeys(shorts[w] for w in words))


def lifecycles(api: Api) -> dict[str, Lifecycle]:
    """Every lifecycle in the API by enum full name; BuildError lists all problems."""
    errors: list[str] = []
    found: dict[str, Lifecycle] = {}
    for p in api.packages:
        for e in p.all_enums():
            lc = parse(p.name, e, errors)
            if lc is not None:
                found[e.full_name] = lc
    if errors:
        raise BuildError("\n".join(errors))
    return dict(sorted(found.items()))
