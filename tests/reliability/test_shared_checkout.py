# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""A checkout another user built, that this user can read but not write:
the read-only tasks work and write nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from core import files
from tests.conftest import add_tooling
from tests.conftest import build_env
from tests.conftest import make_api_tree
from tests.conftest import run_build

NOBODY = 65534
READ_ONLY_TASKS = [
    ("lint",),
    ("gen", "--check"),
    ("docs", "--check"),
    ("format", "--check"),
]


def _as_other_user() -> list[str] | None:
    """The command prefix that runs a program as a user who cannot write the
    checkout: none needed when not root (the checkout is made read-only);
    as root, setpriv to nobody (root's writes ignore permission bits)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    return [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]


def _python_for_everyone() -> str | None:
    """A Python of this minor version that every user can run: the tools
    venv's own may live in its owner's home (pyenv under a 0700 /root)."""
    for candidate in ("/usr/bin/python3", "/usr/local/bin/python3"):
        if not os.access(candidate, os.X_OK):
            continue
        proc = subprocess.run(
            [candidate, "-c", "import sys; print(sys.version_info[:2] == (3, 11), sys.prefix)"],
            capture_output=True,
            text=True,
        )
        ok, _, prefix = proc.stdout.strip().partition(" ")
        if ok == "True" and not prefix.startswith("/root") and sys.version_info[:2] == (3, 11):
            return candidate
    return None


def _venv_for_everyone(root: Path, python: str) -> None:
    """Replace the checkout's link to the tools venv with a venv of `python`
    that reads the tools venv's packages: what an owner who installed the
    tools from a Python every user can read has (README, Guarantees)."""
    tools_venv = Path(sys.prefix)
    venv = root / "tools" / "venv"
    venv.unlink()
    subprocess.run([python, "-m", "venv", "--without-pip", str(venv)], check=True)
    (site,) = (venv / "lib").glob("python3*/site-packages")
    (tools_site,) = (tools_venv / "lib").glob("python3*/site-packages")
    (site / "tools_venv.pth").write_text(f"{tools_site}\n")
    old_shebang = f"#!{tools_venv / 'bin' / 'python'}".encode()
    for entry in (tools_venv / "bin").iterdir():
        mine = venv / "bin" / entry.name
        if os.path.lexists(mine):
            continue
        head = entry.read_bytes()[:200] if entry.is_file() else b""
        if head.startswith(old_shebang):  # a console script: run by this venv's Python
            body = entry.read_bytes().split(b"\n", 1)[1]
            mine.write_bytes(f"#!{venv / 'bin' / 'python'}\n".encode() + body)
            mine.chmod(0o755)
        else:
            mine.symlink_to(entry)


def _state(root: Path) -> dict[str, tuple[int, int]]:
    """Every path under root (caches included) with its size and mtime."""
    return {
        p.relative_to(root).as_posix(): (p.lstat().st_size, p.lstat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if ".git" not in p.relative_to(root).parts
    }


@pytest.fixture(params=["copies", "no copies"])
def shared_checkout(request: pytest.FixtureRequest) -> Iterator[tuple[Path, Path, list[str]]]:
    """(checkout, the other user's HOME, how to run as them): a checkout built
    by its owner (umask 022), then made unwritable for the other user, with
    the google/ copies its build wrote or without (a fresh clone's state),
    and without stamps (so every task does its work)."""
    prefix = _as_other_user()
    if prefix is None:
        pytest.skip("running as root without setpriv: no user to whom the checkout is read-only")
    # Under /tmp itself: pytest's own temp folders are closed to other users.
    base = Path(tempfile.mkdtemp(prefix="turboci-shared-"))
    try:
        root = make_api_tree(base / "repo")
        add_tooling(root)
        if prefix:
            python = _python_for_everyone()
            if python is None:
                pytest.skip("no Python 3.11 here that another user can run")
            _venv_for_everyone(root, python)
        umask = os.umask(0o022)
        try:
            # The record as the owner's tool install writes it (a new file).
            record = root / "tools" / "installed.json"
            data = record.read_bytes()
            record.unlink()
            files.write_atomic(record, data, root)
            built = run_build(root, "all")
        finally:
            os.umask(umask)
        assert built.returncode == 0, built.stdout + built.stderr
        if request.param == "no copies":
            for copy in (root / "google").rglob("*.proto"):
                copy.unlink()
        shutil.rmtree(root / ".cache" / "stamps")
        home = base / "home"
        home.mkdir()
        for path in [base, *base.rglob("*")]:
            if path.is_symlink():
                continue
            mode = path.stat().st_mode
            if prefix:  # another user: only the way to the files is opened, not the files
                if path.is_dir():
                    path.chmod(mode | 0o555)
            elif path != home and home not in path.parents:
                path.chmod(mode & ~0o222)
        if prefix:
            os.chown(home, NOBODY, NOBODY)
        yield root, home, prefix
    finally:
        for path in [base, *base.rglob("*")]:
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(base, ignore_errors=True)


def _run(root: Path, home: Path, prefix: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    env = build_env()
    env["HOME"] = str(home)
    env.pop("XDG_CONFIG_HOME", None)
    env.pop("GIT_CONFIG_GLOBAL", None)
    return subprocess.run(
        [*prefix, str(root / "tools" / "venv" / "bin" / "python"), str(root / "build.py"), *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )


@pytest.mark.slow
def test_read_only_tasks_work_on_a_checkout_the_user_cannot_write(
    shared_checkout: tuple[Path, Path, list[str]],
) -> None:
    root, home, prefix = shared_checkout
    before = _state(root)
    for task in READ_ONLY_TASKS:
        proc = _run(root, home, prefix, *task)
        assert proc.returncode == 0, (task, proc.stdout + proc.stderr)
        assert "Traceback" not in proc.stderr
    assert _state(root) == before, "a read-only task wrote into the checkout"


@pytest.mark.slow
def test_breaking_on_another_users_checkout_says_how_git_can_read_it(
    shared_checkout: tuple[Path, Path, list[str]],
) -> None:
    root, home, prefix = shared_checkout
    if not prefix:
        pytest.skip("git refuses only a checkout owned by another user")
    before = _state(root)
    proc = _run(root, home, prefix, "breaking")
    # Not a skip that passes: git would not read the checkout.
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"error: {root}: git refuses a checkout owned by another user; to compare with "
        f"upstream, trust it: git config --global --add safe.directory {root}"
    ]
    assert _state(root) == before
