# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The descriptor bundle: the whole API as one gzipped FileDescriptorSet.

It holds every file of the compile, imports included (so it is
self-contained), with source info (comments and positions), imports before
importers and by name otherwise. It is byte-for-byte reproducible:
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
import io
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # protobuf: only once a compile is at hand
    from core.cached_compile import Compiled


NAME = "turboci.binpb.gz"
GO_PATH = f"utils/turbocidesc/{NAME}"  # under go/
PY_PATH = f"turboci/utils/{NAME}"  # under py/


def encode(compiled: Compiled) -> bytes:
    raw = compiled.descriptor_set().SerializeToString(deterministic=True)
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
