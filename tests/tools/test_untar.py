# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from tools import untar
from tools.errors import BuildError

# By hand everywhere; with filter="data" where this Python has it (3.11.4+).
WAYS = [False, *([True] if untar.has_filter() else [])]


def member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    return info


def make_tar(path: Path, *members: tarfile.TarInfo, data: bytes = b"syntax = 'proto3';\n") -> Path:
    with tarfile.open(path, "w") as tar:
        for info in members:
            if info.isreg():
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            else:
                tar.addfile(info)
    return path


def tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): ("dir" if p.is_dir() else p.read_text())
        for p in sorted(root.rglob("*"))
    }


@pytest.mark.parametrize("use_filter", WAYS)
def test_files_and_folders_are_unpacked(tmp_path: Path, use_filter: bool) -> None:
    archive = make_tar(
        tmp_path / "a.tar",
        member("./", tarfile.DIRTYPE),
        member("turboci/", tarfile.DIRTYPE),
        member("turboci/a.proto"),
        member("deep/er/b.proto"),  # a folder no member names
    )
    dest = tmp_path / "dest"
    dest.mkdir()
    untar.extract(archive, dest, use_filter=use_filter)
    proto = "syntax = 'proto3';\n"
    assert tree(dest) == {
        "deep": "dir",
        "deep/er": "dir",
        "deep/er/b.proto": proto,
        "turboci": "dir",
        "turboci/a.proto": proto,
    }


HOSTILE = {
    "absolute": (member("/VICTIM/x.proto"), "an absolute name"),
    "dotdot": (member("ok/../../victim/x.proto"), "a name with `..`"),
    "symlink out": (member("link", tarfile.SYMTYPE, "../victim"), "a link (to '../victim')"),
    "hardlink": (member("h", tarfile.LNKTYPE, "/etc/passwd"), "a link"),
    "fifo": (member("f", tarfile.FIFOTYPE), "neither a file nor a folder"),
    "device": (member("d", tarfile.CHRTYPE), "neither a file nor a folder"),
}


@pytest.mark.parametrize("use_filter", WAYS)
@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_member_is_refused_before_anything_is_written(
    tmp_path: Path, case: str, use_filter: bool
) -> None:
    bad, why = HOSTILE[case]
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("mine")
    if bad.name.startswith("/VICTIM"):
        bad.name = str(victim / "x.proto")
    # The link first, then a file through it: what a traversal would look like.
    archive = make_tar(tmp_path / "evil.tar", member("good.proto"), bad, member("link/x.proto"))
    dest = tmp_path / "work" / "dest"
    dest.mkdir(parents=True)
    with pytest.raises(BuildError) as info:
        untar.extract(archive, dest, use_filter=use_filter)
    assert info.value.message.startswith(f"evil.tar: {bad.name!r}: {why}"), info.value.message
    assert "\n" not in info.value.message
    assert list(dest.iterdir()) == []
    assert tree(victim) == {"keep.txt": "mine"}


def test_a_name_given_twice_is_refused_by_hand(tmp_path: Path) -> None:
    archive = make_tar(tmp_path / "twice.tar", member("a.proto"), member("a.proto"))
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(BuildError, match=r"^twice.tar: 'a.proto': cannot be unpacked: "):
        untar.extract(archive, dest, use_filter=False)


def test_not_a_tar_is_one_line(tmp_path: Path) -> None:
    archive = tmp_path / "junk.tar"
    archive.write_bytes(b"\x00garbage" * 100)
    with pytest.raises(BuildError, match=r"^junk.tar: cannot be unpacked: "):
        untar.extract(archive, tmp_path, use_filter=False)


def test_without_the_filter_argument_the_fallback_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Python 3.11.0-3.11.3: no tarfile.data_filter, and extractall() takes no filter.
    monkeypatch.delattr(tarfile, "data_filter", raising=False)

    def old_extractall(*args: object, **kwargs: object) -> None:
        raise TypeError("TarFile.extractall() got an unexpected keyword argument 'filter'")

    monkeypatch.setattr(tarfile.TarFile, "extractall", old_extractall)
    archive = make_tar(tmp_path / "a.tar", member("a.proto"))
    dest = tmp_path / "dest"
    dest.mkdir()
    untar.extract(archive, dest)
    assert tree(dest) == {"a.proto": "syntax = 'proto3';\n"}
