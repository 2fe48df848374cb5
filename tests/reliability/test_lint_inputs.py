# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Inputs no task may pass over or hang on, through every entry point: a file
name that is not UTF-8, a symlinked proto folder, a FIFO as a config file,
a locale that cannot encode a file's name."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import LICENSE_HEADER
from tests.conftest import build_env
from tests.reliability import support

Build = Callable[..., subprocess.CompletedProcess[str]]
REPO = Path(__file__).resolve().parents[2]
BAD = f"{support.IDS}/bad\\xffname.proto"
NO_SYNTAX = (
    LICENSE_HEADER + "package turboci.graph.ids.v1;\n\n"
    'option go_package = "go.chromium.org/turboci/proto/go/graph/ids/v1;idspb";\n\n'
    "// Next ID: 2\nmessage Plain {\n  // A field.\n  optional string a = 1;\n}\n"
)

# Each entry point as a user starts it, from the top of the checkout.
BUILD = {name: ("build.py", name) for name in ("lint", "all", "format", "gen", "docs")}
SUITE = {
    "python -m presubmit": ("-m", "presubmit"),
    "turboci-lint": ("-m", "hooks.lint"),
    "turboci-format": ("-m", "hooks.format"),
}


def run(
    root: Path, args: tuple[str, ...], env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """An entry point on the checkout at `root`; a hang fails instead of waiting."""
    if args[0] == "build.py":
        cmd = [sys.executable, str(root / "build.py"), *args[1:]]
        environ = build_env(env)
    else:  # the suite of this checkout, as the hooks install it
        cmd = [sys.executable, *args]
        environ = dict(build_env(env), PYTHONPATH=str(REPO))
    proc = subprocess.Popen(
        cmd,
        cwd=root,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        raise AssertionError(f"{' '.join(args)} hung") from None
    text = subprocess.CompletedProcess(
        cmd, proc.returncode, out.decode("utf-8"), err.decode("utf-8")
    )
    assert "Traceback" not in text.stderr and "internal error" not in text.stderr, text.stderr
    return text


def _add_bad_name(root: Path) -> None:
    with open(os.fsencode(root / support.IDS) + b"/bad\xffname.proto", "wb") as fh:
        fh.write(NO_SYNTAX.replace("Plain", "Other").encode())
    (root / support.IDS / "plain.proto").write_text(NO_SYNTAX)


@pytest.mark.parametrize("entry", sorted({**BUILD, **SUITE}))
def test_a_name_that_is_not_utf8_is_one_line_and_exit_2(
    build_copy: Build, api_tree: Path, entry: str
) -> None:
    _add_bad_name(api_tree)
    before = support.generated(api_tree)
    proc = run(api_tree, {**BUILD, **SUITE}[entry])
    assert proc.returncode == 2, proc.stdout + proc.stderr
    line = f"{BAD}: the file name is not valid UTF-8; rename it"
    assert f"error: {line}" in proc.stderr or f"  error: {line}" in proc.stdout
    if entry in ("lint", "python -m presubmit", "turboci-lint"):
        # The other files are linted all the same.
        assert f"{support.IDS}/plain.proto:1:1: SYNTAX_DECLARED " in proc.stdout
        assert proc.stderr.count("\n") == 1, proc.stderr
    assert support.generated(api_tree) == before


@pytest.mark.parametrize(
    "args", [("lint",), ("lint", "--fix"), ("format",), ("all",), ("gen",), ("docs",)]
)
def test_a_symlinked_proto_folder_is_refused_by_name(
    build_copy: Build, api_tree: Path, tmp_path: Path, args: tuple[str, ...]
) -> None:
    victim = tmp_path / "victim"
    shutil.copytree(api_tree / support.IDS, victim)
    (victim / "work_plan_id.proto").write_text(
        (victim / "work_plan_id.proto").read_text().replace("Next ID: 3", "Next ID: 9")
    )
    held = {p.name: p.read_bytes() for p in victim.iterdir()}
    (api_tree / "turboci/data").mkdir()
    (api_tree / "turboci/data/build").symlink_to(victim)
    proc = run(api_tree, ("build.py", *args))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    line = f"turboci/data/build: a symlink to the folder {victim}; "
    assert line in proc.stderr or line in proc.stdout
    assert {p.name: p.read_bytes() for p in victim.iterdir()} == held


@pytest.mark.parametrize("name", ["presubmit.toml", "buf.yaml"])
@pytest.mark.parametrize("args", [("lint",), ("all",), ("format",), ("breaking",)])
def test_a_fifo_as_a_config_file_is_refused_without_blocking(
    build_copy: Build, api_tree: Path, name: str, args: tuple[str, ...]
) -> None:
    (api_tree / name).unlink(missing_ok=True)
    os.mkfifo(api_tree / name)
    proc = run(api_tree, ("build.py", *args))
    if name == "presubmit.toml" and args[0] in ("format", "breaking"):
        assert proc.returncode == 0, proc.stderr  # they do not read it
        return
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"{name}: a FIFO, not a regular file; {name} must be a regular file" in (
        proc.stderr + proc.stdout
    )


@pytest.mark.parametrize("entry", ["turboci-format", "python -m presubmit"])
def test_a_fifo_presubmit_toml_stops_the_suite_too(
    build_copy: Build, api_tree: Path, entry: str
) -> None:
    (api_tree / "presubmit.toml").unlink()
    os.mkfifo(api_tree / "presubmit.toml")
    proc = run(api_tree, SUITE[entry])
    assert proc.returncode == 2
    assert proc.stderr.endswith(
        "presubmit.toml: a FIFO, not a regular file; presubmit.toml must be a regular file\n"
    )


@pytest.mark.parametrize(
    "env",
    [
        {"LANG": "C", "LC_ALL": "C"},
        {"PYTHONIOENCODING": "ascii"},
        {"LANG": "C", "LC_ALL": "C", "PYTHONIOENCODING": "ascii"},
    ],
)
def test_output_does_not_depend_on_the_locale(
    build_copy: Build, api_tree: Path, env: dict[str, str]
) -> None:
    text = (api_tree / support.IDS / "work_plan_id.proto").read_text()
    # Only the file's name is not ASCII (identifiers must be).
    accented = text.replace("WorkPlanId", "CafeId").replace("Next ID: 3", "Next ID: 4")
    (api_tree / support.IDS / "caf\u00e9.proto").write_text(accented, encoding="utf-8")
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    proc = run(api_tree, ("build.py", "lint"), dict(environ, **env))
    assert proc.returncode == 1, proc.stderr
    assert f"{support.IDS}/caf\u00e9.proto:" in proc.stdout
    assert "NEXT_ID" in proc.stdout
