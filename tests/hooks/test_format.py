# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""turboci-format: formats what it is handed, safely, and says why it will not."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hooks import format as format_hook

REPO = Path(__file__).resolve().parents[2]

MESSY = 'syntax="proto3";\npackage a.v1;\nmessage   M {int32 y=1;}\n'
TIDY = 'syntax = "proto3";\npackage a.v1;\nmessage M {\n  int32 y = 1;\n}\n'
BROKEN = 'syntax = "proto3";\npackage a.v1;\nmessage M { int32 x = 1\n'


def run(root: Path, *args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    """turboci-format in `cwd` (default: the root, as pre-commit runs it)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(cwd or root):
        code = format_hook.main(["--root", str(root), *args], out, err)
    return code, out.getvalue(), err.getvalue()


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_formats_in_place_then_is_clean(tmp_path: Path) -> None:
    write(tmp_path, {"a/m.proto": MESSY, "a/t.proto": TIDY.replace("M {", "T {")})
    tidy_before = (tmp_path / "a/t.proto").stat().st_mtime_ns
    code, out, err = run(tmp_path, str(tmp_path / "a/m.proto"), str(tmp_path / "a/t.proto"))
    assert (code, out, err) == (1, "formatted a/m.proto\n", "")
    assert (tmp_path / "a/m.proto").read_text() == TIDY
    # An already formatted file is not rewritten.
    assert (tmp_path / "a/t.proto").stat().st_mtime_ns == tidy_before
    assert run(tmp_path, "a/m.proto") == (0, "", "")


def test_check_lists_and_changes_nothing(tmp_path: Path) -> None:
    write(tmp_path, {"a/m.proto": MESSY})
    code, out, _ = run(tmp_path, "--check", "a/m.proto")
    assert code == 1
    assert out == "a/m.proto: not formatted; run turboci-format a/m.proto\n"
    assert (tmp_path / "a/m.proto").read_text() == MESSY


def test_a_file_that_does_not_parse_is_reported_not_mangled(tmp_path: Path) -> None:
    write(tmp_path, {"a/m.proto": BROKEN})
    code, out, err = run(tmp_path, "a/m.proto")
    assert code == 2 and out == ""
    assert err.startswith("a/m.proto:4:1: ")
    assert "Traceback" not in err
    assert (tmp_path / "a/m.proto").read_text() == BROKEN


def test_googleapis_imports_resolve_without_copies(tmp_path: Path) -> None:
    text = MESSY.replace(
        "package a.v1;\n", 'package a.v1;\nimport "google/api/field_behavior.proto";\n'
    )
    write(tmp_path, {"a/m.proto": text})
    assert run(tmp_path, "a/m.proto")[0] == 1
    assert "int32 y = 1;" in (tmp_path / "a/m.proto").read_text()


def test_protos_the_config_keeps_out_of_lint_are_left_alone(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "presubmit.toml": 'include_only = ["third_party"]\n',
            "third_party/v.proto": MESSY,
        },
    )
    assert run(tmp_path, "third_party/v.proto") == (0, "", "")
    assert (tmp_path / "third_party/v.proto").read_text() == MESSY


def test_a_symlink_out_of_the_root_is_refused(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    write(outside, {"m.proto": MESSY})
    (root / "a").mkdir(parents=True)
    (root / "a" / "m.proto").symlink_to(outside / "m.proto")
    code, _, err = run(root, "a/m.proto")
    assert code == 2
    assert err == (
        f"error: {root}/a/m.proto: a symlink to {outside}/m.proto, which is outside {root}; "
        "refusing to write through it\n"
    )
    assert (outside / "m.proto").read_text() == MESSY


def test_a_file_outside_the_root_is_one_line(tmp_path: Path) -> None:
    write(tmp_path, {"root/a.proto": TIDY, "elsewhere/b.proto": TIDY})
    code, _, err = run(tmp_path / "root", str(tmp_path / "elsewhere/b.proto"))
    assert code == 2
    assert err.count("\n") == 1 and "not under the root" in err


def test_no_buf_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, {"a/m.proto": MESSY})
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(format_hook, "SCRIPTS", tmp_path / "empty")
    code, _, err = run(tmp_path, "a/m.proto")
    assert code == 2
    assert err == "error: buf not found: pip install buf-bin, or put buf on PATH\n"
    assert (tmp_path / "a/m.proto").read_text() == MESSY


def test_no_file_formats_every_proto_the_tree_lints(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"a/m.proto": MESSY, "b/n.proto": MESSY, "presubmit.toml": 'exclude = ["b"]\n'},
    )
    assert run(tmp_path)[:2] == (1, "formatted a/m.proto\n")
    assert (tmp_path / "b/n.proto").read_text() == MESSY


def test_default_root_is_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"a/m.proto": MESSY})
    monkeypatch.chdir(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    assert format_hook.main([os.path.join("a", "m.proto")], out, err) == 1
    assert out.getvalue() == "formatted a/m.proto\n"


_HOLD = """
import sys
from pathlib import Path
from core import lock
with lock.held_tree(Path(sys.argv[1]), print):
    print("held", flush=True)
    sys.stdin.read()
"""


@pytest.mark.slow  # the hook in a process of its own, waiting on a lock
def test_waits_for_another_writer_of_the_tree(tmp_path: Path) -> None:
    write(tmp_path, {"a/m.proto": MESSY})
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(tmp_path)],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdin is not None
    assert holder.stdout.readline() == "held\n"
    try:
        formatting = subprocess.Popen(
            [sys.executable, "-m", "hooks.format", "a/m.proto"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(1.5)
        assert formatting.poll() is None, formatting.communicate()
        assert (tmp_path / "a/m.proto").read_text() == MESSY
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    out, err = formatting.communicate(timeout=120)
    assert (formatting.returncode, out) == (1, "formatted a/m.proto\n")
    assert err == "waiting for another writer (pid unknown) to finish\n"
    assert (tmp_path / "a/m.proto").read_text() == TIDY


def test_paths_print_as_seen_from_the_current_folder(tmp_path: Path) -> None:
    write(tmp_path, {"proto/a/m.proto": MESSY, "proto/a/b.proto": BROKEN})
    root = tmp_path / "proto"
    code, out, _ = run(root, "--check", "proto/a/m.proto", cwd=tmp_path)
    assert (code, out) == (
        1,
        "proto/a/m.proto: not formatted; run turboci-format --root proto proto/a/m.proto\n",
    )
    assert run(root, "proto/a/m.proto", cwd=tmp_path)[:2] == (1, "formatted proto/a/m.proto\n")
    code, _, err = run(root, "proto/a/b.proto", cwd=tmp_path)
    assert code == 2 and err.startswith("proto/a/b.proto:4:1: ")


def test_a_buf_workspace_with_modules_in_subfolders(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"buf.yaml": "version: v2\nmodules:\n  - path: proto\n", "proto/a/v1/m.proto": MESSY},
    )
    assert run(tmp_path, "proto/a/v1/m.proto")[:2] == (1, "formatted proto/a/v1/m.proto\n")
    assert (tmp_path / "proto/a/v1/m.proto").read_text() == TIDY


_HOLD_BUILD = """
import sys
from pathlib import Path
from core import lock
from core.layout import Layout
with lock.held(Layout(Path(sys.argv[1])), "./build.py format", print):
    print("held", flush=True)
    sys.stdin.read()
"""


def installed(site: Path) -> Path:
    """The hooks' packages as pip installs them: in a folder that is no checkout."""
    for package in ("core", "presubmit", "hooks"):
        shutil.copytree(
            REPO / package, site / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    return site


@pytest.mark.slow  # each hook in a process of its own, waiting on a lock
@pytest.mark.parametrize(
    "hook", [["-m", "hooks.format"], ["-m", "hooks.lint", "--fix", "--rules", "NEXT_ID"]]
)
def test_installed_hooks_wait_for_the_build_lock_of_a_checkout(
    tmp_path: Path, hook: list[str]
) -> None:
    site = installed(tmp_path / "site")
    checkout = tmp_path / "checkout"
    for name in ("DEPS", "core/lock.py"):
        (checkout / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / name, checkout / name)
    # Messy for format, a wrong Next ID for lint --fix.
    messy = MESSY.replace("message   M", "// M.\n//\n// Next ID: 5\nmessage   M")
    write(checkout, {"a/m.proto": messy})
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_BUILD, str(checkout)],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdin is not None
    assert holder.stdout.readline() == "held\n"
    try:
        writing = subprocess.Popen(
            [sys.executable, *hook, "a/m.proto"],
            cwd=checkout,
            env={**os.environ, "PYTHONPATH": str(site)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(1.5)
        assert writing.poll() is None, writing.communicate()
        assert (checkout / "a/m.proto").read_text() == messy
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    out, err = writing.communicate(timeout=120)
    assert f"waiting for another writer (pid {holder.pid}, ./build.py format) to finish" in err
    assert (checkout / "a/m.proto").read_text() != messy, out + err
    assert (checkout / ".cache" / "build.lock").is_file()
