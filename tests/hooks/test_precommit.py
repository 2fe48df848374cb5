# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The hooks of .pre-commit-hooks.yaml, run by pre-commit itself on a scratch
repository, as another project runs them.

`pre-commit try-repo` installs this checkout (its committed state plus
changes to tracked files) into a fresh virtualenv with pip, from PyPI, so
this test needs the network, as the tool install does.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from core.layout import REPO

MESSY = (
    'syntax="proto3";\npackage a.v1;\nimport "google/api/field_behavior.proto";\n'
    "service S { rpc R(M) returns (M); }\nmessage   M {int32 y=1;}\n"
)
CLEAN_SERVICE = (
    'syntax = "proto3";\n\npackage a.v1;\n\nimport "a/v1/m.proto";\n\n'
    "service S {\n  rpc R(M) returns (M);\n}\n"
)
CLEAN_MESSAGE = 'syntax = "proto3";\n\npackage a.v1;\n\nmessage M {\n  int32 y = 1;\n}\n'


def _env(tmp: Path) -> dict[str, str]:
    home = tmp / "home"
    scratch = tmp / "tmp"
    home.mkdir(exist_ok=True)
    scratch.mkdir(exist_ok=True)
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        # try-repo keeps its store (the hook's virtualenv) in a temp folder.
        "TMPDIR": str(scratch),
        "PRE_COMMIT_HOME": str(tmp / "pre-commit"),
        # Downloads are cached with the tool install's, inside the repo.
        "PIP_CACHE_DIR": str(REPO.tool_cache / "pip"),
        "VIRTUALENV_OVERRIDE_APP_DATA": str(REPO.tool_cache / "virtualenv"),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_CONFIG_NOSYSTEM": "1",
    }


def _git(repo: Path, env: dict[str, str], *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def _try_repo(repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(REPO.venv_bin("pre-commit")), "try-repo", str(REPO.root), "--all-files"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.slow  # pip installs the hooks into a fresh virtualenv
def test_hooks_through_pre_commit(tmp_path: Path) -> None:
    env = _env(tmp_path)
    repo = tmp_path / "repo"
    (repo / "a" / "v1").mkdir(parents=True)
    (repo / "a" / "v1" / "s.proto").write_text(MESSY)
    _git(repo, env, "init", "-q")
    _git(repo, env, "add", ".")
    _git(repo, env, "commit", "-qm", "a service and a message in one file")

    first = _try_repo(repo, env)
    assert first.returncode == 1, first.stdout + first.stderr
    report = first.stdout
    # The format hook rewrote the file, and pre-commit noticed.
    assert "- hook id: turboci-proto-format" in report
    assert "formatted a/v1/s.proto" in report
    assert "files were modified by this hook" in report
    # The check-only hook runs after it, on the rewritten file: it passes.
    assert re.search(r"check proto formatting \(buf format\)\.+Passed", report), report
    formatted = (repo / "a" / "v1" / "s.proto").read_text()
    assert "message M {\n  int32 y = 1;\n}\n" in formatted
    # The lint hook ran the portable rules, with google/api resolved from
    # the installed googleapis-common-protos.
    assert "a/v1/s.proto:8:1: SERVICE_FILE_ALONE message M shares a file with service S" in report

    (repo / "a" / "v1" / "s.proto").write_text(CLEAN_SERVICE)
    (repo / "a" / "v1" / "m.proto").write_text(CLEAN_MESSAGE)
    _git(repo, env, "add", ".")
    _git(repo, env, "commit", "-qm", "the message in its own file")
    second = _try_repo(repo, env)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "turboci-proto rules)" in second.stdout and "Passed" in second.stdout

    # Nothing lands in HOME: pre-commit's own files go to PRE_COMMIT_HOME and
    # buf format gets a cache folder that is removed after. (.rustup is
    # written by this machine's Python whenever a virtualenv is created.)
    left = [p.name for p in (tmp_path / "home").iterdir() if p.name != ".rustup"]
    assert left == []
