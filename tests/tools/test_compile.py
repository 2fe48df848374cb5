from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from google.protobuf import descriptor_pb2

from tests.conftest import SEED_BAD_PROTO
from tools import compile as compile_mod
from tools import protoc
from tools.errors import BuildError


def test_compiles_with_source_info_and_imports(api_tree: Path) -> None:
    result = compile_mod.compile_api(api_tree)
    assert result.files == (
        "turboci/graph/ids/v1/ids_service.proto",
        "turboci/graph/ids/v1/resolve_request.proto",
        "turboci/graph/ids/v1/resolve_response.proto",
        "turboci/graph/ids/v1/work_plan_id.proto",
    )
    fds = descriptor_pb2.FileDescriptorSet.FromString(result.descriptor_set.read_bytes())
    names = [f.name for f in fds.file]
    assert "google/api/field_behavior.proto" in names
    own = next(f for f in fds.file if f.name.endswith("work_plan_id.proto"))
    assert own.source_code_info.location, "source info is needed by lint and docs"


def test_unchanged_tree_is_not_recompiled(api_tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = compile_mod.compile_api(api_tree)

    def fail(*_: object, **__: object) -> None:
        raise AssertionError("protoc ran on an unchanged tree")

    monkeypatch.setattr(protoc, "run", fail)
    assert compile_mod.compile_api(api_tree) == first


def test_changed_content_changes_the_key(api_tree: Path) -> None:
    first = compile_mod.compile_api(api_tree)
    proto = api_tree / "turboci/graph/ids/v1/work_plan_id.proto"
    proto.write_text(proto.read_text().replace("realm", "project"))
    second = compile_mod.compile_api(api_tree)
    assert second.key != first.key
    assert not first.descriptor_set.exists(), "stale compiles are dropped"


def test_broken_seed_gives_compiler_location(api_tree: Path) -> None:
    shutil.copy(SEED_BAD_PROTO, api_tree / "turboci" / "dm_graph.proto")
    with pytest.raises(BuildError) as info:
        compile_mod.compile_api(api_tree)
    first = info.value.message.splitlines()[0]
    assert first.startswith("turboci/dm_graph.proto:"), first
    _, line, col, _ = first.split(":", 3)
    assert line.isdigit() and col.isdigit()
    assert "Traceback" not in info.value.message


def test_empty_tree_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match=r"no \.proto files under turboci/"):
        compile_mod.compile_api(tmp_path)
