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
        "a.proto",
    ],
)
def test_an_import_list_no_compile_wrote_is_ignored(tmp_path: Path, names: object) -> None:
    cache = DescriptorCache(tmp_path)
    cache.remember_imports({"good": ["a/b.proto", "c.proto"]})
    cache.close()
    db = sqlite3.connect(tmp_path / "descriptors.sqlite")
    with db:
        db.execute("INSERT INTO imports VALUES (?, ?)", ("bad", json.dumps(names)))
    db.close()
    assert DescriptorCache(tmp_path).imports_of() == {"good": ["a/b.proto", "c.proto"]}
