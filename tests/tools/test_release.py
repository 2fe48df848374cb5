# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest

from core.layout import Layout
from tests.conftest import REPO
from tests.conftest import output_of
from tests.conftest import task_context
from tools import release
from tools.errors import BuildError
from tools.tasks import release as release_task

LAYOUT = Layout(REPO)


def _zip(path: Path, entries: dict[str, tuple[bytes, tuple[int, ...]]]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, (data, when) in entries.items():
            z.writestr(zipfile.ZipInfo(name, when), data)  # type: ignore[arg-type]
    return path


def test_first_difference_names_the_entry(tmp_path: Path) -> None:
    a = _zip(tmp_path / "a.whl", {"x.py": (b"1", (2026, 1, 1, 0, 0, 0))})
    same = _zip(tmp_path / "same.whl", {"x.py": (b"1", (2026, 1, 1, 0, 0, 0))})
    later = _zip(tmp_path / "later.whl", {"x.py": (b"1", (2026, 1, 2, 0, 0, 0))})
    other = _zip(tmp_path / "other.whl", {"x.py": (b"2", (2026, 1, 1, 0, 0, 0))})
    assert release.first_difference(a, same) is None
    assert (release.first_difference(a, later) or "").startswith("x.py: time or mode differs")
    assert release.first_difference(a, other) == "x.py: contents differ"


def test_a_version_file_without_a_version_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "py" / "turboci").mkdir(parents=True)
    (tmp_path / "py" / "turboci" / "_version.py").write_text("VERSION = '1'\n")
    with pytest.raises(BuildError) as info:
        release.version(Layout(tmp_path))
    assert info.value.message == 'py/turboci/_version.py: no `__version__ = "X.Y.Z"` line'


def _sdist(path: Path, files: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_an_artifact_without_a_proto_is_refused(tmp_path: Path) -> None:
    meta = b"Metadata-Version: 2.4\nName: turboci-proto\nVersion: 1.0.0\nRequires-Dist: protobuf\n"
    wheel = tmp_path / "w.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr("turboci_proto-1.0.0.dist-info/METADATA", meta)
        z.writestr("turboci/a.proto", b"")
    sdist = _sdist(
        tmp_path / "s.tar.gz",
        {"turboci_proto-1.0.0/PKG-INFO": meta, "turboci_proto-1.0.0/turboci/a.proto": b""},
    )
    rel = release.Release("1.0.0", "0", sdist, wheel)
    release.check_metadata(rel, {"turboci/a.proto"})
    with pytest.raises(BuildError) as info:
        release.check_metadata(rel, {"turboci/a.proto", "turboci/b.proto"})
    assert info.value.message == "w.whl: lacks 1 file(s) of the package, e.g. turboci/b.proto"
    with pytest.raises(BuildError) as info:
        release.check_metadata(release.Release("2.0.0", "0", sdist, wheel), set())
    assert info.value.message == "s.tar.gz: no turboci_proto-2.0.0/PKG-INFO"


@pytest.mark.slow  # three setuptools builds, twice
def test_two_releases_are_byte_identical_and_the_sdist_carries_the_protos(
    tmp_path: Path,
) -> None:
    one = release.build(LAYOUT, tmp_path / "one", lambda _: None)
    two = release.build(LAYOUT, tmp_path / "two", lambda _: None)
    assert one.sdist.read_bytes() == two.sdist.read_bytes()
    assert one.wheel.read_bytes() == two.wheel.read_bytes()
    protos = {p.relative_to(REPO).as_posix() for p in (REPO / "turboci").rglob("*.proto")}
    with tarfile.open(one.sdist) as tar:
        top = f"turboci_proto-{one.version}/"
        assert protos <= {m.name.removeprefix(top) for m in tar.getmembers()}
        assert all(m.mtime == int(one.epoch) and m.uid == 0 for m in tar.getmembers())
    with zipfile.ZipFile(one.wheel) as z:
        assert protos <= set(z.namelist())
        # Packages named like packaging folders (turboci/data/build) are there too.
        assert "turboci/data/build/v1/build_check_result_pb2.py" in z.namelist()
        assert release.package_files(LAYOUT) <= set(z.namelist())


def _checkout(root: Path) -> Path:
    """The parts of the repository a release reads, committed."""
    for part in ("py", "turboci"):
        shutil.copytree(
            REPO / part,
            root / part,
            ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"),
        )
    shutil.copy(REPO / "DEPS", root / "DEPS")
    for cmd in (
        ["git", "init", "-q"],
        ["git", "add", "-A"],
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"],
    ):
        subprocess.run(cmd, cwd=root, check=True)
    return root


@pytest.mark.slow
def test_the_task_writes_dist_and_never_through_a_link_outside(tmp_path: Path) -> None:
    root = _checkout(tmp_path / "repo")
    c = task_context(root)
    with pytest.raises(BuildError) as info:  # no CHANGELOG.md: not a release
        release_task.TASK.run(c, argparse.Namespace(unreleased=False))
    assert "(or build with --unreleased)" in info.value.message
    assert not (root / "dist").exists()
    assert release_task.TASK.run(c, argparse.Namespace(unreleased=True)) == 0
    ver = release.version(Layout(root))
    names = sorted(p.name for p in (root / "dist").iterdir())
    assert names == [f"turboci_proto-{ver}-py3-none-any.whl", f"turboci_proto-{ver}.tar.gz"]
    assert "byte-identical" in output_of(c)

    victim = tmp_path / "victim"
    victim.mkdir()
    shutil.rmtree(root / "dist")
    (root / "dist").symlink_to(victim)
    with pytest.raises(BuildError) as info:
        release_task.TASK.run(task_context(root), argparse.Namespace(unreleased=True))
    assert "outside" in info.value.message and info.value.exit_code == 2
    assert list(victim.iterdir()) == []


def test_outside_a_git_checkout_the_release_says_why(tmp_path: Path) -> None:
    (tmp_path / "py" / "turboci").mkdir(parents=True)
    (tmp_path / "py" / "turboci" / "_version.py").write_text('__version__ = "1.0.0"\n')
    with pytest.raises(BuildError) as info:
        release.build(Layout(tmp_path), tmp_path / "scratch", lambda _: None)
    assert info.value.message.startswith("cannot read the last commit's time (")
    assert "a release is cut from a commit of a git checkout" in info.value.message


@pytest.mark.parametrize(
    ("changelog", "problem"),
    [
        ("# Changelog\n\n## 1.2.0 — 2026-12-04\n\n- x\n", None),
        ("# Changelog\n\n## 1.2.0 (unreleased)\n", "CHANGELOG.md:3: the entry of 1.2.0 is not"),
        ("# Changelog\n\n## 1.1.0 — 2026-12-01\n", "CHANGELOG.md: the newest entry is '## 1.1.0"),
    ],
    ids=["dated", "undated", "older"],
)
def test_a_release_needs_a_dated_changelog_entry(
    tmp_path: Path, changelog: str, problem: str | None
) -> None:
    (tmp_path / "CHANGELOG.md").write_text(changelog)
    got = release.changelog_problem(Layout(tmp_path), "1.2.0")
    assert got == problem if problem is None else (got or "").startswith(problem)
