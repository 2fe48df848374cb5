# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""§4: ordinary bad input is one line saying what is wrong, exit 1 or 2; never a
traceback, an "internal error" (exit 3) or a hang."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import build_env
from tests.reliability import support

Build = Callable[..., subprocess.CompletedProcess[str]]
Setup = Callable[[Path], None]
AS_ROOT = os.geteuid() == 0
X = f"{support.IDS}/x.proto"


def _folder_named_proto(root: Path) -> None:
    (root / X).mkdir()


def _symlink_loop(root: Path) -> None:
    (root / X).symlink_to(root / X)


def _fifo(root: Path) -> None:
    os.mkfifo(root / X)


def _deps_folder(root: Path) -> None:
    (root / "DEPS").unlink()
    (root / "DEPS").mkdir()


def _toml(text: str) -> Setup:
    def setup(root: Path) -> None:
        (root / "presubmit.toml").write_text(text)

    return setup


CASES: dict[str, tuple[Setup, tuple[str, ...], str]] = {
    "folder named x.proto": (
        _folder_named_proto,
        ("gen",),
        f"error: {X}: a folder named like a .proto file; rename it",
    ),
    "symlink loop": (_symlink_loop, ("lint",), f"error: {X}: a symlink loop"),
    "FIFO to gen": (_fifo, ("gen",), f"error: {X}: a FIFO, not a regular file"),
    "FIFO to lint --root": (_fifo, ("lint", "--root", "turboci"), "error: "),
    "DEPS a folder": (_deps_folder, ("gen",), "error: DEPS"),
    "protos = ['/']": (_toml('protos = ["/"]\n'), ("lint",), "{root}/presubmit.toml:1:1: "),
    "max_file_bytes = true": (
        _toml("max_file_bytes = true\n"),
        ("lint",),
        "{root}/presubmit.toml:1:1: 'max_file_bytes' must be a positive integer",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_one_clean_line(build_copy: Build, api_tree: Path, case: str) -> None:
    setup, args, first = CASES[case]
    setup(api_tree)
    proc = support.start(api_tree, *args)
    try:
        _, err = proc.communicate(timeout=60)  # a FIFO must not hang the run
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        raise AssertionError(f"{case}: build.py hung") from None
    assert proc.returncode in (1, 2), err
    assert "Traceback" not in err and "internal error" not in err, err
    assert len(err.splitlines()) == 1, err
    assert err.startswith(first.replace("{root}", str(api_tree))), err


def test_deps_unreadable(build_copy: Build, api_tree: Path) -> None:
    if AS_ROOT:
        pytest.skip("root reads any file")
    (api_tree / "DEPS").chmod(0)
    proc = build_copy("gen")
    assert proc.returncode in (1, 2)
    assert proc.stderr.startswith("error: DEPS") and len(proc.stderr.splitlines()) == 1


def test_installed_json_of_the_wrong_types_is_not_an_error(
    build_copy: Build, api_tree: Path
) -> None:
    record = api_tree / "tools" / "installed.json"
    data = json.loads(record.read_text())
    data.update({"stray": [1, 2], "other": "x", "numbers": {"a": 1}})
    data["go_tools"]["example.com/not/a/pin"] = 7
    record.write_text(json.dumps(data))
    proc = build_copy("lint")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # nothing was installed again
    # A section of the wrong type: its pins count as not installed (pip finds
    # them present), never as an error.
    data["python"] = ["not", "a", "table"]
    record.write_text(json.dumps(data))
    proc = build_copy("tools")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("installing ")
    assert isinstance(json.loads(record.read_text())["python"], dict)


def test_corrupt_and_empty_compile_cache_entries_are_rebuilt(
    build_copy: Build, api_tree: Path
) -> None:
    assert build_copy("lint").returncode == 0
    # A lint that reads the cache (the first compiled everything) leaves the
    # shared descriptor set for buf; the stamp would skip it.
    shutil.rmtree(api_tree / ".cache" / "stamps")
    assert build_copy("lint").returncode == 0
    compile_cache = api_tree / ".cache" / "compile"
    db = sqlite3.connect(compile_cache / "descriptors.sqlite")
    with db:
        keys = [k for (k,) in db.execute("SELECT key FROM entries ORDER BY key")]
        assert len(keys) >= 4
        db.execute("UPDATE entries SET payload = x'' WHERE key = ?", keys[:1])
        db.execute(
            "UPDATE entries SET payload = substr(payload, 1, length(payload) - 3) || 'xyz' "
            "WHERE key != ?",
            keys[:1],
        )
    db.close()
    # The descriptor set written for the tools (buf lint reads it): truncated.
    sets = list((compile_cache / "sets").glob("*.binpb"))
    assert sets
    for written in sets:
        written.write_bytes(written.read_bytes()[:-3])
    proc = build_copy("gen")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    # Dropped and rebuilt: valid entries again, so a rerun is quiet too.
    again = build_copy("gen", "--check")
    assert again.returncode == 0 and again.stderr == ""


def test_a_stamp_that_is_not_utf8_is_just_stale(build_copy: Build, built_tree: Path) -> None:
    stamps = list((built_tree / ".cache" / "stamps").iterdir())
    assert stamps
    for stamp in stamps:
        stamp.write_bytes(b"\xff\xfe\x00garbage")
    proc = build_copy("all")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr


def test_lint_fix_on_a_read_only_file(build_copy: Build, api_tree: Path) -> None:
    path = api_tree / support.IDS / "work_plan_id.proto"
    path.write_text(path.read_text().replace("Next ID: 3", "Next ID = 3"))
    path.chmod(0o444)
    proc = build_copy("lint", "--fix")
    # The file is replaced like any other (its mode kept), or refused in one line.
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    if proc.returncode == 0:
        assert "Next ID: 3" in path.read_text()
        assert path.stat().st_mode & 0o777 == 0o444
    else:
        assert proc.returncode in (1, 2) and len(proc.stderr.splitlines()) == 1


@contextlib.contextmanager
def read_only(paths: list[Path], flat: tuple[Path, ...] = ()) -> Iterator[None]:
    """Make `paths` (recursively) and `flat` (alone) unwritable, even for root (chattr +i)."""
    if AS_ROOT and shutil.which("chattr") is None:
        pytest.skip("root writes into read-only folders, and there is no chattr")
    tool, on, off = ("chattr", "+i", "-i") if AS_ROOT else ("chmod", "a-w", "u+w")

    def apply(flag: str) -> subprocess.CompletedProcess[bytes]:
        deep = subprocess.run([tool, "-R", flag, *map(str, paths)], capture_output=True)
        if deep.returncode or not flat:
            return deep
        return subprocess.run([tool, flag, *map(str, flat)], capture_output=True)

    made = apply(on)
    if made.returncode != 0:
        apply(off)
        pytest.skip(f"{tool} does not work here: {made.stderr!r}")
    try:
        yield
    finally:
        apply(off)


def _everything_but_tools(root: Path) -> list[Path]:
    return [p for p in root.iterdir() if p.name != "tools"]


@pytest.mark.parametrize("folder", ["go", "docs"])
def test_a_read_only_output_folder(build_copy: Build, built_tree: Path, folder: str) -> None:
    proto = built_tree / support.IDS / "work_plan_id.proto"
    proto.write_text(proto.read_text().replace("realm", "realm_name"))
    before = support.generated(built_tree)
    with read_only([built_tree / folder]):
        proc = build_copy("all")
    assert proc.returncode in (1, 2)
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert len(proc.stderr.splitlines()) == 1, proc.stderr
    assert ": cannot replace it: " in proc.stderr and "nothing was changed" in proc.stderr
    # Under `all` the stubs and the docs are one transaction: neither changed.
    assert support.generated(built_tree) == before


def test_a_read_only_checkout_reads_and_refuses_writes(
    build_copy: Build, built_tree: Path, tmp_path: Path
) -> None:
    proto = built_tree / support.IDS / "work_plan_id.proto"
    proto.write_text(proto.read_text().replace("realm", "realm_name"))
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = dict(build_env(), TMPDIR=str(tmp))
    with read_only(_everything_but_tools(built_tree), flat=(built_tree, built_tree / "tools")):
        assert build_copy("lint", env=env).returncode == 0
        for check in (("gen", "--check"), ("docs", "--check")):
            proc = build_copy(*check, env=env)
            assert proc.returncode == 1, proc.stderr
            assert "out of date" in proc.stderr.splitlines()[-1]
        proc = build_copy("gen", env=env)
        assert proc.returncode == 2
        assert proc.stderr.startswith("error: .cache: cannot take the build lock: ")
        assert len(proc.stderr.splitlines()) == 1
    assert list(tmp.iterdir()) == []  # the fallbacks clean up after themselves
