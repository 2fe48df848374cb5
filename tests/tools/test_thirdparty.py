# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from core.layout import Layout
from tools import thirdparty


def test_copies_the_pinned_package_protos_once(tmp_path: Path) -> None:
    assert thirdparty.sync(Layout(tmp_path)) == list(thirdparty.WANTED)
    for rel in thirdparty.WANTED:
        assert (tmp_path / rel).read_bytes() == (thirdparty.package_root() / rel).read_bytes()
    assert thirdparty.sync(Layout(tmp_path)) == []


def test_a_hand_edited_copy_is_restored(tmp_path: Path) -> None:
    thirdparty.sync(Layout(tmp_path))
    target = tmp_path / thirdparty.WANTED[0]
    target.write_text("// edited\n")
    assert thirdparty.sync(Layout(tmp_path)) == [thirdparty.WANTED[0]]
    assert b"FieldBehavior" in target.read_bytes()


def test_the_package_is_found_even_with_a_checkout_on_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A checkout's own google/ copies join the `google` namespace when the
    # checkout is on sys.path; they must not be taken for the package.
    thirdparty.sync(Layout(tmp_path))
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [m for m in sys.modules if m == "google.api" or m.startswith("google.api.")]:
        monkeypatch.delitem(sys.modules, name)
    importlib.invalidate_caches()
    assert thirdparty.package_root() != tmp_path
    assert (thirdparty.package_root() / "google/api/field_behavior_pb2.py").exists()
