# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from core import protoc
from core.layout import Layout
from tests.conftest import REPO
from tests.conftest import SEED_BAD_PROTO
from tests.conftest import make_api_tree
from tests.conftest import output_of
from tests.conftest import snapshot
from tests.conftest import task_context
from tools import deps as deps_mod
from tools import env
from tools import pygen
from tools import stamps
from tools.engine.context import Context
from tools.errors import BuildError
from tools.tasks import gen

PB_GO = "go/graph/ids/v1/work_plan_id.pb.go"
GRPC_GO = "go/graph/ids/v1/grpcpb/ids_service_grpc.pb.go"
PB2 = "py/turboci/graph/ids/v1/work_plan_id_pb2.py"
BUILD_PB2 = "py/turboci/data/build/v1/build_pb2.py"


def ctx(root: Path) -> Context:
    return task_context(root)


@pytest.fixture(scope="session")
def generated_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An api_tree after gen, made once per test process: generating costs
    seconds, a copy milliseconds."""
    root = make_api_tree(tmp_path_factory.mktemp("generated") / "repo")
    gen.gen(ctx(root))
    return root


@pytest.fixture
def generated(generated_once: Path, tmp_path: Path) -> Path:
    """A fresh copy of an api_tree after gen, for one test to change."""
    root = tmp_path / "repo"
    shutil.copytree(generated_once, root, symlinks=True)
    return root


def test_generates_go_python_typed_and_grpc(generated: Path) -> None:
    files = snapshot(generated)
    for rel in (
        PB_GO,
        GRPC_GO,
        "go/graph/ids/v1/grpcpb/ids_service.pb.go",
        PB2,
        "py/turboci/graph/ids/v1/work_plan_id_pb2.pyi",
        "py/turboci/graph/ids/v1/ids_service_pb2_grpc.py",
        "py/turboci/graph/ids/v1/ids_service_pb2_grpc.pyi",
        "py/turboci/graph/ids/v1/ids_service_pb2.pyi",
        "py/turboci/graph/ids/v1/__init__.py",
        "py/turboci/__init__.py",
        "go/go.mod",
        "go/go.sum",
    ):
        assert rel in files, rel
    assert b"package idspb" in files[PB_GO]
    assert b"package idsgrpcpb" in files[GRPC_GO]
    gomod = files["go/go.mod"].decode()
    assert "module go.chromium.org/turboci/proto/go" in gomod
    pins = deps_mod.load(REPO / "DEPS")
    assert f"google.golang.org/grpc {pins.version('go_module', 'google.golang.org/grpc')}" in gomod
    assert f"\ngo {pins.version('go', 'directive')}\n" in gomod
    assert b"class WorkPlanId" in files["py/turboci/graph/ids/v1/work_plan_id_pb2.pyi"]


def test_check_passes_right_after_gen(generated: Path) -> None:
    gen.gen(ctx(generated), check=True)


def test_check_lists_missing_extra_and_differing(generated: Path) -> None:
    (generated / PB_GO).unlink()
    (generated / PB2).write_text("# edited by hand\n")
    (generated / "go/graph/ids/v1/gone.pb.go").write_text("package idspb\n")
    c = ctx(generated)
    with pytest.raises(BuildError, match="3 generated file"):
        gen.gen(c, check=True)
    out = output_of(c)
    assert f"{PB_GO}: missing" in out
    assert "go/graph/ids/v1/gone.pb.go: stale" in out
    assert f"{PB2}: differs" in out
    gen.gen(ctx(generated))
    gen.gen(ctx(generated), check=True)
    assert not (generated / "go/graph/ids/v1/gone.pb.go").exists()


def test_check_reports_go_mod_out_of_step_with_deps(generated: Path) -> None:
    deps = generated / "DEPS"
    pinned = deps_mod.load(deps).version("go_module", "google.golang.org/grpc")
    text = deps.read_text().replace(f'grpc" = "{pinned}"', 'grpc" = "v1.79.0"')
    deps.write_text(text.replace('directive = "1.25.0"', 'directive = "1.24.0"'))
    c = ctx(generated)
    with pytest.raises(BuildError):
        gen.gen(c, check=True)
    out = output_of(c)
    assert f"go/go.mod: requires google.golang.org/grpc {pinned}, DEPS pins v1.79.0" in out
    assert "go/go.mod: says go 1.25.0, DEPS [go] directive is 1.24.0" in out


def test_hand_written_files_are_never_touched(generated: Path) -> None:
    helper = generated / "go/graph/ids/v1/idstr.go"
    helper.write_text("package idspb\n")
    py_helper = generated / "py/turboci/utils/__init__.py"
    # gen writes the descriptor bundle into turboci/utils/, beside the helpers.
    py_helper.parent.mkdir(parents=True, exist_ok=True)
    py_helper.write_text('"""helpers"""\n')
    (generated / "turboci/graph/ids/v1/ids_service.proto").unlink()
    gen.gen(ctx(generated))
    assert helper.read_text() == "package idspb\n"
    assert py_helper.read_text() == '"""helpers"""\n'
    assert (generated / "py/turboci/utils/turboci.binpb.gz").exists()
    assert not (generated / GRPC_GO).exists()
    assert not (generated / "go/graph/ids/v1/grpcpb").exists()


def test_a_broken_proto_leaves_go_and_py_unchanged(generated: Path) -> None:
    before = snapshot(generated)
    shutil.copy(SEED_BAD_PROTO, generated / "turboci" / "dm.proto")
    with pytest.raises(BuildError) as info:
        gen.gen(ctx(generated))
    assert info.value.message.startswith("turboci/dm.proto:")
    after = snapshot(generated)
    del after["turboci/dm.proto"]
    assert after == before


def test_a_failing_generator_leaves_the_tree_unchanged(
    generated: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    proto = generated / "turboci/graph/ids/v1/work_plan_id.proto"
    proto.write_text(proto.read_text().replace("realm", "project"))
    before = snapshot(generated)
    # A mypy plugin that crashes, after the Go generators have succeeded.
    broken = tmp_path / "protoc-gen-mypy"
    broken.write_text("#!/bin/sh\necho 'mypy plugin crashed' >&2\nexit 1\n")
    broken.chmod(0o755)
    real_start = pygen.start  # the protoc of the Python stubs runs the mypy plugin

    def with_broken_plugin(python: Path, folder: Path, args: list[str], cwd: Path) -> Any:
        args = [
            f"--plugin=protoc-gen-mypy={broken}" if "protoc-gen-mypy=" in a else a for a in args
        ]
        return real_start(python, folder, args, cwd)

    monkeypatch.setattr(pygen, "start", with_broken_plugin)
    with pytest.raises(BuildError, match="mypy plugin crashed"):
        gen.gen(ctx(generated))
    assert snapshot(generated) == before


def test_rerun_with_nothing_changed_runs_no_generator(
    generated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*_: object, **__: object) -> None:
        raise AssertionError("a generator ran on unchanged inputs")

    monkeypatch.setattr(protoc, "start", fail)
    gen.gen(ctx(generated))
    gen.gen(ctx(generated), check=True)


def test_a_package_named_like_a_packaging_folder_is_generated(api_tree: Path) -> None:
    # py/build/ is a packaging leftover, but turboci/data/build/v1 is an API package.
    pkg = api_tree / "turboci/data/build/v1"
    pkg.mkdir(parents=True)
    (pkg / "build.proto").write_text(
        'syntax = "proto3";\n\npackage turboci.data.build.v1;\n\n'
        'option go_package = "go.chromium.org/turboci/proto/go/data/build/v1;buildpb";\n\n'
        "// A build.\n//\n// Next ID: 1\nmessage Build {}\n"
    )
    gen.gen(ctx(api_tree))
    assert (api_tree / BUILD_PB2).exists()
    gen.gen(ctx(api_tree), check=True)


def test_grpc_modules_only_for_files_with_a_service(generated: Path) -> None:
    files = snapshot(generated)
    assert "py/turboci/graph/ids/v1/ids_service_pb2_grpc.py" in files
    assert "py/turboci/graph/ids/v1/work_plan_id_pb2_grpc.py" not in files
    assert "py/turboci/graph/ids/v1/work_plan_id_pb2_grpc.pyi" not in files


THING_STATE_PROTO = """syntax = "proto3";

package turboci.graph.ids.v1;

option go_package = "go.chromium.org/turboci/proto/go/graph/ids/v1;idspb";

// Where a thing is.
enum ThingState {
  THING_STATE_UNKNOWN = 0;
  // Made.
  // Next states: THING_STATE_DONE.
  THING_STATE_NEW = 1;
  // Over.
  // Next states: none.
  THING_STATE_DONE = 2;
}

// A thing with a nested lifecycle.
message Thing {
  // Where a thing's phase is.
  enum Phase {
    PHASE_UNKNOWN = 0;
    // Next states: PHASE_TWO.
    PHASE_ONE = 1;
    // Next states: none.
    PHASE_TWO = 2;
  }
  Phase phase = 1;
}
"""
LIFECYCLE_PY = "py/turboci/utils/lifecycle.py"
LIFECYCLE_GO = "go/utils/lifecycle/lifecycle.go"
BUNDLES = ("py/turboci/utils/turboci.binpb.gz", "go/utils/turbocidesc/turboci.binpb.gz")


@pytest.mark.slow  # builds and vets the Go module it generates
def test_gen_owns_the_lifecycle_helpers_and_the_bundle(generated: Path) -> None:
    files = snapshot(generated)
    assert files[BUNDLES[0]] == files[BUNDLES[1]]
    assert LIFECYCLE_PY not in files, "an API without a lifecycle gets no helpers"
    proto = generated / "turboci/graph/ids/v1/thing_state.proto"
    proto.write_text(THING_STATE_PROTO)
    gen.gen(ctx(generated))
    files = snapshot(generated)
    assert "thing: Lifecycle[ThingState.ValueType]" in files[LIFECYCLE_PY].decode()
    assert "case idspb.ThingState_THING_STATE_NEW:" in files[LIFECYCLE_GO].decode()
    assert "case idspb.Thing_PHASE_ONE:" in files[LIFECYCLE_GO].decode()
    gen.gen(ctx(generated), check=True)
    # The helpers compile against the stubs, nested enum included.
    go = subprocess.run(
        ["go", "vet", "./utils/lifecycle/"],
        cwd=generated / "go",
        env=env.go_env(Layout(generated), GOPROXY="off"),
        capture_output=True,
        text=True,
    )
    assert go.returncode == 0, go.stderr
    shutil.copy(REPO / "py/turboci/utils/_lifecycle.py", generated / "py/turboci/utils/")
    py = subprocess.run(
        [
            sys.executable,
            "-c",
            "from turboci.utils.lifecycle import thing, thing_phase as phase; "
            "print(thing.next_states(1), phase.next_states(1), phase.is_final(2))",
        ],
        env={**os.environ, "PYTHONPATH": str(generated / "py")},
        capture_output=True,
        text=True,
    )
    assert py.stdout == "(2,) (2,) True\n", py.stderr
    (generated / "py/turboci/utils/_lifecycle.py").unlink()
    (generated / LIFECYCLE_PY).write_text("# edited by hand\n")
    (generated / BUNDLES[1]).unlink()
    c = ctx(generated)
    with pytest.raises(BuildError, match="2 generated file"):
        gen.gen(c, check=True)
    assert f"{LIFECYCLE_PY}: differs" in output_of(c)
    assert f"{BUNDLES[1]}: missing" in output_of(c)
    proto.unlink()
    gen.gen(ctx(generated))
    files = snapshot(generated)
    assert LIFECYCLE_PY not in files and LIFECYCLE_GO not in files
    assert all(b in files for b in BUNDLES)


def test_a_bundle_from_another_zlib_is_kept_while_its_payload_is_the_same(
    generated: Path,
) -> None:
    # Another zlib (zlib-ng, an older release) compresses the same payload to
    # other bytes: gen neither rewrites such a bundle nor calls it stale.
    for rel in BUNDLES:
        payload = gzip.decompress((generated / rel).read_bytes())
        (generated / rel).write_bytes(gzip.compress(payload, compresslevel=1, mtime=0))
    elsewhere = {rel: (generated / rel).read_bytes() for rel in BUNDLES}
    gen.gen(ctx(generated), check=True)
    gen.gen(ctx(generated))
    assert {rel: (generated / rel).read_bytes() for rel in BUNDLES} == elsewhere
    # A bundle whose payload differs, or that is no gzip at all, is stale.
    (generated / BUNDLES[0]).write_bytes(gzip.compress(b"\x0a\x00", mtime=0))
    (generated / BUNDLES[1]).write_bytes(b"not gzip")
    c = ctx(generated)
    with pytest.raises(BuildError, match="2 generated file"):
        gen.gen(c, check=True)
    assert f"{BUNDLES[0]}: differs" in output_of(c)
    assert f"{BUNDLES[1]}: differs" in output_of(c)


def test_a_forged_stamp_passes_no_check_that_does_not_trust_stamps(generated: Path) -> None:
    # A stamp anyone could write for the tampered tree: the key is a plain hash.
    (generated / PB2).write_text("# edited by hand\n")
    trusting = ctx(generated)
    stamps.record(trusting.layout, "gen", gen._key(trusting, deps_mod.load(trusting.layout.deps)))
    gen.gen(trusting, check=True)  # believed: the work is skipped
    wary = ctx(generated)
    wary.trust_stamps = False
    with pytest.raises(BuildError, match="1 generated file"):
        gen.gen(wary, check=True)
    assert f"{PB2}: differs" in output_of(wary)


def test_python_stubs_come_from_the_protoc_deps_pins_for_them(generated: Path) -> None:
    """py/ is written by the [python_gen] grpcio-tools, not the tools venv's:
    its version is what the wheel's grpcio floor and gencode check name."""
    pin = deps_mod.load(REPO / "DEPS").version("python_gen", "grpcio-tools")
    grpc_py = (generated / "py/turboci/graph/ids/v1/ids_service_pb2_grpc.py").read_text()
    assert f"GRPC_GENERATED_VERSION = '{pin}'" in grpc_py
    tools_pin = deps_mod.load(REPO / "DEPS").version("python", "grpcio-tools")
    assert f"GRPC_GENERATED_VERSION = '{tools_pin}'" not in grpc_py
    version = subprocess.run(
        pygen.command(REPO / "tools/venv/bin/python", REPO / "tools/pygen", ["--version"]),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()[-1]  # "libprotoc 31.1"
    gencode = re.search(r"# Protobuf Python Version: (\S+)", (generated / PB2).read_text())
    assert gencode is not None and gencode.group(1).endswith(f".{version}")


def test_gen_without_the_python_stubs_protoc_names_the_fix(generated: Path, tmp_path: Path) -> None:
    link = generated / "tools" / "pygen"
    link.unlink()
    (tmp_path / "empty").mkdir()
    link.symlink_to(tmp_path / "empty")  # `./build.py tools` installed nothing there
    before = snapshot(generated)
    (generated / "turboci/graph/ids/v1/work_plan_id.proto").write_text(
        (generated / "turboci/graph/ids/v1/work_plan_id.proto").read_text() + "\n// changed\n"
    )
    with pytest.raises(BuildError) as info:
        gen.gen(ctx(generated))
    assert info.value.message == (
        "tools/pygen: the protoc of the Python stubs (DEPS [python_gen]) is not installed; "
        "run ./build.py tools"
    )
    after = snapshot(generated)
    after.pop("turboci/graph/ids/v1/work_plan_id.proto")
    before.pop("turboci/graph/ids/v1/work_plan_id.proto")
    assert after == before


def test_a_hand_written_package_init_is_kept(generated: Path) -> None:
    init = generated / "py/turboci/__init__.py"
    init.write_text('__version__ = "9.9.9"\n')
    proto = generated / "turboci/graph/ids/v1/work_plan_id.proto"
    proto.write_text(proto.read_text() + "\n// changed\n")
    gen.gen(ctx(generated))
    assert init.read_text() == '__version__ = "9.9.9"\n'
    gen.gen(ctx(generated), check=True)
