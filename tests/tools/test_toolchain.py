# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tools import deps
from tools import toolchain
from tools.errors import BuildError


def make_deps(tmp_path: Path, python: dict[str, str], go_tools: dict[str, str]) -> deps.Deps:
    lines = ["[python]"]
    lines += [f'{k} = "{v}"' for k, v in python.items()]
    lines += ["", "[go_tools]"]
    lines += [f'"{k}" = "{v}"' for k, v in go_tools.items()]
    path = tmp_path / "DEPS"
    path.write_text("\n".join(lines) + "\n")
    return deps.load(path)


def test_missing_lists_only_pins_that_changed(tmp_path: Path) -> None:
    d = make_deps(tmp_path, {"six": "1.17.0", "idna": "3.10"}, {"example.com/m/cmd/tool": "v1.0.0"})
    gobin = tmp_path / "bin"
    gobin.mkdir()
    (gobin / "tool").write_text("")
    installed = {
        "python": {"six": "1.16.0", "idna": "3.10"},
        "go_tools": {"example.com/m/cmd/tool": "v1.0.0"},
    }
    todo = toolchain.missing(d, installed, venv_ok=True, gobin=gobin)
    assert [(p.name, p.version) for p in todo] == [("six", "1.17.0")]


def test_missing_everything_without_a_venv_or_binary(tmp_path: Path) -> None:
    d = make_deps(tmp_path, {"six": "1.17.0"}, {"example.com/m/cmd/tool": "v1.0.0"})
    installed = {"python": {"six": "1.17.0"}, "go_tools": {"example.com/m/cmd/tool": "v1.0.0"}}
    todo = toolchain.missing(d, installed, venv_ok=False, gobin=tmp_path / "nobin")
    assert [p.name for p in todo] == ["six", "example.com/m/cmd/tool"]


@pytest.mark.slow  # real pip installs
def test_install_then_change_one_pin_reinstalls_it_alone(tmp_path: Path) -> None:
    """Real pip into a scratch venv: the first run installs, the second nothing,
    and a changed pin reinstalls that one package only."""
    layout = toolchain.Layout(tmp_path / "venv", tmp_path / "bin", tmp_path / "installed.json")
    said: list[str] = []
    d = make_deps(tmp_path, {"six": "1.16.0", "idna": "3.10"}, {})
    first = toolchain.ensure(d, said.append, layout)
    assert {p.name for p in first} == {"six", "idna"}
    assert json.loads(layout.record.read_text())["python"] == {"six": "1.16.0", "idna": "3.10"}
    assert toolchain.ensure(d, said.append, layout) == []

    said.clear()
    d = make_deps(tmp_path, {"six": "1.17.0", "idna": "3.10"}, {})
    again = toolchain.ensure(d, said.append, layout)
    assert [(p.name, p.version) for p in again] == [("six", "1.17.0")]
    assert said == [f"installing six==1.17.0 into {layout.venv}"]
    site = next((layout.venv / "lib").glob("python3*/site-packages"))
    assert (site / "six-1.17.0.dist-info").is_dir()


@pytest.mark.slow  # real pip, asking the index
def test_pin_to_a_version_that_does_not_exist(tmp_path: Path) -> None:
    layout = toolchain.Layout(tmp_path / "venv", tmp_path / "bin", tmp_path / "installed.json")
    d = make_deps(tmp_path, {"six": "99.0.0"}, {})
    with pytest.raises(BuildError) as info:
        toolchain.ensure(d, lambda _: None, layout)
    msg = info.value.message
    assert msg.startswith('DEPS:2: could not install six = "99.0.0"')
    assert "\n" not in msg
    assert not layout.record.exists() or "six" not in layout.record.read_text()


def test_go_tool_pin_to_a_version_that_does_not_exist(tmp_path: Path) -> None:
    layout = toolchain.Layout(tmp_path / "venv", tmp_path / "bin", tmp_path / "installed.json")
    d = make_deps(tmp_path, {}, {"google.golang.org/protobuf/cmd/protoc-gen-go": "v0.0.999"})
    layout.venv.mkdir()  # skip the venv: only the Go pin is under test
    (layout.venv / "bin").mkdir()
    (layout.venv / "bin" / "python").symlink_to(Path(sys.executable))
    with pytest.raises(BuildError) as info:
        toolchain.ensure(d, lambda _: None, layout)
    msg = info.value.message
    assert msg.startswith(
        "DEPS:4: could not install google.golang.org/protobuf/cmd/protoc-gen-go@v0.0.999"
    )
    assert "\n" not in msg
