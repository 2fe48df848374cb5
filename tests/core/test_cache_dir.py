# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from core import cache_dir
from core.layout import Layout


@pytest.fixture
def layout(tmp_path: Path) -> Layout:
    (tmp_path / "repo/go").mkdir(parents=True)
    return Layout(tmp_path / "repo")


def test_a_missing_or_real_cache_passes(layout: Layout) -> None:
    cache_dir.check(layout)
    (layout.cache / "staging/txn-1-deadbeef").mkdir(parents=True)
    (layout.cache / "build.lock").write_text("")
    cache_dir.check(layout)


def test_a_symlinked_cache_is_refused_even_inside_the_checkout(layout: Layout) -> None:
    layout.cache.symlink_to(layout.root / "go")
    with pytest.raises(cache_dir.CacheError) as info:
        cache_dir.check(layout)
    assert str(info.value) == (
        f"{layout.cache}: a symlink to {layout.root / 'go'}; refusing to write through it: "
        "the tools' cache and what it holds must be real folders and files of the "
        "checkout (remove the symlink, then run again)"
    )


@pytest.mark.parametrize("name", ["staging", "stamps", "build.lock", "transaction.json"])
def test_a_symlink_directly_in_the_cache_is_refused(
    layout: Layout, tmp_path: Path, name: str
) -> None:
    layout.cache.mkdir()
    (layout.cache / name).symlink_to(tmp_path)
    with pytest.raises(cache_dir.CacheError) as info:
        cache_dir.check(layout)
    assert str(info.value).startswith(
        f"{layout.cache / name}: a symlink to {tmp_path}, which is outside {layout.root}; "
    )


def test_a_cache_that_is_a_file_is_refused_and_removable(layout: Layout) -> None:
    layout.cache.write_text("oops")
    with pytest.raises(cache_dir.CacheError, match=r"^\.cache: not a folder"):
        cache_dir.check(layout)
    assert cache_dir.remove_if_not_folder(layout)
    assert not os.path.lexists(layout.cache)
    layout.cache.symlink_to(layout.root / "go")
    assert not cache_dir.remove_if_not_folder(layout)  # check() names the link instead
    assert layout.cache.is_symlink()


def test_real_folder_refuses_a_symlink_deeper_down(layout: Layout, tmp_path: Path) -> None:
    (layout.cache / "trees").mkdir(parents=True)
    (layout.cache / "trees/abc").symlink_to(tmp_path)
    with pytest.raises(cache_dir.CacheError, match="trees/abc: a symlink to"):
        cache_dir.real_folder(layout, layout.cache / "trees/abc/compile")
    assert cache_dir.real_folder(layout, layout.cache / "trees/new") == layout.cache / "trees/new"


def test_read_regular_refuses_fifos_folders_symlinks_and_big_files(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(cache_dir.NotRegularError, match=r"^a FIFO, not a regular file$"):
        cache_dir.read_regular(fifo, 10)  # would block forever if opened plainly
    with pytest.raises(cache_dir.NotRegularError, match=r"^a folder"):
        cache_dir.read_regular(tmp_path, 10)
    (tmp_path / "file").write_bytes(b"0123456789")
    (tmp_path / "link").symlink_to(tmp_path / "file")
    with pytest.raises(cache_dir.NotRegularError, match=r"^a symlink"):
        cache_dir.read_regular(tmp_path / "link", 10)
    assert cache_dir.read_regular(tmp_path / "file", 10) == b"0123456789"
    with pytest.raises(cache_dir.TooLargeError, match=r"^larger than 9 bytes$"):
        cache_dir.read_regular(tmp_path / "file", 9)
    assert cache_dir.read_or_none(fifo, 10) is None
    assert cache_dir.read_or_none(tmp_path / "missing", 10) is None


def _age(path: Path, seconds: float) -> None:
    then = path.lstat().st_mtime - seconds
    os.utime(path, (then, then), follow_symlinks=False)


def test_only_stale_temp_files_of_our_own_naming_go(layout: Layout, tmp_path: Path) -> None:
    stamps = layout.cache / "stamps"
    (layout.cache / "buf").mkdir(parents=True)
    stamps.mkdir()
    victim = tmp_path / "victim.tmp"
    victim.write_text("not ours")
    stale = stamps / ".breaking.x1y2.tmp"
    young = stamps / ".gen.x1y2.tmp"
    plain = stamps / "gen"
    bufs = layout.cache / "buf/.module.x1y2.tmp"
    link = stamps / ".link.x1y2.tmp"
    for p in (stale, young, plain, bufs):
        p.write_text("x")
    link.symlink_to(victim)
    for p in (stale, plain, bufs, link, victim):
        _age(p, 2 * cache_dir.STALE_SECONDS)
    assert cache_dir.drop_stale_temps(layout) == [stale]
    assert victim.read_text() == "not ours" and link.is_symlink()
    assert young.exists() and plain.exists() and bufs.exists()


def test_no_temp_clean_up_through_a_symlinked_cache(layout: Layout, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    stale = outside / ".gen.x1y2.tmp"
    stale.write_text("x")
    _age(stale, 2 * cache_dir.STALE_SECONDS)
    layout.cache.symlink_to(outside)
    assert cache_dir.drop_stale_temps(layout) == []
    assert stale.exists()


@pytest.mark.parametrize(
    "rel",
    ["compile/sets", "compile/descriptors.sqlite", "trees/0123abcd", "staging/txn-1-abc"],
)
def test_a_symlink_deeper_in_a_cache_folder_is_refused(
    layout: Layout, tmp_path: Path, rel: str
) -> None:
    link = layout.cache / rel
    link.parent.mkdir(parents=True)
    link.symlink_to(tmp_path)
    with pytest.raises(cache_dir.CacheError) as info:
        cache_dir.check(layout)
    assert str(info.value).startswith(f"{link}: a symlink to {tmp_path}, which is outside ")


@pytest.mark.parametrize("rel", ["findings.sqlite", "sets", "sets/ab.binpb"])
def test_a_symlink_in_a_trees_folder_is_refused_when_that_tree_is_used(
    layout: Layout, tmp_path: Path, rel: str
) -> None:
    folder = layout.cache / "trees/0123abcd"
    link = folder / rel
    link.parent.mkdir(parents=True)
    link.symlink_to(tmp_path)
    # Not on every run (that would look into every tree's folder each time)...
    cache_dir.check(layout)
    # ...but before the tools use that tree's cache.
    with pytest.raises(cache_dir.CacheError) as info:
        cache_dir.check_tree(layout, folder)
    assert str(info.value).startswith(f"{link}: a symlink to {tmp_path}, which is outside ")
    cache_dir.check_tree(layout, layout.cache / "trees/fedcba98")  # another tree, not yet made


def test_the_insides_of_a_run_and_of_bufs_cache_are_theirs(layout: Layout, tmp_path: Path) -> None:
    for rel in ("staging/txn-1-abc/new/go", "presubmit/run-x/work", "buf/v3/modules"):
        (layout.cache / rel).mkdir(parents=True)
        (layout.cache / rel / "link").symlink_to(tmp_path)
    cache_dir.check(layout)


def test_caches_of_trees_unused_for_a_week_go(layout: Layout, tmp_path: Path) -> None:
    trees = layout.cache / "trees"
    old, young = trees / "0123456789abcdef", trees / "fedcba9876543210"
    for folder in (old, young):
        (folder / "sets").mkdir(parents=True)
        (folder / "findings.sqlite").write_text("x")
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious").write_text("keep")
    (old / "link").symlink_to(victim)  # rmtree removes the link, not its target
    (trees / "elsewhere").symlink_to(victim)  # a link in trees/ is not a tree's cache
    (trees / "stray-file").write_text("x")
    week = cache_dir.TREE_STALE_SECONDS
    now = time.time()
    for p, age in ((old, week + 60), (trees / "stray-file", week + 60), (young, week - 3600)):
        os.utime(p, (now - age, now - age), follow_symlinks=False)
    os.utime(trees / "elsewhere", (now - 2 * week,) * 2, follow_symlinks=False)
    assert cache_dir.drop_stale_trees(layout) == [old]
    assert young.is_dir() and (trees / "stray-file").exists() and (trees / "elsewhere").is_symlink()
    assert (victim / "precious").read_text() == "keep"


def test_no_tree_clean_up_through_a_symlinked_trees_folder(layout: Layout, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "0123456789abcdef").mkdir(parents=True)
    _age(outside / "0123456789abcdef", 2 * cache_dir.TREE_STALE_SECONDS)
    layout.cache.mkdir()
    (layout.cache / "trees").symlink_to(outside)
    assert cache_dir.drop_stale_trees(layout) == []
    assert (outside / "0123456789abcdef").is_dir()
