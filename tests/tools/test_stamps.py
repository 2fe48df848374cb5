# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

from __future__ import annotations

import os
from pathlib import Path

from core.layout import Layout
from tools import stamps


def test_digest_follows_content_not_timestamps(tmp_path: Path) -> None:
    f = tmp_path / "a.proto"
    f.write_text("one")
    first = stamps.digest_files([f], tmp_path)
    f.write_text("one")  # new mtime, same content
    assert stamps.digest_files([f], tmp_path) == first
    f.write_text("two")
    assert stamps.digest_files([f], tmp_path) != first


def test_digest_covers_paths_and_missing_files(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text("x")
    b.write_text("x")
    assert stamps.digest_files([a], tmp_path) != stamps.digest_files([b], tmp_path)
    assert stamps.digest_files([tmp_path / "gone"], tmp_path) != stamps.digest_files([], tmp_path)


def test_fresh_only_for_the_recorded_key(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    assert not stamps.is_fresh(layout, "gen", "k1")
    stamps.record(layout, "gen", "k1")
    assert stamps.is_fresh(layout, "gen", "k1")
    assert not stamps.is_fresh(layout, "gen", "k2")
    assert not stamps.is_fresh(layout, "docs", "k1")
    assert (layout.stamps / "gen").read_text() == "k1"


def test_tracked_files_are_what_git_sees(api_tree: Path) -> None:
    (api_tree / "new.py").write_text("")
    (api_tree / ".cache").mkdir()
    (api_tree / ".cache" / "ignored.py").write_text("")
    (api_tree / "turboci" / "x.py").write_text("")
    found = stamps.tracked_files(api_tree, "*.py", "buf.yaml")
    assert [p.relative_to(api_tree).as_posix() for p in found] == [
        "buf.yaml",
        "new.py",
        "turboci/x.py",
    ]


def test_outside_git_the_key_is_this_runs_own(tmp_path: Path) -> None:
    # No key can be trusted without git: the listing names this process, so a
    # later run never finds its inputs unchanged.
    (tmp_path / "a.py").write_text("")
    (listed,) = stamps.tracked_files(tmp_path, "*.py")
    assert not listed.exists()
    assert str(os.getpid()) in listed.name


def test_code_digest_follows_the_named_modules() -> None:
    assert stamps.code_digest("tools.stamps") == stamps.code_digest("tools.stamps")
    assert stamps.code_digest("tools.stamps") != stamps.code_digest("tools.tasks.gen")
    assert stamps.code_digest("tools.stamps", "core.protoc") != stamps.code_digest("tools.stamps")


def test_a_hostile_stamp_only_makes_the_step_run_again(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    stamp = layout.stamps / "gen"
    layout.stamps.mkdir(parents=True)
    os.mkfifo(stamp)
    assert not stamps.is_fresh(layout, "gen", "key")  # a plain read would block on the FIFO
    stamp.unlink()
    stamp.mkdir()
    assert not stamps.is_fresh(layout, "gen", "key")
    stamp.rmdir()
    (tmp_path / "elsewhere").write_text("key")
    stamp.symlink_to(tmp_path / "elsewhere")
    assert not stamps.is_fresh(layout, "gen", "key")
    stamp.unlink()
    stamp.write_text("key" + "x" * 10_000_000)
    assert not stamps.is_fresh(layout, "gen", "key")
    stamps.record(layout, "gen", "key")
    assert stamps.is_fresh(layout, "gen", "key")
    assert (tmp_path / "elsewhere").read_text() == "key"


def test_digest_does_not_block_on_a_fifo(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "buf.yaml")  # no writer: reading it would wait forever
    first = stamps.digest_files([tmp_path / "buf.yaml"], tmp_path)
    assert first == stamps.digest_files([tmp_path / "buf.yaml"], tmp_path)
