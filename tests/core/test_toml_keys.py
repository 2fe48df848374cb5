# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""toml_keys: the line of a key tomllib read, and the nearest known key."""

from __future__ import annotations

from core import toml_keys

TEXT = """# top
enable = []
[next_id]
  required = true
header = '''
fake = 1
'''
[trees."a.b"]
"quoted" = 1
gomod.path = "x"
"""


def test_keys_are_found_in_their_table() -> None:
    assert toml_keys.locate(TEXT, (), "enable") == (2, 1)
    assert toml_keys.locate(TEXT, ("next_id",), "required") == (4, 3)
    assert toml_keys.locate(TEXT, (), "next_id") == (3, 1)
    assert toml_keys.locate(TEXT, ("trees", "a.b"), "quoted") == (9, 1)
    assert toml_keys.locate(TEXT, ("trees", "a.b", "gomod"), "path") == (10, 1)


def test_a_key_inside_a_multiline_string_is_not_a_key() -> None:
    assert toml_keys.locate(TEXT, ("next_id",), "fake") == (1, 1)
    assert toml_keys.locate(TEXT, (), "missing") == (1, 1)


def test_the_nearest_known_key_is_suggested() -> None:
    assert toml_keys.unknown("disabel", ["enable", "disable"]) == (
        "unknown key `disabel`; did you mean `disable`?"
    )
    assert toml_keys.unknown("requir", ["enable", "require_next_id"]) == (
        "unknown key `requir`; did you mean `require_next_id`?"
    )
    assert toml_keys.unknown("nxt", ["b", "a"], table=True, inside="[x]") == (
        "unknown table [nxt] in [x]; known: a, b"
    )
