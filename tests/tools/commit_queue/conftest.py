# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""A small repo with history for the presubmit: tooling, API, stubs, docs, tests.

It is built once per session (stubs and docs generated, everything committed
on `main`, then a branch `change` that tracks `main`) and copied for each
test, which commits its change on top and runs `build.py presubmit` as the
commit queue would.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import IDS_PROTO
from tests.conftest import LICENSE_HEADER
from tests.conftest import REPO
from tests.conftest import REQUEST_PROTO
from tests.conftest import SERVICE_PROTO
from tests.conftest import git
from tests.conftest import link_tools
from tests.conftest import run_build
from tests.conftest import scratch_deps

PY_HEADER = LICENSE_HEADER.replace("//", "#")
PYPROJECT = """\
[tool.ruff]
line-length = 100
extend-exclude = ["tools", "core", "presubmit", "build.py", "py", "go", ".cache"]

[tool.mypy]
files = ["tests"]
strict = true

[tool.pytest.ini_options]
testpaths = ["tests"]
"""
TEST_OK = PY_HEADER + "\ndef test_ok() -> None:\n    assert 1 + 1 == 2\n"
PROTO = "turboci/graph/ids/v1/work_plan_id.proto"

Run = Callable[..., subprocess.CompletedProcess[str]]


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def build(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_build(root, *args)


@pytest.fixture(scope="session")
def cq_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cq") / "repo"
    root.mkdir()
    for name in ("buf.yaml", "build.py", "presubmit.toml", "LICENSE"):
        shutil.copy(REPO / name, root / name)
    (root / "DEPS").write_text(scratch_deps())
    ignore = shutil.ignore_patterns(
        "venv", "bin", "cache", "pygen", "__pycache__", "installed.json"
    )
    for package in ("tools", "core", "presubmit"):
        shutil.copytree(REPO / package, root / package, ignore=ignore)
    link_tools(root)
    shutil.copy(REPO / "tools" / "installed.json", root / "tools" / "installed.json")
    ids = "turboci/graph/ids/v1/"
    _write(root, ids + "work_plan_id.proto", LICENSE_HEADER + IDS_PROTO)
    _write(root, ids + "ids_service.proto", LICENSE_HEADER + SERVICE_PROTO)
    for name in ("ResolveRequest", "ResolveResponse"):
        text = LICENSE_HEADER + REQUEST_PROTO.format(name=name)
        _write(root, ids + f"{name[:7].lower()}_{name[7:].lower()}.proto", text)
    _write(root, "pyproject.toml", PYPROJECT)
    _write(root, "tests/__init__.py", PY_HEADER.rstrip() + "\n")
    _write(root, "tests/test_ok.py", TEST_OK)
    _write(root, "README.md", "# A small API\n")
    _write(
        root,
        ".gitignore",
        "/google/**/*.proto\n/.cache/\n/tools/venv\n/tools/bin\n/tools/cache\n"
        "/tools/installed.json\n__pycache__/\n.mypy_cache/\n.ruff_cache/\n",
    )
    git(root, "init", "-q", "-b", "main")
    for task in ("gen", "docs"):
        proc = build(root, task)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    git(root, "add", "-A")
    git(root, "commit", "-qm", "A small API with its stubs and docs")
    git(root, "checkout", "-q", "-b", "change", "--track", "main")
    return root


@pytest.fixture
def cq_repo(cq_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the template, on branch `change` tracking `main`."""
    root = tmp_path / "repo"
    shutil.copytree(cq_template, root, symlinks=True)
    return root


def commit(root: Path, files: dict[str, str | None], message: str) -> None:
    """Write (or with None remove) files and commit them with `message`."""
    for rel, text in files.items():
        if text is None:
            (root / rel).unlink()
        else:
            _write(root, rel, text)
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)


def drop_realm(root: Path) -> str:
    """The work_plan_id.proto text without its `realm` field (a breaking change)."""
    text = (root / PROTO).read_text()
    return text.replace(
        "\n  // The realm that owns the workplan.\n  optional string realm = 2;\n", ""
    ).replace("Next ID: 3", "Next ID: 2")
