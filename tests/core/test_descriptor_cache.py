# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The descriptor cache: what it hands back is checked, never taken on trust."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from core.descriptor_cache import DescriptorCache


@pytest.mark.parametrize(
    "names",
    [
        ["/dev/zero"],
        ["../../outside.proto"],
        ["a/./b.proto"],
        ["a//b.proto"],
        ["a.proto", "/etc/passwd"],
        ["not_a_proto.txt"],
        [7],
        ["a.proto", {"not": "a name"}],
        ["a.proto", ["nested.proto"]],
        "a.proto",
    ],
)
def test_an_import_list_no_compile_wrote_is_ignored(tmp_path: Path, names: object) -> None:
    cache = DescriptorCache(tmp_path)
    assert cache.begin()
    cache.commit({"good": ["a/b.proto", "c.proto"]}, set())
    cache.close()
    db = sqlite3.connect(tmp_path / "descriptors.sqlite")
    with db:
        db.execute("INSERT INTO imports VALUES (?, ?)", ("bad", json.dumps(names)))
    db.close()
    assert DescriptorCache(tmp_path).imports_of() == {"good": ["a/b.proto", "c.proto"]}


def test_a_transaction_rolled_back_leaves_the_old_rows(tmp_path: Path) -> None:
    cache = DescriptorCache(tmp_path)
    assert cache.begin()
    cache.put([("old", b"\x0a\x05a.proto")])
    cache.commit({}, {"old"})
    assert cache.begin()
    cache.put([("new", b"\x0a\x05b.proto")])
    cache.rollback()
    cache.close()
    again = DescriptorCache(tmp_path)
    assert again.get_payload("old") == b"\x0a\x05a.proto"
    assert again.get_payload("new") is None


def test_a_commit_drops_the_rows_not_live(tmp_path: Path) -> None:
    cache = DescriptorCache(tmp_path)
    assert cache.begin()
    cache.put([("a", b"\x0a\x01a"), ("b", b"\x0a\x01b")])
    cache.commit({"x": ["a.proto"]}, {"b"})
    assert cache.get_payload("a") is None
    assert cache.get_payload("b") == b"\x0a\x01b"
    assert cache.imports_of() == {"x": ["a.proto"]}
