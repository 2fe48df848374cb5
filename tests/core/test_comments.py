# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Property tests of the Next ID comment trigger, parser and rewrite."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from core import comments

SEPARATORS = st.text(alphabet=" \t_-", max_size=4)
# "id" must end a word, so something other than a digit follows it.
SUFFIXES = st.sampled_from([" ", ":", ": ", " = ", " =", ":  "])
ENDINGS = st.sampled_from(["", ";", " ", ";  "])
WORDS = st.text(alphabet="abcdefghij klm.,", max_size=20)


def _case(word: str, flips: list[bool]) -> str:
    return "".join(c.upper() if f else c.lower() for c, f in zip(word, flips, strict=False))


@given(st.integers(min_value=0, max_value=10**9))
def test_canonical_round_trip(n: int) -> None:
    assert comments.parse(comments.canonical(n)) == comments.NextIdLine(True, n)
    assert comments.parse(f"  {comments.canonical(n)}  ") == comments.NextIdLine(True, n)


@given(
    sep=SEPARATORS,
    flips=st.lists(st.booleans(), min_size=6, max_size=6),
    suffix=SUFFIXES,
    ending=ENDINGS,
    n=st.integers(min_value=0, max_value=10**6),
)
def test_loose_trigger(sep: str, flips: list[bool], suffix: str, ending: str, n: int) -> None:
    line = _case("next", flips[:4]) + sep + _case("id", flips[4:]) + suffix + str(n) + ending
    parsed = comments.parse(line)
    assert parsed is not None
    # The cheap pre-filters never hide a trigger.
    assert comments.TRIGGER_HINT in line.lower()
    assert comments.may_mention_next_id(line.encode())
    exact = line.strip() == f"Next ID: {n}"
    assert parsed.canonical is exact
    assert parsed.value == n


@given(
    sep=SEPARATORS,
    tail=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=5),
)
def test_id_must_be_a_whole_word(sep: str, tail: str) -> None:
    assert comments.parse(f"next{sep}id{tail}: 5") is None
    assert comments.parse(f"con{tail[0] if tail[0].isalpha() else 'x'}next{sep}id: 5") is None


@given(
    indent=st.text(alphabet=" \t", max_size=4),
    marker=st.sampled_from(["//", "// ", "///", "/*", "/* ", " * ", "*", ""]),
    words=WORDS,
    sep=SEPARATORS,
    n=st.integers(min_value=0, max_value=10**6),
    closing=st.booleans(),
    want=st.integers(min_value=1, max_value=10**6),
)
def test_rewrite_is_canonical_and_idempotent(
    indent: str, marker: str, words: str, sep: str, n: int, closing: bool, want: int
) -> None:
    line = f"{indent}{marker}{words}Next{sep}ID {n}" + (" */" if closing else "")
    fixed = comments.rewrite(line, want)
    begin, end = comments.content_span(fixed)
    assert comments.parse(fixed[begin:end]) == comments.NextIdLine(True, want)
    assert comments.rewrite(fixed, want) == fixed
    assert fixed.startswith(indent)
    assert fixed.endswith("*/") == closing


def test_last_line_and_ignore_markers() -> None:
    assert comments.last_line(" A.\n\n Next ID: 3\n\n") == "Next ID: 3"
    assert comments.last_line("\n  \n") is None
    text = " turboci:lint:ignore NEXT_ID\n turboci:lint:ignore GO_PACKAGE"
    assert comments.ignored_rules(text) == {"NEXT_ID", "GO_PACKAGE"}


def test_strip_next_id_uses_the_lint_rules_grammar() -> None:
    # Every variant the NEXT_ID rule reads as a Next ID line is dropped from docs.
    for line in ("Next ID: 4", "NEXT_ID = 4;", "Next Id: 4", "next-id 4"):
        assert comments.strip_next_id(f"Says what it is.\n\n{line}") == "Says what it is."
    # A sentence that merely mentions ids stays.
    assert comments.strip_next_id("The context id.") == "The context id."


def test_clean_comment_dedents_and_squeezes_blank_lines() -> None:
    assert comments.clean_comment("  a\n\n\n  b\n\n") == "a\n\nb"
    assert comments.clean_comment("\n\n") == ""


def test_next_states_grammar() -> None:
    assert comments.NEXT_STATES.match(" Next states: A, B.")
    assert comments.NEXT_STATES.match("next STATES: none.")
    assert not comments.NEXT_STATES.match("The next states are A.")
