# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from google.protobuf import descriptor_pb2

from core import protoc
from core.errors import UserError
from core.layout import Layout
from tests.conftest import SEED_BAD_PROTO
from tools import api_compile as compile_mod
from tools.errors import BuildError

API_FILES = (
    "turboci/graph/ids/v1/ids_service.proto",
    "turboci/graph/ids/v1/resolve_request.proto",
    "turboci/graph/ids/v1/resolve_response.proto",
    "turboci/graph/ids/v1/work_plan_id.proto",
)


def cache_entries(layout: Layout) -> list[str]:
    """The keys of the descriptor cache's entries."""
    db = sqlite3.connect(layout.compile_cache / "descriptors.sqlite")
    try:
        return sorted(key for (key,) in db.execute("SELECT key FROM entries"))
    finally:
        db.close()


def test_compiles_with_source_info_and_imports(api_tree: Path) -> None:
    result = compile_mod.compile_api(Layout(api_tree))
    assert result.files == API_FILES
    assert [f.name for f in result.targets()] == list(API_FILES)
    written = result.descriptor_set_path()
    fds = descriptor_pb2.FileDescriptorSet.FromString(written.read_bytes())
    names = [f.name for f in fds.file]
    assert "google/api/field_behavior.proto" in names
    assert names == list(result.protos)
    # A valid set for buf and protoc: every file after what it imports.
    for i, f in enumerate(fds.file):
        assert set(f.dependency) <= set(names[:i]), f.name
    own = next(f for f in fds.file if f.name.endswith("work_plan_id.proto"))
    assert own.source_code_info.location, "source info is needed by lint and docs"
    assert b'\nsyntax = "proto3";' in result.raw["turboci/graph/ids/v1/work_plan_id.proto"]


def test_proto_files_are_the_api_inputs(api_tree: Path) -> None:
    (api_tree / "turboci/notes.txt").write_text("not a proto\n")
    (api_tree / "turboci/.hidden").mkdir()
    (api_tree / "turboci/.hidden/x.proto").write_text('syntax = "proto3";\n')
    assert compile_mod.proto_files(Layout(api_tree)) == API_FILES


def test_a_proto_that_is_not_a_regular_file_is_refused(api_tree: Path) -> None:
    (api_tree / "turboci/gone.proto").symlink_to(api_tree / "nowhere.proto")
    with pytest.raises(UserError) as info:
        compile_mod.compile_api(Layout(api_tree))
    assert info.value.message == (
        "turboci/gone.proto: a dangling symlink; only regular files are read"
    )
    assert info.value.exit_code == 2


def test_unchanged_tree_is_not_recompiled(api_tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    layout = Layout(api_tree)
    first = compile_mod.compile_api(layout)

    def fail(*_: object, **__: object) -> None:
        raise AssertionError("protoc ran on an unchanged tree")

    monkeypatch.setattr(protoc, "start", fail)
    monkeypatch.setattr(protoc, "run", fail)
    again = compile_mod.compile_api(layout)
    assert again.key == first.key
    assert again.protos == first.protos
    assert list(again.protos) == list(first.protos)


def test_changed_content_changes_the_key(api_tree: Path) -> None:
    layout = Layout(api_tree)
    compile_mod.compile_api(layout)
    # From the cache: its set goes to the cache's folder (one from the
    # sources keeps its own, see the next test).
    first = compile_mod.compile_api(layout)
    first_set = first.descriptor_set_path()
    entries = cache_entries(layout)
    assert entries
    proto = api_tree / "turboci/graph/ids/v1/work_plan_id.proto"
    proto.write_text(proto.read_text().replace("realm", "project"))
    compile_mod.compile_api(layout)
    second = compile_mod.compile_api(layout)
    assert second.key != first.key
    assert second.descriptor_set_path() != first_set
    assert not first_set.exists(), "stale compiles are dropped"
    # The edited file (and what imports it) replaced their entries: none piles up.
    assert len(cache_entries(layout)) == len(entries)
    assert cache_entries(layout) != entries


def test_a_compile_from_the_sources_keeps_its_set_out_of_the_shared_folder(
    api_tree: Path,
) -> None:
    layout = Layout(api_tree)
    compile_mod.compile_api(layout)
    cached = compile_mod.compile_api(layout)
    fresh = compile_mod.compile_api(layout, from_sources=True)
    assert fresh.from_sources and not cached.from_sources
    assert fresh.key == cached.key
    # Another run's compile of the same key rewrites the shared set: the one
    # gen hands to protoc must not be that file.
    assert layout.compile_cache in cached.descriptor_set_path().parents
    assert layout.compile_cache not in fresh.descriptor_set_path().parents


def test_broken_seed_gives_compiler_location(api_tree: Path) -> None:
    shutil.copy(SEED_BAD_PROTO, api_tree / "turboci" / "dm_graph.proto")
    with pytest.raises(BuildError) as info:
        compile_mod.compile_api(Layout(api_tree))
    first = info.value.message.splitlines()[0]
    assert first.startswith("turboci/dm_graph.proto:"), first
    _, line, col, _ = first.split(":", 3)
    assert line.isdigit() and col.isdigit()
    assert "Traceback" not in info.value.message


def test_empty_tree_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match=r"no \.proto files under turboci/"):
        compile_mod.compile_api(Layout(tmp_path))


KIND_ENUM = """
// What a workplan is for.
enum WorkPlanKind {
  // Not set.
  WORK_PLAN_KIND_UNKNOWN = 0;
  // A build.
  WORK_PLAN_KIND_BUILD = 1;
}
"""
POISON = "WORK_PLAN_KIND_POISONED"


def poison_cache(layout: Layout, name: str) -> int:
    """Rewrite the cached descriptor of `name`: one more enum value, in no
    source; the row's hash is recomputed, so the row checks itself clean."""
    db = sqlite3.connect(layout.compile_cache / "descriptors.sqlite")
    rewritten = 0
    try:
        with db:
            for key, payload in db.execute("SELECT key, payload FROM entries").fetchall():
                proto = descriptor_pb2.FileDescriptorProto.FromString(payload)
                if proto.name != name:
                    continue
                proto.enum_type[0].value.add(name=POISON, number=7)
                data = proto.SerializeToString(deterministic=True)
                db.execute(
                    "UPDATE entries SET digest = ?, payload = ? WHERE key = ?",
                    (hashlib.sha256(data).digest(), data, key),
                )
                rewritten += 1
    finally:
        db.close()
    return rewritten


def _committed(root: Path) -> dict[str, bytes]:
    """The committed outputs: stubs, docs (the bundle is among the stubs)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for top in ("go", "py", "docs")
        for p in (root / top).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.mark.slow
@pytest.mark.parametrize("task", ["gen", "all", "docs"])
def test_a_poisoned_cache_row_never_reaches_the_committed_outputs(
    build_copy: Callable[..., subprocess.CompletedProcess[str]], api_tree: Path, task: str
) -> None:
    ids = api_tree / "turboci/graph/ids/v1"
    with (ids / "work_plan_id.proto").open("a") as fh:
        fh.write(KIND_ENUM)
    first = build_copy("all")
    assert first.returncode == 0, first.stdout + first.stderr
    assert not any(POISON.encode() in data for data in _committed(api_tree).values())
    assert poison_cache(Layout(api_tree), "turboci/graph/ids/v1/work_plan_id.proto") == 1
    # Another file changes: the poisoned one is unchanged, so its row is what
    # a cache-trusting compile would use.
    request = ids / "resolve_request.proto"
    request.write_text(request.read_text().replace("// The workplan asked about.", "// Asked."))
    run = build_copy(task)
    assert run.returncode == 0, run.stdout + run.stderr
    poisoned = [p for p, data in _committed(api_tree).items() if POISON.encode() in data]
    assert poisoned == []
    # What the task wrote is what the sources give.
    for checked in ["gen", "docs"] if task == "all" else [task]:
        proc = build_copy(checked, "--check")
        assert proc.returncode == 0, proc.stdout + proc.stderr
    out = api_tree / "out.binpb"
    proc = build_copy("compile", "-o", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert POISON.encode() not in out.read_bytes()
