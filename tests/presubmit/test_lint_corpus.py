# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""bench/lint_corpus.py: deterministic, big enough, layered without cycles."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import bench_script

lint_corpus = bench_script("lint_corpus")

IMPORT = re.compile(r'^import "([^"]+)";$', re.M)
PACKAGE = re.compile(r"^package ([\w.]+);$", re.M)


@pytest.mark.slow  # builds a 3,000-file corpus twice
def test_corpus_shape() -> None:
    tree = lint_corpus.build(3000)
    assert tree == lint_corpus.build(3000)  # deterministic
    assert len(tree) == 3000
    assert sum(len(re.findall(r"^message ", t, re.M)) for t in tree.values()) >= 30000
    layers = {name: i for i, name in enumerate(lint_corpus.LAYERS)}
    package_of: dict[str, str] = {}
    for path, text in tree.items():
        m = PACKAGE.search(text)
        assert m is not None
        package_of[path] = m.group(1)
    stale = 0
    for path, text in tree.items():
        layer = layers[package_of[path].split(".")[1]]
        for dep in IMPORT.findall(text):
            assert dep in tree
            dep_layer = layers[package_of[dep].split(".")[1]]
            # Lower layers only, or the package's own files (its service file).
            assert dep_layer < layer or package_of[dep] == package_of[path]
        stale += len(re.findall(r"NEXT_ID = ", text))
    assert stale > 0


def test_write(tmp_path: Path) -> None:
    messages = lint_corpus.write(tmp_path / "c", 40)
    assert messages > 0
    assert (tmp_path / "c" / "buf.yaml").is_file()
    assert len(list((tmp_path / "c").rglob("*.proto"))) == 40
