# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The descriptor bundle: the whole API as one gzipped FileDescriptorSet.

It holds every file of the compile, imports included (so it is
self-contained), with source info (comments and positions), imports before
importers and by name otherwise; then the well-known types a reader of
values and refusals needs without their modules (`EXTRA`: Struct and the
wrappers, which values may be, and google.rpc's Status and error details,
which refusals carry), as the pinned protobuf and googleapis-common-protos
describe them (without source info). It is byte-for-byte reproducible:
deterministic serialization, and a gzip member with no name, mtime 0, the
highest compression level (as Python's gzip writes it, OS byte 255). Go ships it with
`embed` (go/utils/turbocidesc), Python as package data
(turboci.utils.descriptors).

The compressed bytes also depend on the zlib that wrote them (zlib-ng, as
some distributions ship it, compresses differently), so gen compares a
bundle by its payload (same_payload) and keeps the one in the tree while the
payload is the same: a machine with another zlib neither rewrites it nor
sees it as stale.
"""

from __future__ import annotations

import gzip
import importlib
import io
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # protobuf: only once a compile is at hand
    from google.protobuf import descriptor_pb2
    from google.protobuf.descriptor import FileDescriptor

    from core.cached_compile import Compiled


NAME = "turboci.binpb.gz"
GO_PATH = f"utils/turbocidesc/{NAME}"  # under go/
PY_PATH = f"turboci/utils/{NAME}"  # under py/


# The modules of the extra files (google/protobuf/empty.proto, ...); their
# own imports (any.proto, duration.proto) come from the same runtime when
# the compile does not hold them.
EXTRA = (
    "google.protobuf.empty_pb2",
    "google.protobuf.struct_pb2",
    "google.protobuf.wrappers_pb2",
    "google.rpc.status_pb2",
    "google.rpc.error_details_pb2",
)


def descriptor_set(compiled: Compiled) -> descriptor_pb2.FileDescriptorSet:
    """The compile's files, then each of EXTRA the compile does not hold,
    each after the files it imports."""
    fds = compiled.descriptor_set()
    names = {f.name for f in fds.file}

    def add(file: FileDescriptor) -> None:
        if file.name in names:
            return
        for dependency in file.dependencies:
            add(dependency)
        file.CopyToProto(fds.file.add())
        names.add(file.name)

    for module in EXTRA:
        add(importlib.import_module(module).DESCRIPTOR)
    return fds


def encode(compiled: Compiled) -> bytes:
    raw = descriptor_set(compiled).SerializeToString(deterministic=True)
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=buf, mtime=0) as gz:
        gz.write(raw)
    return buf.getvalue()


def same_payload(a: Path, b: Path) -> bool:
    """Whether two bundles hold the same descriptor set, however compressed."""
    try:
        return gzip.decompress(a.read_bytes()) == gzip.decompress(b.read_bytes())
    except (OSError, EOFError, zlib.error):
        return False  # not a gzip member (or truncated): it differs
