# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The one definition of an input: regular .proto files, every odd case refused in one line."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from core import inputs


def _write(root: Path, rel: str, text: str = "") -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_regular_files_under_the_tops_sorted(tmp_path: Path) -> None:
    for rel in ("api/b.proto", "api/a.proto", "api/sub/c.proto", "api/.hidden/d.proto", "x.proto"):
        _write(tmp_path, rel)
    _write(tmp_path, "api/notes.txt")
    assert inputs.find_protos(tmp_path, ["api"]) == (
        "api/a.proto",
        "api/b.proto",
        "api/sub/c.proto",
    )
    assert inputs.find_protos(tmp_path, ["api"], skip=["api/sub"]) == ("api/a.proto", "api/b.proto")
    assert "x.proto" in inputs.find_protos(tmp_path, ["."])
    assert inputs.find_protos(tmp_path, ["missing"]) == ()


def test_a_symlink_to_a_regular_file_is_an_input(tmp_path: Path) -> None:
    target = _write(tmp_path, "elsewhere/t.proto")
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "t.proto").symlink_to(target)
    assert inputs.find_protos(tmp_path, ["api"]) == ("api/t.proto",)


@pytest.mark.parametrize(
    "make, why",
    [
        (lambda p: p.mkdir(), "a folder named like a .proto file"),
        (lambda p: os.mkfifo(p), "a FIFO, not a regular file"),
        (lambda p: p.symlink_to(p), "a symlink loop"),
        (lambda p: p.symlink_to(p.parent / "gone.proto"), "a dangling symlink"),
    ],
)
def test_what_is_not_a_regular_file_is_refused_by_name(tmp_path: Path, make, why: str) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "api").mkdir()
    _write(tmp_path, "api/ok.proto")
    make(tmp_path / "api" / "x.proto")
    with pytest.raises(inputs.InputError) as info:
        inputs.find_protos(tmp_path, ["api"])
    assert len(info.value.lines) == 1
    assert info.value.lines[0].startswith("api/x.proto: ")
    assert why in info.value.lines[0]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder")
def test_an_unreadable_folder_is_reported_not_skipped(tmp_path: Path) -> None:
    locked = tmp_path / "api" / "locked"
    _write(tmp_path, "api/locked/a.proto")
    locked.chmod(0)
    try:
        with pytest.raises(inputs.InputError, match="api/locked: cannot list this folder"):
            inputs.find_protos(tmp_path, ["api"])
    finally:
        locked.chmod(0o755)


def test_a_folder_that_cannot_be_listed_fails_even_as_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Root reads past permission bits, so the refusal is simulated where the
    # walk lists a folder: what matters is that it is reported, not skipped.
    _write(tmp_path, "api/a.proto")
    _write(tmp_path, "api/locked/b.proto")
    real_scandir = os.scandir

    def scandir(path: str) -> object:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(inputs.InputError) as info:
        inputs.find_protos(tmp_path, ["api"])
    assert info.value.lines == [
        "api/locked: cannot list this folder: Permission denied; fix its permissions"
    ]


def test_git_listing_sees_tracked_and_untracked_but_not_ignored(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    _write(tmp_path, ".gitignore", "ignored.txt\n")
    _write(tmp_path, "a.txt")
    _write(tmp_path, "ignored.txt")
    assert inputs.git_listing(tmp_path) == [".gitignore", "a.txt"]
    assert inputs.git_listing(tmp_path / "nowhere") is None


def test_under_any() -> None:
    assert inputs.under_any("a/b.proto", ["a"]) and inputs.under_any("a", ["a/"])
    assert not inputs.under_any("ab/c", ["a"])
    assert inputs.under_any("x", ["."]) and inputs.under_any("x", [""])


def _bad_name(root: Path, rel_dir: str) -> bytes:
    """A proto whose name is not UTF-8 (bytes that os.fsdecode keeps as surrogates)."""
    folder = root / rel_dir
    folder.mkdir(parents=True, exist_ok=True)
    path = os.fsencode(folder) + b"/bad\xffname.proto"
    with open(path, "wb") as fh:
        fh.write(b'syntax = "proto3";\n')
    return path


def test_a_name_that_is_not_utf8_is_refused_escaped_and_the_rest_kept(tmp_path: Path) -> None:
    _write(tmp_path, "api/ok.proto")
    _bad_name(tmp_path, "api")
    with pytest.raises(inputs.InputError) as info:
        inputs.find_protos(tmp_path, ["api"])
    assert info.value.lines == [
        "api/bad\\xffname.proto: the file name is not valid UTF-8; rename it"
    ]
    assert info.value.found == ("api/ok.proto",)


@pytest.mark.parametrize("linked", ["api/data", "api"])
def test_a_symlinked_proto_folder_is_refused_by_name(tmp_path: Path, linked: str) -> None:
    outside = tmp_path / "outside"
    _write(outside, "v1/x.proto")
    _write(tmp_path / "root", "api/ok.proto")
    root = tmp_path / "root"
    if linked == "api":
        (root / "api" / "ok.proto").unlink()
        (root / "api").rmdir()
    (root / linked).symlink_to(outside)
    with pytest.raises(inputs.InputError) as info:
        inputs.find_protos(root, ["api"])
    assert len(info.value.lines) == 1
    assert info.value.lines[0].startswith(f"{linked}: a symlink to the folder {outside}; ")
    assert "replace the link with the folder itself" in info.value.lines[0]
    # A walk that is told to (the Python files, as git sees them) skips it instead.
    walked = inputs.find_files(root, ["."], ".proto", linked_folders=True)
    assert "api/data/v1/x.proto" not in walked


def test_read_regular_reads_files_and_refuses_the_rest_without_blocking(tmp_path: Path) -> None:
    f = _write(tmp_path, "a.toml", "x = 1\n")
    assert inputs.read_regular(f) == b"x = 1\n"
    os.mkfifo(tmp_path / "fifo")  # no writer: a plain open() would wait forever
    with pytest.raises(inputs.NotRegularError) as info:
        inputs.read_regular(tmp_path / "fifo")
    assert str(info.value.strerror).startswith("a FIFO, not a regular file")
    assert info.value.filename == str(tmp_path / "fifo")
    with pytest.raises(IsADirectoryError):
        inputs.read_regular(tmp_path)
    with pytest.raises(inputs.NotRegularError, match="6 bytes, over the 5-byte limit"):
        inputs.read_regular(f, limit=5)
    with pytest.raises(FileNotFoundError):
        inputs.read_regular(tmp_path / "missing")
