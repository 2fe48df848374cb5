# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tools.docs import markdown


def test_inline_escapes_tags_and_headings_but_not_code() -> None:
    text = "Reads <digest>, see `map<string, Value>`.\n# not a heading"
    assert markdown.inline(text) == (
        "Reads &lt;digest&gt;, see `map<string, Value>`.\n\\# not a heading"
    )


def test_an_unclosed_backtick_is_prose() -> None:
    assert markdown.inline("a ` <b>") == "a ` &lt;b&gt;"


def test_cell_reflows_lines_and_keeps_paragraphs_and_lists() -> None:
    text = "One | two\nwraps here.\n\nSecond paragraph:\n- item a\n- item b"
    assert markdown.cell(text) == (
        "One \\| two wraps here.<br><br>Second paragraph:<br>- item a<br>- item b"
    )


@given(st.text())
def test_cell_is_always_one_line_with_escaped_pipes(text: str) -> None:
    out = markdown.cell(text)
    assert len(out.splitlines()) <= 1
    assert "|" not in out.replace("\\|", "")


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Identifiers of shop objects. They are opaque.", "Identifiers of shop objects."),
        ("Values, e.g. digests, and data. More.", "Values, e.g. digests, and data."),
        ("Wrapped\nfirst sentence! Then.", "Wrapped first sentence!"),
        ("No full stop\n\nSecond paragraph.", "No full stop"),
        ("Version 1.2 is here. Yes.", "Version 1.2 is here."),
    ],
)
def test_first_sentence(text: str, want: str) -> None:
    assert markdown.first_sentence(text) == want
