# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

from __future__ import annotations

from pathlib import Path

import pytest

from core.layout import Layout
from tools import env


def test_go_keeps_its_caches_in_the_checkout(tmp_path: Path) -> None:
    layout = Layout(tmp_path.resolve())
    go = env.go_env(layout, GOFLAGS="-mod=mod")
    assert go["GOMODCACHE"] == str(layout.tool_cache / "gomod")
    assert go["GOCACHE"] == str(layout.tool_cache / "gobuild")
    assert go["GOENV"] == str(layout.tool_cache / "goenv")
    assert (go["GOWORK"], go["GOTOOLCHAIN"], go["GOTELEMETRY"]) == ("off", "local", "off")
    assert go["GOFLAGS"] == "-mod=mod"


def test_go_runs_the_toolchain_deps_pins_whatever_go_is_on_path(tmp_path: Path) -> None:
    (tmp_path / "DEPS").write_text('[go]\ntoolchain = "go1.25.14"\ndirective = "1.25.0"\n')
    assert env.go_env(Layout(tmp_path))["GOTOOLCHAIN"] == "go1.25.14"
    # Without the pin (or outside a checkout) the Go on PATH runs, never another.
    (tmp_path / "DEPS").write_text('[python]\nsix = "1.17.0"\n')
    assert env.go_env(Layout(tmp_path))["GOTOOLCHAIN"] == "local"


def test_a_shared_tool_cache_is_named_by_its_target(tmp_path: Path) -> None:
    # Checkouts that link one tools/cache see the same module paths, so Go's
    # build cache (keyed by directory) serves them all.
    shared = tmp_path / "shared-cache"
    shared.mkdir()
    for name in ("a", "b"):
        (tmp_path / name / "tools").mkdir(parents=True)
        (tmp_path / name / "tools" / "cache").symlink_to(shared)
    a, b = (env.go_env(Layout(tmp_path / name)) for name in ("a", "b"))
    for var in ("GOMODCACHE", "GOCACHE", "GOPATH"):
        assert a[var] == b[var]
    assert a["GOMODCACHE"] == str(shared.resolve() / "gomod")


def test_tools_run_without_a_go_collector_unless_the_user_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("GOGC", raising=False)
    monkeypatch.delenv("GOMEMLIMIT", raising=False)
    assert (env.tool_env()["GOGC"], env.tool_env()["GOMEMLIMIT"]) == ("off", "1GiB")
    monkeypatch.setenv("GOGC", "100")
    assert env.tool_env()["GOGC"] == "100"


def test_the_installers_keep_rustup_in_the_tool_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", "/home/someone")
    monkeypatch.setenv("RUSTUP_HOME", "/home/someone/.rustup")
    installer = env.install_env(tmp_path / "cache")
    cache = (tmp_path / "cache").resolve()
    assert installer["RUSTUP_HOME"] == str(cache / "rustup")
    assert installer["CARGO_HOME"] == str(cache / "cargo")
    # HOME stays: pip.conf and .netrc there may name the index and its login.
    assert installer["HOME"] == "/home/someone"


def test_the_wheel_is_built_without_the_suites_pythonpath(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", "/somewhere/py")
    built = env.build_env(tmp_path / "cache")
    assert "PYTHONPATH" not in built
    assert built["RUSTUP_HOME"] == str((tmp_path / "cache").resolve() / "rustup")
