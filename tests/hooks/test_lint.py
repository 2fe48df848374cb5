# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""turboci-lint: the lint suite on the repository the hook runs in."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Slow: each test runs the hook as pre-commit does, in a Python process of its own.
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]

SERVICE_AND_MESSAGE = (
    'syntax = "proto3";\n'
    "package a.v1;\n"
    'import "google/api/field_behavior.proto";\n'
    "service S {\n  rpc R(M) returns (M);\n}\n"
    "message M {\n  int32 y = 1 [(google.api.field_behavior) = REQUIRED];\n}\n"
)
PLAIN = 'syntax = "proto3";\npackage b.v1;\nmessage P {\n  int32 y = 1;\n}\n'


def hook(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hooks.lint", *args],
        cwd=cwd,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )


# The portable rules when these tests were written: a rule added later is not in their way.
PORTABLE_AT_WRITING = (
    "--rules",
    "IMPORT_ONE_PER_LINE,NEXT_ID,ONE_SERVICE_PER_PACKAGE,SERVICE_FILE_ALONE,SYNTAX_DECLARED",
)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    for name, text in {
        "proto/a/v1/s.proto": SERVICE_AND_MESSAGE,
        "proto/b/v1/p.proto": PLAIN,
    }.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def test_findings_in_the_files_handed_over(repo: Path) -> None:
    proc = hook(repo, "proto/a/v1/s.proto", "proto/b/v1/p.proto")
    assert proc.returncode == 1, proc.stderr
    assert "proto/a/v1/s.proto:7:1: SERVICE_FILE_ALONE " in proc.stdout
    # Without a presubmit.toml only the portable rules run: no
    # FIELD_EXPLICIT_PRESENCE on P's plain field.
    assert "FIELD_EXPLICIT_PRESENCE" not in proc.stdout
    assert [line.split()[1] for line in proc.stdout.splitlines()].count("SERVICE_FILE_ALONE") == 1


def test_only_the_files_handed_over_are_linted(repo: Path) -> None:
    proc = hook(repo, *PORTABLE_AT_WRITING, "proto/b/v1/p.proto")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


def test_root_and_its_config(repo: Path) -> None:
    (repo / "proto" / "presubmit.toml").write_text('enable = ["FIELD_EXPLICIT_PRESENCE"]\n')
    proc = hook(repo, "--root", "proto", "proto/b/v1/p.proto")
    assert proc.returncode == 1, proc.stderr
    # Paths as seen from where the hook runs, not from the root.
    assert "proto/b/v1/p.proto:4:3: FIELD_EXPLICIT_PRESENCE " in proc.stdout


def test_compile_errors_under_a_root_are_seen_from_the_current_folder(repo: Path) -> None:
    (repo / "proto/b/v1/p.proto").write_text(PLAIN.replace("= 1;", "= 1"))
    proc = hook(repo, "--root", "proto", "proto/b/v1/p.proto")
    assert proc.returncode == 2
    assert proc.stderr.startswith("proto/b/v1/p.proto:5:1: ")


def test_fixes_are_named_as_seen_from_the_current_folder(repo: Path) -> None:
    stale = "// Next ID: 1\nmessage P {"
    (repo / "proto/b/v1/p.proto").write_text(PLAIN.replace("message P {", stale))
    proc = hook(repo, "--root", "proto", "--fix", "--rules", "NEXT_ID", "proto/b/v1/p.proto")
    assert (proc.returncode, proc.stdout) == (0, ""), proc.stderr
    assert proc.stderr == "fixed 1 file(s): proto/b/v1/p.proto\n"
    assert "// Next ID: 2\n" in (repo / "proto/b/v1/p.proto").read_text()


def test_files_the_config_skips_are_no_error(repo: Path) -> None:
    (repo / "presubmit.toml").write_text('include_only = ["proto/b"]\n')
    proc = hook(repo, "proto/b/v1/p.proto")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


def test_a_compile_error_is_a_located_line(repo: Path) -> None:
    (repo / "proto/b/v1/p.proto").write_text(PLAIN.replace("= 1;", "= 1"))
    proc = hook(repo, "proto/b/v1/p.proto")
    assert proc.returncode == 2
    assert proc.stderr.startswith("proto/b/v1/p.proto:5:1: ")
    assert "Traceback" not in proc.stderr


def test_a_symlinked_proto_is_read_under_its_own_name(
    repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside") / "o.proto"
    outside.write_text(PLAIN.replace("message P {", "// Next ID: 1\nmessage P {"))
    (repo / "proto/b/v1/p.proto").unlink()
    (repo / "proto/b/v1/p.proto").symlink_to(outside)
    proc = hook(repo, "proto/b/v1/p.proto")
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith("proto/b/v1/p.proto:3:4: NEXT_ID ")


def test_a_name_that_is_not_utf8_fails_the_hook(repo: Path) -> None:
    # pre-commit hands the hook the name as it is on disk.
    bad = os.fsencode(repo) + b"/proto/b/v1/bad\xffname.proto"
    with open(bad, "wb") as fh:
        fh.write(PLAIN.encode())
    no_syntax = PLAIN.replace('syntax = "proto3";\n', "").replace("int32", "optional int32")
    (repo / "proto/b/v1/p.proto").write_text(no_syntax)
    proc = subprocess.run(
        [sys.executable, "-m", "hooks.lint", b"proto/b/v1/bad\xffname.proto", "proto/b/v1/p.proto"],
        cwd=repo,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout.startswith("proto/b/v1/p.proto:1:1: SYNTAX_DECLARED ")
    assert proc.stderr == (
        "error: proto/b/v1/bad\\xffname.proto: the file name is not valid UTF-8; rename it\n"
    )
