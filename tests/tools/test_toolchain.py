# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

import pytest

from tools import deps
from tools import pygen
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


def fake_venv(tmp_path: Path) -> toolchain.Layout:
    """A venv whose python is the one running the tests (nothing is installed into it)."""
    layout = toolchain.Layout(tmp_path / "venv", tmp_path / "bin", tmp_path / "installed.json")
    (layout.venv / "bin").mkdir(parents=True)
    (layout.venv / "bin" / "python").symlink_to(Path(sys.executable))
    return layout


def test_a_venv_built_by_another_python_does_not_fit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    layout = fake_venv(tmp_path)
    now = toolchain.interpreter()
    other = {"version": "3.11.2", "executable": "/usr/bin/python3.11"}
    assert toolchain.venv_fits(layout, {"interpreter": now})
    assert not toolchain.venv_fits(layout, {"interpreter": other})
    # A record from before interpreters were recorded is taken at its word.
    assert toolchain.venv_fits(layout, {"python": {"six": "1.17.0"}})
    # Run from inside the venv, the venv is the running Python's by definition.
    monkeypatch.setattr(sys, "prefix", str(layout.venv))
    assert toolchain.venv_fits(layout, {"interpreter": other})
    (layout.venv / "bin" / "python").unlink()
    assert not toolchain.venv_fits(layout, {"interpreter": now})


def test_a_python_without_ensurepip_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    layout = toolchain.Layout(tmp_path / "venv", tmp_path / "bin", tmp_path / "installed.json")
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "ensurepip" else real_find_spec(name, *a),
    )
    with pytest.raises(BuildError) as info:
        toolchain.ensure(make_deps(tmp_path, {"six": "1.17.0"}, {}), lambda _: None, layout)
    msg = info.value.message
    assert "cannot make the tools venv: it lacks ensurepip" in msg
    assert "apt install python3-venv" in msg and "\n" not in msg
    assert not layout.venv.exists()


# What pip and go print offline (an `unshare -n` namespace) and online.
PIP_OFFLINE = """\
WARNING: Retrying (Retry(total=0, connect=None, read=None, redirect=None, status=None)) after \
connection broken by 'NewConnectionError('<pip._vendor.urllib3.connection.HTTPSConnection object \
at 0x7f>: Failed to establish a new connection: [Errno -3] Temporary failure in name \
resolution')': /simple/six/
ERROR: Could not find a version that satisfies the requirement six==99.0.0 (from versions: none)
ERROR: No matching distribution found for six==99.0.0
"""
GO_OFFLINE = (
    'go: example.com/x/cmd/y@v1.0.0: Get "https://proxy.golang.org/example.com/x/cmd/y/@v/'
    'v1.0.0.info": dial tcp: lookup proxy.golang.org on 10.0.0.53:53: dial udp 10.0.0.53:53: '
    "connect: network is unreachable\n"
)
PIP_ONLINE = """\
ERROR: Could not find a version that satisfies the requirement six==99.0.0 (from versions: \
1.16.0, 1.17.0)
ERROR: No matching distribution found for six==99.0.0
"""
GO_ONLINE = (
    "go: google.golang.org/protobuf/cmd/protoc-gen-go@v0.0.999: "
    "google.golang.org/protobuf@v0.0.999: invalid version: unknown revision v0.0.999\n"
)


def test_offline_output_is_told_from_a_missing_version() -> None:
    assert toolchain.offline_reason(PIP_OFFLINE) == "temporary failure in name resolution"
    assert toolchain.offline_reason(GO_OFFLINE) == "network is unreachable"
    assert toolchain.offline_reason(PIP_ONLINE) is None
    assert toolchain.offline_reason(GO_ONLINE) is None


@pytest.mark.slow  # pip in a process of its own
def test_an_unreachable_index_is_named_not_a_missing_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Port 9 (discard) on loopback: refused at once, as with no network.
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")
    monkeypatch.setenv("PIP_RETRIES", "1")  # with none, pip keeps the why to itself
    monkeypatch.setenv("GOPROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("GOFLAGS", "")
    layout = fake_venv(tmp_path)
    layout = toolchain.Layout(layout.venv, layout.gobin, layout.record, tmp_path / "cache")
    pins: tuple[tuple[dict[str, str], dict[str, str], str], ...] = (
        ({"six": "99.0.0"}, {}, 'DEPS:2: could not install six = "99.0.0": the package index'),
        (
            {},
            {"example.invalid/nothing/cmd/tool": "v1.0.0"},
            "DEPS:4: could not install example.invalid/nothing/cmd/tool@v1.0.0: the Go module "
            "proxy is unreachable (connection refused); connect to the network",
        ),
    )
    for python, go_tools, start in pins:
        with pytest.raises(BuildError) as info:
            toolchain.ensure(make_deps(tmp_path, python, go_tools), lambda _: None, layout)
        msg = info.value.message
        assert msg.startswith(start), msg
        assert "check that the version exists" not in msg and "\n" not in msg


@pytest.mark.slow  # a real venv and pip
def test_a_venv_built_by_another_python_is_built_again(tmp_path: Path) -> None:
    layout = toolchain.Layout(tmp_path / "venv", tmp_path / "bin", tmp_path / "installed.json")
    d = make_deps(tmp_path, {"six": "1.17.0"}, {})
    toolchain.ensure(d, lambda _: None, layout)
    record = json.loads(layout.record.read_text())
    assert record["interpreter"] == toolchain.interpreter()
    # As if a first run with another Python had built it.
    record["interpreter"] = {"version": "3.11.2", "executable": "/usr/bin/python3.11"}
    layout.record.write_text(json.dumps(record))
    (layout.venv / "marker").write_text("")
    said: list[str] = []
    assert [p.name for p in toolchain.ensure(d, said.append, layout)] == ["six"]
    assert said[0].startswith(f"creating the tools venv in {layout.venv}/ with Python ")
    assert not (layout.venv / "marker").exists()
    assert json.loads(layout.record.read_text())["interpreter"] == toolchain.interpreter()


@pytest.mark.slow  # a real venv and pip
def test_the_install_writes_nothing_in_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # pip asks `rustc --version` for its user agent; rustup's proxy then writes
    # its settings under RUSTUP_HOME, ~/.rustup by default. This rustc does the same.
    home = tmp_path / "home"
    home.mkdir()
    fake = tmp_path / "fakebin"
    fake.mkdir()
    rustc = fake / "rustc"
    rustc.write_text(
        '#!/bin/sh\nd="${RUSTUP_HOME:-$HOME/.rustup}"\nmkdir -p "$d"\n'
        'echo \'version = "12"\' > "$d/settings.toml"\necho "rustc 1.0.0"\n'
    )
    rustc.chmod(0o755)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{os.environ['PATH']}")
    for var in ("RUSTUP_HOME", "CARGO_HOME"):
        monkeypatch.delenv(var, raising=False)
    cache = tmp_path / "cache"
    layout = toolchain.Layout(
        tmp_path / "venv", tmp_path / "bin", tmp_path / "installed.json", cache
    )
    toolchain.ensure(make_deps(tmp_path, {"six": "1.17.0"}, {}), lambda _: None, layout)
    assert list(home.iterdir()) == []
    assert (cache / "rustup" / "settings.toml").exists()  # the fake did run


def test_missing_lists_the_python_stubs_protoc_until_its_folder_fits(tmp_path: Path) -> None:
    path = tmp_path / "DEPS"
    path.write_text('[python_gen]\ngrpcio-tools = "1.74.0"\n')
    d = deps.load(path)
    folder = tmp_path / "tools" / "pygen"
    assert [p.name for p in toolchain.missing(d, {}, True, tmp_path, folder)] == ["grpcio-tools"]
    staged = tmp_path / "staged"
    (staged / "grpc_tools").mkdir(parents=True)
    pygen.swap_in(staged, folder, "1.74.0", toolchain.interpreter())
    assert toolchain.missing(d, {}, True, tmp_path, folder) == []
    # A venv to be made again (another Python) needs another compiler too.
    assert [p.name for p in toolchain.missing(d, {}, False, tmp_path, folder)] == ["grpcio-tools"]


def test_python_gen_pins_only_grpcio_tools(tmp_path: Path) -> None:
    path = tmp_path / "DEPS"
    path.write_text('[python_gen]\nsix = "1.17.0"\n')
    layout = fake_venv(tmp_path)
    with pytest.raises(BuildError) as info:
        toolchain.ensure(deps.load(path), lambda _: None, layout)
    assert info.value.message == (
        "DEPS:2: [python_gen] pins only grpcio-tools (the protoc of the Python stubs), not six"
    )


@pytest.mark.slow  # a real pip install of grpcio-tools (from tools/cache after the first)
def test_the_python_stubs_protoc_installs_beside_links_without_following_them(
    tmp_path: Path,
) -> None:
    """tools/pygen.new and tools/pygen as symlinks to a victim folder outside:
    the links go, the victim stays untouched, the compiler lands in tools/."""
    from tests.conftest import REPO

    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep").write_text("mine")
    root = tmp_path / "repo"
    (root / "tools").mkdir(parents=True)
    layout = toolchain.Layout(
        REPO / "tools" / "venv",
        root / "tools" / "bin",
        root / "tools" / "installed.json",
        REPO / "tools" / "cache",
        root / "tools" / "pygen",
    )
    (root / "tools" / "pygen.new").symlink_to(victim)
    (root / "tools" / "pygen").symlink_to(victim)
    pin = deps.load(REPO / "DEPS").python_gen["grpcio-tools"]
    toolchain._pygen_install(pin, deps.load(REPO / "DEPS"), layout, lambda _: None)
    assert sorted(p.name for p in victim.iterdir()) == ["keep"]
    assert (victim / "keep").read_text() == "mine"
    assert not layout.pygen.is_symlink()
    assert pygen.fits(layout.pygen, pin.version, toolchain.interpreter())


def test_the_python_stubs_protoc_install_failing_in_non_utf8_says_one_line(
    tmp_path: Path,
) -> None:
    """pip's output in another encoding (a proxy's page) is not a decode error."""
    layout = toolchain.Layout(
        tmp_path / "venv",
        tmp_path / "bin",
        tmp_path / "installed.json",
        tmp_path / "cache",
        tmp_path / "pygen",
    )
    (layout.venv / "bin").mkdir(parents=True)
    layout.python().write_text("#!/bin/sh\nprintf 'ERROR: no version \\377\\n' >&2\nexit 1\n")
    layout.python().chmod(0o755)
    from tests.conftest import REPO

    pin = deps.load(REPO / "DEPS").python_gen["grpcio-tools"]
    with pytest.raises(BuildError) as info:
        toolchain._pygen_install(pin, deps.load(REPO / "DEPS"), layout, lambda _: None)
    msg = info.value.message
    assert msg.startswith(f'DEPS:{pin.line}: could not install grpcio-tools = "{pin.version}": ')
    assert "no version" in msg and "\n" not in msg
    assert not (tmp_path / "pygen.new").exists()
