# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Shared fixtures: small, real repo trees that the build tasks run on."""

from __future__ import annotations

import importlib.util
import io
import os
import shutil
import stat
import subprocess
import sys
import types
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import TextIO

import pytest

from core.layout import Layout
from tools.engine.context import Context

REPO = Path(__file__).resolve().parent.parent
SEED_BAD_PROTO = REPO / "tests" / "fixtures" / "dm_graph_seed.proto.txt"

# The license header of this repo's presubmit.toml, as a proto's first lines.
LICENSE_HEADER = (
    "// Copyright 2026 The turboci-proto Authors. All rights reserved.\n"
    "// Use of this source code is governed by a BSD-style license that can be\n"
    "// found in the LICENSE file.\n\n"
)

IDS_PROTO = """\
syntax = "proto3";

package turboci.graph.ids.v1;

import "google/api/field_behavior.proto";

option go_package = "go.chromium.org/turboci/proto/go/graph/ids/v1;idspb";

// Identifies one workplan.
//
// Next ID: 3
message WorkPlanId {
  // The opaque identifier of the workplan.
  optional string id = 1 [(google.api.field_behavior) = REQUIRED];

  // The realm that owns the workplan.
  optional string realm = 2;
}
"""

SERVICE_PROTO = """\
syntax = "proto3";

package turboci.graph.ids.v1;

import "turboci/graph/ids/v1/resolve_request.proto";
import "turboci/graph/ids/v1/resolve_response.proto";

option go_package = "go.chromium.org/turboci/proto/go/graph/ids/v1/grpcpb;idsgrpcpb";

// Looks up workplan identifiers.
service IdsService {
  // Returns the identifier it is given, once it is known to exist.
  rpc Resolve(ResolveRequest) returns (ResolveResponse);
}
"""

REQUEST_PROTO = """\
syntax = "proto3";

package turboci.graph.ids.v1;

import "turboci/graph/ids/v1/work_plan_id.proto";

option go_package = "go.chromium.org/turboci/proto/go/graph/ids/v1;idspb";

// Asks whether a workplan exists.
//
// Next ID: 2
message {name} {{
  // The workplan asked about.
  optional WorkPlanId work_plan = 1;
}}
"""


# The fixtures that run build.py in a scratch checkout, or pip to build the
# wheel: a test using one is end-to-end, so it is marked `slow` here and
# `./build.py test --quick` leaves it out (README, "Tests").
END_TO_END_FIXTURES = frozenset({"build_copy", "built_tree", "built_template", "wheel"})


@pytest.hookimpl(tryfirst=True)  # before pytest's own hook deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if END_TO_END_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@dataclass
class Running:
    """Whether the test being run (its fixtures included) is one --quick keeps."""

    quick: bool = False


RUNNING = Running()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    RUNNING.quick = item.get_closest_marker("slow") is None
    try:
        return (yield)
    finally:
        RUNNING.quick = False


def git(root: Path, *args: str) -> str:
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.com",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.com",
    )
    proc = subprocess.run(
        ["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True
    )
    return proc.stdout


@pytest.fixture
def api_tree(tmp_path: Path) -> Path:
    """A minimal API repo (DEPS, buf.yaml, two protos) in git, one commit."""
    return make_api_tree(tmp_path / "repo")


# [go_module] pins that only the hand-written helpers in go/utils/ import
# (go/utils/client's error details): a scratch tree has none of them, and
# gen refuses a pin no Go code uses.
HELPERS_ONLY_GO_MODULES = ('"google.golang.org/genproto/googleapis/rpc"',)


def scratch_deps() -> str:
    """This repo's DEPS as a scratch API tree needs it: without the pins of
    modules only go/utils/ imports."""
    lines = (REPO / "DEPS").read_text().splitlines(keepends=True)
    return "".join(line for line in lines if not line.startswith(HELPERS_ONLY_GO_MODULES))


def make_api_tree(root: Path) -> Path:
    """Write the minimal API repo of `api_tree` at `root`."""
    root.mkdir(parents=True)
    (root / "DEPS").write_text(scratch_deps())
    shutil.copy(REPO / "buf.yaml", root / "buf.yaml")
    ids = root / "turboci" / "graph" / "ids" / "v1"
    ids.mkdir(parents=True)
    (ids / "work_plan_id.proto").write_text(LICENSE_HEADER + IDS_PROTO)
    (ids / "ids_service.proto").write_text(LICENSE_HEADER + SERVICE_PROTO)
    for name in ("ResolveRequest", "ResolveResponse"):
        text = LICENSE_HEADER + REQUEST_PROTO.format(name=name)
        (ids / f"{name[:7].lower()}_{name[7:].lower()}.proto").write_text(text)
    (root / ".gitignore").write_text("/google/**/*.proto\n/.cache/\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Initial API")
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root (no .git, no caches), for before/after comparisons."""
    out: dict[str, bytes] = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if p.is_file() and rel.parts[0] not in (".git", ".cache"):
            out[rel.as_posix()] = p.read_bytes()
    return out


def link_tools(root: Path) -> None:
    """Give the checkout at `root` this repo's installed tools as symlinks
    (tools/venv, tools/bin, tools/cache, tools/pygen), so nothing is installed for it.

    A Layout finds its tools in its own checkout; `clean --tools` removes
    such links, never what they point to.
    """
    (REPO / "tools" / "cache").mkdir(exist_ok=True)
    for name in ("venv", "bin", "cache", "pygen"):
        link = root / "tools" / name
        if not link.is_symlink():
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(REPO / "tools" / name)


def task_context(root: Path, out: TextIO | None = None) -> Context:
    """A context for running a task in-process on the checkout at `root`,
    its output going to `out` (a fresh StringIO by default)."""
    link_tools(root)
    return Context(out=io.StringIO() if out is None else out, layout=Layout(root))


def output_of(ctx: Context) -> str:
    """What a task printed into a context made by task_context()."""
    assert isinstance(ctx.out, io.StringIO)
    return ctx.out.getvalue()


def add_tooling(root: Path) -> None:
    """Copy the tooling (core/, tools/, presubmit/) over the tree at `root`;
    the installed tools are linked in, so nothing is reinstalled."""
    shutil.copy(REPO / "build.py", root / "build.py")
    shutil.copytree(
        REPO / "tools",
        root / "tools",
        ignore=shutil.ignore_patterns(
            "venv", "bin", "cache", "pygen", "__pycache__", "installed.json"
        ),
    )
    for package in ("core", "presubmit"):
        shutil.copytree(
            REPO / package, root / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    if (REPO / "presubmit.toml").exists():
        shutil.copy(REPO / "presubmit.toml", root / "presubmit.toml")
    link_tools(root)
    shutil.copy(REPO / "tools" / "installed.json", root / "tools" / "installed.json")
    # As in a real checkout, git does not see the installed tools.
    with (root / ".git" / "info" / "exclude").open("a") as exclude:
        exclude.write(
            "/tools/venv\n/tools/bin\n/tools/cache\n/tools/pygen\n/tools/installed.json\n"
        )


@pytest.fixture
def build_copy(tmp_path: Path, api_tree: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run build.py as a user would, on a copy of the tooling over `api_tree`.

    The tooling (core/, tools/, presubmit/) is copied; the installed tools
    are linked in, so nothing is reinstalled.
    """
    add_tooling(api_tree)

    def run(
        *args: str, env: dict[str, str] | None = None, python: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        return run_build(api_tree, *args, env=env, python=python)

    return run


def build_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """`base` (os.environ by default) for build.py as a user runs it: without
    the venv re-exec marker and the debug switch this test run may carry."""
    env = dict(os.environ if base is None else base)
    env.pop("TURBOCI_BUILD_IN_VENV", None)
    env.pop("TURBOCI_DEBUG", None)
    return env


def run_build(
    root: Path, *args: str, env: dict[str, str] | None = None, python: str | None = None
) -> subprocess.CompletedProcess[str]:
    """build.py of the checkout at `root`, as a user runs it (only in a test
    marked `slow`: the quick loop runs no build.py)."""
    if RUNNING.quick:
        pytest.fail(
            "this test runs build.py: mark it @pytest.mark.slow (README, Tests)", pytrace=False
        )
    return subprocess.run(
        [python or sys.executable, str(root / "build.py"), *args],
        cwd=root,
        env=build_env(env),
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="session")
def built_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tree of `build_copy` after a successful `./build.py all`, made once
    per session (per xdist worker) for the tests that start from there."""
    root = make_api_tree(tmp_path_factory.mktemp("built") / "repo")
    add_tooling(root)
    proc = run_build(root, "all")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return root


@pytest.fixture
def built_tree(build_copy: Callable[..., object], api_tree: Path, built_template: Path) -> Path:
    """`api_tree` as `./build.py all` leaves it (stubs, docs, caches), for
    `build_copy`: a copy of `built_template` instead of another run of `all`."""
    del build_copy  # sets api_tree up first; replaced wholesale here
    shutil.rmtree(api_tree)
    shutil.copytree(built_template, api_tree, symlinks=True)
    return api_tree


@dataclass
class Fsyncs:
    """What os.fsync was called on: each folder as (device, inode), in order,
    and how many regular files."""

    folders: list[tuple[int, int]] = field(default_factory=list)
    files: int = 0
    # Called at each folder flush (to look at the disk at that moment).
    on_folder: Callable[[], None] = lambda: None

    def count(self, folder: Path) -> int:
        """How many times `folder` was flushed."""
        st = folder.stat()
        return self.folders.count((st.st_dev, st.st_ino))


@pytest.fixture
def fsyncs(monkeypatch: pytest.MonkeyPatch) -> Fsyncs:
    """Record every os.fsync (they still happen), telling folders from files by fstat."""
    seen = Fsyncs()
    real = os.fsync

    def fsync(fd: int) -> None:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            seen.folders.append((st.st_dev, st.st_ino))
            seen.on_folder()
        else:
            seen.files += 1
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return seen


def bench_script(name: str) -> types.ModuleType:
    """bench/NAME.py, a script beside the benchmarks and not a package,
    loaded by path (once; registered under its name, where its dataclasses
    look themselves up)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
