# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The trailers (footers) of a commit message, read the way git reads them.

Trailers live in the last paragraph of the message, and only when every
line of that paragraph is a `Key: value` line or the continuation of one
(a line starting with a space or a tab). The first paragraph is the
subject: a message of one paragraph has no trailers, so a subject that
looks like `Key: value` is not one. Paragraphs are separated by lines
that are empty or hold only spaces and tabs. (git also takes a paragraph
in which a quarter of the lines are trailers if one of them is git's own,
such as Signed-off-by; a footer that gates a check asks for the clear case.)
"""

from __future__ import annotations

import re

# A key is letters, digits and '-'; git allows blanks before the colon.
_KEY = re.compile(r"[A-Za-z0-9-]+[ \t]*")


def _paragraphs(message: str) -> list[list[str]]:
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for line in message.replace("\r\n", "\n").split("\n"):
        if line.strip(" \t"):
            current.append(line)
        elif current:
            paragraphs.append(current)
            current = []
    if current:
        paragraphs.append(current)
    return paragraphs


def parse(message: str) -> list[tuple[str, str]]:
    """The message's trailers as (key, value), in order; [] when it has none."""
    paragraphs = _paragraphs(message)
    if len(paragraphs) < 2:
        return []
    found: list[tuple[str, str]] = []
    for line in paragraphs[-1]:
        if line[0] in " \t":
            if not found:
                return []
            key, value = found[-1]
            found[-1] = (key, f"{value} {line.strip()}".strip())
            continue
        key, colon, value = line.partition(":")
        if not colon or not _KEY.fullmatch(key):
            return []
        found.append((key.rstrip(" \t"), value.strip()))
    return found


def value_of(message: str, key: str) -> str | None:
    """The first non-empty value of trailer `key` in the message, if any."""
    for k, value in parse(message):
        if k == key and value:
            return value
    return None
