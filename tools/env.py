# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The environment of the tools build.py runs: everything they write stays in the repo."""

from __future__ import annotations

import os
from pathlib import Path

from core import protoc
from core.layout import REPO
from core.layout import Layout
from tools import deps


def tool_env(layout: Layout = REPO) -> dict[str, str]:
    """For buf, protoc and its plugins (short-lived Go programs); buf's cache
    (modules, its WebAssembly runtime) in tools/cache, not ~/.cache/buf."""
    env = protoc.environment()
    env.setdefault("BUF_CACHE_DIR", str(layout.tool_cache / "buf"))
    return env


def install_env(tool_cache: Path = REPO.tool_cache) -> dict[str, str]:
    """For the installers (venv, pip): rustup's state in tools/cache.

    pip runs `rustc --version` for its user agent; through rustup's proxy that
    writes ~/.rustup/settings.toml unless RUSTUP_HOME points elsewhere. HOME
    itself stays: pip.conf and .netrc there may name the index to use.
    """
    cache = tool_cache.resolve()
    env = dict(os.environ)
    env.update(RUSTUP_HOME=str(cache / "rustup"), CARGO_HOME=str(cache / "cargo"))
    return env


def build_env(tool_cache: Path = REPO.tool_cache) -> dict[str, str]:
    """For building and installing the wheel: the installers' environment
    without PYTHONPATH. The test suite's names py/, whose files (or a
    turboci_proto.egg-info of an in-place build) must not stand in for the
    wheel's."""
    out = install_env(tool_cache)
    out.pop("PYTHONPATH", None)
    return out


def toolchain(layout: Layout) -> str:
    """The Go that go commands run: DEPS [go] toolchain (go fetches it through
    the module proxy on first use), or without that pin the Go on PATH."""
    if not layout.deps.is_file():
        return "local"  # a tree that is not a checkout (a test's scratch layout)
    pin = deps.load(layout.deps).go.get("toolchain")
    return pin.version if pin else "local"


def go_env(layout: Layout, **extra: str) -> dict[str, str]:
    """For every go command: module, build and sumdb caches in tools/cache, no telemetry."""
    # Go keys its build cache by each package's directory, so a tools/cache
    # reached through a symlink (another checkout's, shared) is named by its
    # target: else every checkout recompiles and re-vets every dependency.
    cache = layout.tool_cache.resolve()
    env = dict(os.environ)
    env.update(
        GOMODCACHE=str(cache / "gomod"),
        GOCACHE=str(cache / "gobuild"),
        GOWORK="off",  # a go.work elsewhere must not change what is resolved
        # A caller's own choice spares reading DEPS (the prerequisites check).
        GOTOOLCHAIN=extra.get("GOTOOLCHAIN") or toolchain(layout),
        GOTELEMETRY="off",
        GOTELEMETRYDIR=str(cache / "gotelemetry"),
        GOENV=str(cache / "goenv"),
        # GOPATH holds the checksum database's cache (pkg/sumdb); the user
        # config folder holds Go's telemetry counters, whatever GOTELEMETRY says.
        GOPATH=str(cache / "gopath"),
        XDG_CONFIG_HOME=str(cache / "config"),
    )
    env.update(extra)
    return env
