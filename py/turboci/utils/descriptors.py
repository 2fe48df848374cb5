# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The TurboCI API's schema, shipped with the stubs.

`turboci.binpb.gz`, beside this module, holds every .proto file of the API
and of its imports as one gzipped FileDescriptorSet with source info
(comments and positions), and the well-known types that values and
refusals may need (google.protobuf's Struct, wrappers and Empty;
google.rpc's Status and error details). `./build.py gen` writes it from the same compile
as the stubs; Go embeds the same bytes in go/utils/turbocidesc.

    from turboci.utils import descriptors

    pool = descriptors.pool()
    work_plan = pool.FindMessageTypeByName("turboci.graph.orchestrator.v1.WorkPlan")

Every loader checks that the bundle is a whole TurboCI API and raises
`BundleError` (a ValueError) if it is truncated or not gzip, not a
FileDescriptorSet, not self-contained, or of another schema.
"""

from __future__ import annotations

import gzip
import zlib
from importlib import resources

from google.protobuf import descriptor_pb2
from google.protobuf import descriptor_pool
from google.protobuf.message import DecodeError

BUNDLE = "turboci.binpb.gz"
# A message every bundle of the TurboCI API defines (as Go's turbocidesc.Marker).
MARKER = "turboci.graph.orchestrator.v1.WorkPlan"

__all__ = ["BUNDLE", "MARKER", "BundleError", "bundle", "file_descriptor_set", "parse", "pool"]


class BundleError(ValueError):
    """The bytes are not a gzipped FileDescriptorSet of the whole TurboCI API."""


def bundle() -> bytes:
    """The shipped bundle's bytes, as gen wrote them."""
    return resources.files(__package__ or "turboci.utils").joinpath(BUNDLE).read_bytes()


def file_descriptor_set() -> descriptor_pb2.FileDescriptorSet:
    """The shipped bundle, parsed and checked; a new message on every call."""
    return parse(bundle())


def pool() -> descriptor_pool.DescriptorPool:
    """A new descriptor pool holding the shipped bundle (the comments are in
    file_descriptor_set()'s source_code_info)."""
    return _pool(file_descriptor_set())


def parse(data: bytes) -> descriptor_pb2.FileDescriptorSet:
    """Read a bundle (a gzipped FileDescriptorSet) and check that it is a
    whole TurboCI API; BundleError says what is wrong."""
    if not data:
        raise BundleError("descriptor bundle: not gzip data (0 bytes)")
    try:
        raw = gzip.decompress(data)
    except gzip.BadGzipFile as exc:
        raise BundleError(f"descriptor bundle: not gzip data ({len(data)} bytes): {exc}") from exc
    except (EOFError, zlib.error) as exc:
        raise BundleError(
            f"descriptor bundle: truncated or corrupt gzip data ({len(data)} bytes): {exc}"
        ) from exc
    fds = descriptor_pb2.FileDescriptorSet()
    try:
        fds.ParseFromString(raw)
    except DecodeError as exc:
        raise BundleError(f"descriptor bundle: not a FileDescriptorSet: {exc}") from exc
    _pool(fds)  # self-contained, and the TurboCI API
    return fds


def _pool(fds: descriptor_pb2.FileDescriptorSet) -> descriptor_pool.DescriptorPool:
    result = descriptor_pool.DescriptorPool()
    names = {f.name for f in fds.file}
    added: set[str] = set()
    for f in fds.file:
        missing = [d for d in f.dependency if d not in names]
        if missing:
            raise BundleError(
                f"descriptor bundle: its {len(fds.file)} files do not make a whole schema: "
                f"{f.name} imports {missing[0]}, which is not among them"
            )
        if any(d not in added for d in f.dependency):
            raise BundleError(f"descriptor bundle: {f.name} comes before a file it imports")
        try:
            result.Add(f)
        except (TypeError, ValueError) as exc:
            raise BundleError(f"descriptor bundle: {f.name}: {exc}") from exc
        added.add(f.name)
    try:
        result.FindMessageTypeByName(MARKER)
    except KeyError:
        raise BundleError(
            f"descriptor bundle: a schema of {len(fds.file)} files without {MARKER}, "
            "not the TurboCI API"
        ) from None
    return result
