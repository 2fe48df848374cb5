# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The descriptor bundle is the API as a fresh compile gives it, and loads safely.

`./build.py gen` writes the same bytes to go/utils/turbocidesc/ (embedded)
and py/turboci/utils/ (package data); turboci.utils.descriptors loads them
and refuses anything that is not a whole TurboCI API. Go's loader has the
same checks, tested in go/utils/turbocidesc.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from google.protobuf import descriptor_pb2
from turboci.utils import descriptors

from core import cached_compile as compiler
from core.layout import Layout
from tests.api.support import REPO
from tools.api_compile import proto_files
from tools.stubs import bundle
from turboci.graph.orchestrator.v1 import work_plan_pb2

SHIPPED = [REPO / "go" / bundle.GO_PATH, REPO / "py" / bundle.PY_PATH]


@pytest.fixture(scope="module")
def fresh() -> compiler.Compiled:
    """The API compiled from scratch, with no cache."""
    return compiler.compile_files(REPO, proto_files(Layout(REPO)), cache=None)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.relative_to(REPO).as_posix())
def test_shipped_bundle_is_a_fresh_compile(path: Path, fresh: compiler.Compiled) -> None:
    # By payload: the compressed bytes depend on the zlib that wrote them.
    shipped = gzip.decompress(path.read_bytes())
    assert shipped == gzip.decompress(bundle.encode(fresh)), "run ./build.py gen"


def test_bundle_is_reproducible(fresh: compiler.Compiled) -> None:
    data = bundle.encode(fresh)
    assert data == bundle.encode(fresh)
    assert data[4:8] == b"\0\0\0\0", "gzip mtime must be 0"
    assert data[3] & 0x08 == 0, "no file name in the gzip header"
    fds = descriptor_pb2.FileDescriptorSet.FromString(gzip.decompress(data))
    assert fds.SerializeToString(deterministic=True) == gzip.decompress(data)
    names = [f.name for f in fds.file]
    assert set(fresh.files) <= set(names), "every API file"
    seen: set[str] = set()
    for f in fds.file:
        assert set(f.dependency) <= seen, f"{f.name} comes before what it imports"
        seen.add(f.name)


def test_bundle_has_the_comments() -> None:
    fds = descriptors.file_descriptor_set()
    by_name = {f.name: f for f in fds.file}
    state = by_name["turboci/graph/orchestrator/v1/stage_attempt_state.proto"]
    comments = [loc.leading_comments for loc in state.source_code_info.location]
    assert any("Next states:" in c for c in comments)


def test_pool_agrees_with_the_stubs() -> None:
    pool = descriptors.pool()
    stub = work_plan_pb2.WorkPlan.DESCRIPTOR
    loaded = pool.FindMessageTypeByName(stub.full_name)
    assert [f.name for f in loaded.fields] == [f.name for f in stub.fields]
    want = descriptor_pb2.FileDescriptorProto()
    stub.file.CopyToProto(want)
    have = descriptor_pb2.FileDescriptorProto()
    loaded.file.CopyToProto(have)
    assert have == want


def _gz(message: descriptor_pb2.FileDescriptorSet) -> bytes:
    return gzip.compress(message.SerializeToString())


def _other_schema() -> bytes:
    fds = descriptor_pb2.FileDescriptorSet()
    descriptor_pb2.DESCRIPTOR.CopyToProto(fds.file.add())
    return _gz(fds)


def _not_self_contained() -> bytes:
    fds = descriptors.file_descriptor_set()
    kept = [f for f in fds.file if not f.name.startswith("google/")]
    del fds.file[:]
    fds.file.extend(kept)
    return _gz(fds)


def _out_of_order() -> bytes:
    fds = descriptors.file_descriptor_set()
    files = list(fds.file)
    del fds.file[:]
    fds.file.extend(reversed(files))
    return _gz(fds)


SHIPPED_BYTES = (REPO / "py" / bundle.PY_PATH).read_bytes()
BAD = {
    "empty": (b"", "not gzip data"),
    "not gzip": (b"FileDescriptorSet", "not gzip data"),
    "truncated": (SHIPPED_BYTES[: len(SHIPPED_BYTES) // 2], "truncated or corrupt"),
    "truncated trailer": (SHIPPED_BYTES[:-4], "truncated or corrupt"),
    "not a set": (gzip.compress(b"\xff\xff"), "not a FileDescriptorSet"),
    "another schema": (_other_schema(), "not the TurboCI API"),
    "not self-contained": (_not_self_contained(), "do not make a whole schema"),
    "imports after importers": (_out_of_order(), "comes before a file it imports"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_bundle_is_refused_with_a_clear_error(case: str) -> None:
    data, says = BAD[case]
    with pytest.raises(descriptors.BundleError, match=says):
        descriptors.parse(data)


def test_bundle_carries_the_well_known_types_values_and_refusals_need() -> None:
    # A value may be a Struct or a wrapper, and refusals carry google.rpc's
    # Status and error details: a reader without those modules resolves them here.
    pool = descriptors.pool()
    for name in (
        "google.protobuf.Struct",
        "google.protobuf.Int64Value",
        "google.protobuf.Empty",
        "google.rpc.Status",
        "google.rpc.ErrorInfo",
        "google.rpc.BadRequest",
    ):
        assert pool.FindMessageTypeByName(name).full_name == name
