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
"""

from __future__ import annotations

import gzip
import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # protobuf: only once a compile is at hand
    from core.compiler import Compiled


NAME = "turboci.binpb.gz"
GO_PATH = f"utils/turbocidesc/{NAME}"  # under go/
PY_PATH = f"turboci/utils/{NAME}"  # under py/


def encode(compiled: Compiled) -> bytes:
    raw = compiled.descriptor_set().SerializeToString(deterministic=True)
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=buf, mtime=0) as gz:
        gz.write(raw)
    return buf.getvalue()
