# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""§3: nothing is written outside the checkout, whatever its symlinks say, and the
tools' own caches stay in tools/cache."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

from tests.conftest import build_env
from tests.reliability import support

Build = Callable[..., subprocess.CompletedProcess[str]]
WORK_PLAN_ID = f"{support.IDS}/work_plan_id.proto"


def _refusal(proc: subprocess.CompletedProcess[str], link: Path, target: Path) -> None:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.startswith(f"error: {link}: a symlink to {target}, which is outside "), (
        proc.stderr
    )
    assert "refusing to write through it" in proc.stderr
    assert len(proc.stderr.splitlines()) == 1, proc.stderr


def test_gen_refuses_a_symlinked_folder_under_go(
    build_copy: Build, api_tree: Path, tmp_path: Path
) -> None:
    assert build_copy("gen").returncode == 0
    outside = tmp_path / "outside"
    (api_tree / "go/graph/ids").rename(outside)
    (api_tree / "go/graph/ids").symlink_to(outside)
    before = {p: p.read_bytes() for p in outside.rglob("*") if p.is_file()}
    proto = api_tree / WORK_PLAN_ID
    proto.write_text(proto.read_text().replace("realm", "realm_name"))
    proc = build_copy("gen")
    _refusal(proc, api_tree / "go/graph/ids", outside)
    assert {p: p.read_bytes() for p in outside.rglob("*") if p.is_file()} == before


def test_every_task_refuses_a_cache_folder_that_leads_out(
    build_copy: Build, api_tree: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "keep").write_text("not ours")
    (api_tree / ".cache").symlink_to(outside)
    for args in (("clean",), ("lint",), ("gen",), ("all",)):
        proc = build_copy(*args)
        _refusal(proc, api_tree / ".cache", outside)
    assert sorted(p.name for p in outside.iterdir()) == ["keep"]
    assert (outside / "keep").stat().st_mode & 0o777 == 0o644


def test_format_and_lint_fix_refuse_a_proto_that_is_a_symlink_out(
    build_copy: Build, api_tree: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "shared.proto"
    text = (
        (api_tree / WORK_PLAN_ID)
        .read_text()
        .replace("message WorkPlanId", "message SharedId")
        .replace("package turboci.graph.ids.v1;", "package   turboci.graph.ids.v1;")
        .replace("Next ID: 3", "Next ID = 3")
    )
    outside.write_text(text)
    link = api_tree / support.IDS / "shared.proto"
    link.symlink_to(outside)
    for args in (("format",), ("lint", "--fix")):
        proc = build_copy(*args)
        _refusal(proc, link, outside)
        assert outside.read_text() == text
    # A foreign tree (--root) is confined to itself the same way.
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    elsewhere = tmp_path / "a.proto"
    elsewhere.write_text('syntax = "proto3";\n\npackage acme.v1;\n\n// Next ID = 1\nmessage A {}\n')
    (foreign / "a.proto").symlink_to(elsewhere)
    proc = build_copy("lint", "--fix", "--root", str(foreign))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"{foreign / 'a.proto'}: a symlink to {elsewhere}, which is outside" in proc.stderr
    assert "Next ID = 1" in elsewhere.read_text()


def test_all_leaves_home_and_tmpdir_empty(
    build_copy: Build, api_tree: Path, tmp_path: Path
) -> None:
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    tmp.mkdir()
    env = dict(build_env(), HOME=str(home), TMPDIR=str(tmp))
    env.pop("XDG_CONFIG_HOME", None)
    env.pop("XDG_CACHE_HOME", None)
    env.pop("BUF_CACHE_DIR", None)
    env.pop("GOPATH", None)
    # Everything runs: a change for gen and docs, and a go.mod to tidy.
    proc = build_copy("all", env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proto = api_tree / WORK_PLAN_ID
    proto.write_text(proto.read_text().replace("realm", "realm_name"))
    proc = build_copy("all", env=env)
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    assert list(home.rglob("*")) == []
    assert list(tmp.rglob("*")) == []
    assert (api_tree / "go/graph/ids/v1/work_plan_id.pb.go").exists()
    assert not os.path.exists(api_tree / ".cache/transaction.json")
