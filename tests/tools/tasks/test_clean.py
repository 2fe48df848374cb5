# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

from __future__ import annotations

import io
from pathlib import Path

from core.layout import Layout
from tests.conftest import snapshot
from tests.conftest import task_context
from tools.engine.context import Context
from tools.tasks import clean
from tools.tasks import gen


def test_clean_removes_caches_and_copies_but_no_tracked_file(api_tree: Path) -> None:
    gen.gen(task_context(api_tree))
    assert (api_tree / ".cache").is_dir()
    assert (api_tree / "google/api/field_behavior.proto").exists()
    kept = {k: v for k, v in snapshot(api_tree).items() if not k.startswith("google/")}
    out = io.StringIO()
    clean.clean(task_context(api_tree, out))
    assert not (api_tree / ".cache").exists()
    assert not (api_tree / "google/api/field_behavior.proto").exists()
    assert snapshot(api_tree) == kept
    assert "removed .cache/" in out.getvalue()


def test_clean_tools_removes_links_but_never_what_they_point_to(tmp_path: Path) -> None:
    # Never the real tools: a shared venv of its own, linked in.
    shared = tmp_path / "shared-venv"
    (shared / "bin").mkdir(parents=True)
    (shared / "bin" / "buf").write_text("")
    tools = tmp_path / "repo" / "tools"
    tools.mkdir(parents=True)
    (tools / "venv").symlink_to(shared)
    (tools / "bin").mkdir()
    (tools / "bin" / "protoc-gen-go").write_text("")
    (tools / "installed.json").write_text("{}\n")
    (tools / "pygen" / "grpc_tools").mkdir(parents=True)
    gomod = tools / "cache" / "gomod" / "example.com" / "m@v1.0.0"
    gomod.mkdir(parents=True)
    (gomod / "go.mod").write_text("module example.com/m\n")
    gomod.chmod(0o555)  # Go keeps its module cache read-only
    out = io.StringIO()
    clean.clean(Context(out=out, layout=Layout(tmp_path / "repo")), tools=True)
    assert (shared / "bin" / "buf").exists()
    assert list(tools.iterdir()) == []
    assert "removed tools/venv (a symlink; its target was left alone)" in out.getvalue()
    assert "removed tools/cache/" in out.getvalue()
