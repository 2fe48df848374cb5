# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Which files a run lints."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from core import inputs
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


def test_paths_are_all_that_is_looked_at(tree: Path) -> None:
    write_tree(tree, {"api/a.proto": "", "api/sub/b.proto": "", ".hidden/c.proto": ""})
    os.mkfifo(tree / "api" / "f.proto")
    cfg = Config(protos=("api",), include_only=("api/vendor",))
    # A FIFO elsewhere in the tree does not stop a run limited to other files...
    assert discover.proto_files(tree, cfg, ["api/a.proto", "api/sub"]) == [
        "api/a.proto",
        "api/sub/b.proto",
    ]
    # ...but is refused when it is one of them, or in the whole tree.
    for paths in (["api/f.proto"], []):
        with pytest.raises(inputs.InputError) as refused:
            discover.proto_files(tree, cfg, paths)
        assert refused.value.lines == [
            "api/f.proto: a FIFO, not a regular file; only regular files are read"
        ]
    # Files outside the linted trees, skipped or hidden, are not selected.
    write_tree(tree, {"api/vendor/v.proto": "", "other/o.proto": ""})
    assert discover.proto_files(tree, cfg, ["api/vendor/v.proto", "other/o.proto"]) == []
    assert discover.proto_files(tree, Config(), [".hidden/c.proto"]) == []
    # A folder above the linted trees selects what is in them.
    assert discover.proto_files(tree, Config(protos=("api/sub",)), ["api"]) == ["api/sub/b.proto"]


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


def test_python_files_by_walk_leave_out_the_tools_folders(tree: Path) -> None:
    # What .gitignore leaves out in a checkout: a copy without git must not
    # lint the installed tools.
    write_tree(
        tree,
        {
            "tool.py": PY,
            "tools/venv/lib/site.py": PY,
            "tools/cache/virtualenv/x.py": PY,
            "tools/bin/y.py": PY,
            "build/lib/z.py": PY,
            "tools/tasks/lint.py": PY,
        },
    )
    assert discover.python_files(tree, Config(python=True, python_exclude=())) == [
        "tool.py",
        "tools/tasks/lint.py",
    ]
