# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Which files a run lints."""

from __future__ import annotations

import subprocess
from pathlib import Path

from presubmit import discover
from presubmit.config import Config
from tests.presubmit.helpers import write_tree

PY = "import os\n"


def test_protos_skip_include_only_excluded_and_hidden(tree: Path) -> None:
    write_tree(
        tree,
        {
            "api/a.proto": "",
            "api/sub/b.proto": "",
            "google/api/x.proto": "",
            ".hidden/c.proto": "",
            "other/d.proto": "",
            "api/vendor/e.proto": "",
        },
    )
    cfg = Config(protos=("api", "google"), include_only=("google",), exclude=("api/vendor",))
    assert discover.proto_files(tree, cfg) == ["api/a.proto", "api/sub/b.proto"]
    assert discover.proto_files(tree, cfg, ["api/sub"]) == ["api/sub/b.proto"]
    assert discover.proto_files(tree, Config()) == [
        "api/a.proto",
        "api/sub/b.proto",
        "api/vendor/e.proto",
        "google/api/x.proto",
        "other/d.proto",
    ]


def _python_tree(tree: Path) -> None:
    write_tree(
        tree,
        {
            "tool.py": PY,
            "pkg/mod.py": PY,
            "gen/x_pb2.py": PY,
            "gen/x_pb2_grpc.py": PY,
            "gen/x_pb2.pyi": PY,
            "tools/venv/lib/site.py": PY,
            "bench/corpus/c.py": PY,
            ".cache/k.py": PY,
            "ignored/i.py": PY,
        },
    )


def test_python_files_by_walk(tree: Path) -> None:
    _python_tree(tree)
    assert discover.python_files(tree, Config(python=True)) == [
        "ignored/i.py",
        "pkg/mod.py",
        "tool.py",
    ]


def test_python_files_by_git_tracked_and_untracked_not_ignored(tree: Path) -> None:
    _python_tree(tree)
    (tree / ".gitignore").write_text("/ignored/\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=tree, check=True)
    subprocess.run(["git", "add", "tool.py"], cwd=tree, check=True)
    (tree / "gone.py").write_text(PY, encoding="utf-8")
    subprocess.run(["git", "add", "gone.py"], cwd=tree, check=True)
    (tree / "gone.py").unlink()  # tracked but deleted: nothing to read
    assert discover.python_files(tree, Config(python=True)) == ["pkg/mod.py", "tool.py"]
    assert discover.python_files(tree, Config(python=True), ["pkg"]) == ["pkg/mod.py"]
