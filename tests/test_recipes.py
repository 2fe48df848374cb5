# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The READMEs' recipes work: followed word for word in a scratch copy of the
repo, the new rule or task is found and every test of its area passes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import link_tools
from tests.doc_tables import add_row
from tests.doc_tables import recipes

REPO = Path(__file__).resolve().parents[1]


def _copy(dest: Path) -> Path:
    """The tracked files of this checkout (as they are now) at `dest`, tools linked in."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for rel in filter(None, listed.split("\0")):
        src = REPO / rel
        if src.is_file() and not src.is_symlink():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest / rel)
    # A clone, as a contributor has: a git work tree.
    subprocess.run(["git", "init", "-q", str(dest)], check=True)
    link_tools(dest)
    # What the linked tools' install recorded, so build.py installs nothing.
    shutil.copy(REPO / "tools" / "installed.json", dest / "tools" / "installed.json")
    return dest


def _follow(root: Path, readme: str, header: str, also: str = "") -> list[str]:
    """Write each block of `readme`'s recipe where it says; add the table row
    to `readme` (and to `also`). Returns the files written."""
    text = (root / readme).read_text(encoding="utf-8")
    section = text[text.index("## Adding a") :]
    written = []
    for target, content in recipes(section):
        if target == "table row":
            row = content.strip()
            (root / readme).write_text(add_row(text, header, row), encoding="utf-8")
            if also:
                other = root / also
                cells = row.split("|")
                backticked = "|".join([cells[0], f" `{cells[1].strip()}` ", *cells[2:]])
                other.write_text(
                    add_row(other.read_text(encoding="utf-8"), "rule", backticked),
                    encoding="utf-8",
                )
        else:
            path = root / target
            assert not path.exists(), f"the recipe's example {target} already exists"
            path.write_text(content, encoding="utf-8")
            written.append(target)
    return written


def _ruff_clean(root: Path, files: list[str]) -> None:
    """The examples pass the repo's own ruff, as any code added to it must."""
    ruff = str(Path(sys.executable).parent / "ruff")
    for args in (["check"], ["format", "--check"]):
        proc = subprocess.run([ruff, *args, *files], cwd=root, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def _pytest(root: Path, *targets: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("TURBOCI_DEBUG", None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n", "0", "-q", *targets],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )


@pytest.mark.slow  # the lint suite's tests, run again in the scratch copy
@pytest.mark.parametrize("on", [False, True], ids=["off by default", "on everywhere"])
def test_the_adding_a_rule_recipe_works(tmp_path: Path, on: bool) -> None:
    root = _copy(tmp_path / "repo")
    written = _follow(root, "presubmit/README.md", "ID", also="README.md")
    assert written == [
        "presubmit/rules/short_message_name.py",
        "tests/presubmit/rules/test_short_message_name.py",
    ]
    _ruff_clean(root, written)
    if on:
        # On by default and in foreign trees too: the other tests name the rules
        # they are about, so the new rule's findings are not in their way.
        rule = root / written[0]
        text = rule.read_text(encoding="utf-8")
        rule.write_text(text.replace("=False,", "=True,"), encoding="utf-8")
    listed = subprocess.run(
        [sys.executable, "-m", "presubmit", "--list-rules"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "SHORT_MESSAGE_NAME: " in listed
    assert "[short_message_name] min_length (positive integer, default 3)" in listed
    proc = _pytest(root, "tests/presubmit", "-m", "not slow")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "2 passed" not in proc.stdout  # the whole area ran, not only the new tests
    # The hook's tests are end-to-end (slow): they run here all the same
    # (pytest exits 5, not 0, when it runs no test).
    proc = _pytest(root, "tests/hooks/test_lint.py")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]


@pytest.mark.slow  # the engine's tests and the new task's, run in the scratch copy
def test_the_adding_a_task_recipe_works(tmp_path: Path) -> None:
    root = _copy(tmp_path / "repo")
    written = _follow(root, "README.md", "task")
    assert written == ["tools/tasks/count.py", "tests/tools/tasks/test_count.py"]
    _ruff_clean(root, written)
    proc = _pytest(
        root,
        "tests/tools/engine/test_registry.py",
        "tests/tools/tasks/test_count.py",
        "tests/tools/test_cli.py::test_help_lists_every_task_on_one_line",
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
