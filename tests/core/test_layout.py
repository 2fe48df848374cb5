# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Layout: a checkout's paths, and whether there is a checkout at all."""

from __future__ import annotations

from pathlib import Path

from core.layout import REPO
from core.layout import Layout
from core.layout import checkout_of


def test_a_checkout_is_a_folder_with_deps(tmp_path: Path) -> None:
    assert REPO.is_checkout
    # Installed as a package (pre-commit's virtualenv), the code sits in
    # site-packages, which has no DEPS.
    assert not Layout(tmp_path).is_checkout
    (tmp_path / "DEPS").write_text("")
    assert Layout(tmp_path).is_checkout


def test_a_checkout_is_found_by_its_files_from_any_folder_inside(tmp_path: Path) -> None:
    checkout = tmp_path / "work"
    (checkout / ".git").mkdir(parents=True)
    (checkout / "core").mkdir(parents=True)
    (checkout / "turboci" / "a").mkdir(parents=True)
    (checkout / "DEPS").write_text("")
    assert checkout_of(checkout) is None  # a DEPS alone: a foreign tree (Chromium's)
    (checkout / "core" / "lock.py").write_text("")
    for inside in (checkout, checkout / "turboci" / "a"):
        found = checkout_of(inside)
        assert found is not None and found.root == checkout.resolve()
    assert checkout_of(tmp_path) is None
    assert checkout_of(REPO.root / "turboci") == REPO


def test_the_search_for_a_checkout_stays_inside_the_work_tree(tmp_path: Path) -> None:
    # Planted in a shared parent, the markers must not claim the trees below it.
    (tmp_path / "core").mkdir()
    (tmp_path / "DEPS").write_text("")
    (tmp_path / "core" / "lock.py").write_text("")
    loose = tmp_path / "tree" / "protos"
    loose.mkdir(parents=True)
    assert checkout_of(loose) is None  # in no git work tree: only the folder itself
    (tmp_path / "tree" / ".git").mkdir()
    assert checkout_of(loose) is None  # the work tree's top is the last folder looked at
    assert checkout_of(tmp_path) == Layout(tmp_path.resolve())
