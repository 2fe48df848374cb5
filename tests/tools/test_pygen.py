# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO
from tools import deps
from tools import pygen
from tools import toolchain

INSTALLED = REPO / "tools" / "pygen"
PIN = deps.load(REPO / "DEPS").version("python_gen", "grpcio-tools")
HERE = toolchain.interpreter()


def fake_install(folder: Path, version: str = PIN) -> Path:
    staged = folder.with_name("staged")
    (staged / "grpc_tools").mkdir(parents=True)
    pygen.swap_in(staged, folder, version, HERE)
    return folder


def test_an_install_fits_its_pin_and_interpreter_only(tmp_path: Path) -> None:
    folder = fake_install(tmp_path / "tools" / "pygen")
    assert pygen.fits(folder, PIN, HERE)
    assert not pygen.fits(folder, "1.73.0", HERE)
    assert not pygen.fits(folder, PIN, {"version": "3.12.0", "executable": "/usr/bin/python3.12"})
    # Another 3.11 from elsewhere (another user's, Debian's) loads the same module.
    minor = ".".join(HERE["version"].split(".")[:2])
    assert pygen.fits(folder, PIN, {"version": f"{minor}.0", "executable": "/usr/bin/python3"})


@pytest.mark.parametrize(
    "record", ["", "not json", "[1, 2]", json.dumps({pygen.PACKAGE: PIN})], ids=repr
)
def test_a_damaged_record_means_not_installed(tmp_path: Path, record: str) -> None:
    folder = fake_install(tmp_path / "tools" / "pygen")
    (folder / pygen.RECORD).write_text(record)
    assert not pygen.fits(folder, PIN, HERE)


def test_a_record_without_the_compiler_means_not_installed(tmp_path: Path) -> None:
    folder = fake_install(tmp_path / "tools" / "pygen")
    (folder / "grpc_tools").rmdir()
    assert not pygen.fits(folder, PIN, HERE)


def test_swap_in_replaces_the_old_install(tmp_path: Path) -> None:
    folder = fake_install(tmp_path / "tools" / "pygen", "1.73.0")
    (folder / "leftover").write_text("")
    fake_install(folder)
    assert pygen.fits(folder, PIN, HERE)
    assert not (folder / "leftover").exists()


@pytest.mark.skipif(not (INSTALLED / "grpc_tools").is_dir(), reason="./build.py tools not run")
def test_the_compiler_runs_apart_from_the_tools_venv(tmp_path: Path) -> None:
    """The tools venv holds a newer grpcio-tools, and PYTHONPATH may name
    anything: neither is what the command runs."""
    decoy = tmp_path / "grpc_tools"
    decoy.mkdir()
    (decoy / "__init__.py").write_text("raise SystemExit('the decoy was imported')\n")
    proc = subprocess.run(
        pygen.command(REPO / "tools" / "venv" / "bin" / "python", INSTALLED, ["--version"]),
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    tools_version = subprocess.run(
        [str(REPO / "tools" / "venv" / "bin" / "python"), "-m", "grpc_tools.protoc", "--version"],
        capture_output=True,
        text=True,
    ).stdout
    assert proc.stdout.startswith("libprotoc ") and proc.stdout != tools_version
