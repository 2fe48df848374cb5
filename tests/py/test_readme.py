# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The examples of README.md's "Using the stubs" run as written.

Python blocks are run, each in a fresh namespace; Go blocks are excerpts of
the Example functions in go/utils/, which `go test` runs and checks, or the
import block of aliases, whose paths must be packages of the module.
"""

from __future__ import annotations

import re
import runpy
import textwrap
from pathlib import Path

import pytest

from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
SECTION = README.split("\n## Using the stubs\n", 1)[1].split("\n## ", 1)[0]
BLOCKS = re.findall(r"```(python|go)\n(.*?)```", SECTION, re.DOTALL)
PYTHON = [code for lang, code in BLOCKS if lang == "python"]
GO = [code for lang, code in BLOCKS if lang == "go"]


def _lines(code: str) -> list[str]:
    return [line.strip() for line in code.splitlines() if line.strip()]


def test_every_helper_has_an_example_in_both_languages() -> None:
    python = "\n".join(PYTHON)
    go = "\n".join(GO)
    for py_name, go_name in [
        ("value.lookup(", "value.Lookup["),
        ("value.find(", "value.Find["),
        ("value.write(", "value.Write("),
        ("value.digest(", "value.Digest("),
        ("ids.parse_as(", "ids.ParseAs["),
        ("lifecycle.stage_attempt.can_transition(", "lifecycle.CanTransition("),
        ("descriptors.pool(", "turbocidesc.Files("),
    ]:
        assert py_name in python, py_name
        assert go_name in go, go_name
    assert "value.canonical(" in python
    assert "value.ref_with_data(" in python


@pytest.mark.parametrize("code", PYTHON, ids=[f"python{i}" for i in range(len(PYTHON))])
def test_python_example_runs(code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(REPO / "py"))
    script = tmp_path / "example.py"
    script.write_text(textwrap.dedent(code), encoding="utf-8")
    runpy.run_path(str(script), run_name="__main__")


def _example_sources() -> list[list[str]]:
    return [_lines(p.read_text()) for p in (REPO / "go" / "utils").rglob("example_test.go")]


@pytest.mark.parametrize("code", GO, ids=[f"go{i}" for i in range(len(GO))])
def test_go_example_is_tested(code: str) -> None:
    lines = _lines(code)
    if lines[0] == "import (":
        aliases = [line.split()[0] for line in lines[1:-1]]
        assert len(aliases) == len(set(aliases)), "aliases must differ"
        for line in lines[1:-1]:
            path = line.split()[1].strip('"')
            assert path.startswith("go.chromium.org/turboci/proto/go/")
            folder = REPO / "go" / path.removeprefix("go.chromium.org/turboci/proto/go/")
            assert any(folder.glob("*.pb.go")), f"{path} is not a package of the module"
        return
    for source in _example_sources():
        for start in range(len(source) - len(lines) + 1):
            if source[start : start + len(lines)] == lines:
                return
    pytest.fail("this README Go block is not part of an Example function in go/utils/:\n" + code)
