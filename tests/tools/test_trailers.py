# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

from __future__ import annotations

import subprocess

import pytest

from tools import trailers

KEY = "Breaking-Proto-Change-Ok"

# (message, the trailers git reads in it)
CASES = [
    # The subject is never a trailer, even alone or on two lines.
    (f"{KEY}: in the subject\n", []),
    (f"{KEY}: in the subject", []),
    (f"Subject\n{KEY}: still the first paragraph\n", []),
    # The last paragraph, all trailers.
    (f"Subject\n\n{KEY}: the reason\n", [(KEY, "the reason")]),
    (f"Subject\n\nBody.\n\n{KEY}: the reason\nBug: 12\n", [(KEY, "the reason"), ("Bug", "12")]),
    # A middle paragraph does not count, nor a last one that is not all trailers.
    (f"Subject\n\n{KEY}: quoted\n\nMore text.\n", []),
    (f"Subject\n\n{KEY}: the reason\nand some prose\n", []),
    # Continuation lines, blanks before the colon, a blank-only separator, CRLF.
    (f"Subject\n\n{KEY}: a long\n  reason\n", [(KEY, "a long reason")]),
    (f"Subject\n\n{KEY} : spaced\n", [(KEY, "spaced")]),
    (f"Subject\n\nBody.\n \t\n{KEY}: after a blank line\n", [(KEY, "after a blank line")]),
    (f"Subject\r\n\r\n{KEY}: windows\r\n", [(KEY, "windows")]),
    # Not a key: spaces inside it, or nothing before the colon.
    ("Subject\n\nNot a key: value\n", []),
    ("Subject\n\n: value\n", []),
    ("", []),
]


@pytest.mark.parametrize(("message", "expected"), CASES)
def test_trailers_are_read_from_the_last_paragraph_only(
    message: str, expected: list[tuple[str, str]]
) -> None:
    assert trailers.parse(message) == expected


@pytest.mark.parametrize(("message", "expected"), CASES)
def test_git_reads_the_same_trailers(message: str, expected: list[tuple[str, str]]) -> None:
    proc = subprocess.run(
        ["git", "interpret-trailers", "--parse"],
        input=message.encode(),
        capture_output=True,
        check=True,
    )
    got = [tuple(ln.split(": ", 1)) for ln in proc.stdout.decode().splitlines() if ln.strip()]
    assert got == [(k, v) for k, v in expected]


def test_value_of_takes_the_first_non_empty_value() -> None:
    message = f"Subject\n\n{KEY}:\n{KEY}: second\n{KEY}: third\n"
    assert trailers.value_of(message, KEY) == "second"
    assert trailers.value_of(message, "Bug") is None
    assert trailers.value_of(f"{KEY}: subject only", KEY) is None
