# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The one compile of the API that the build steps share, as build errors.

The core does the work (inputs, protoc, the per-file cache); this module
syncs the third-party protos first and turns the core's errors into
BuildErrors.
"""

from __future__ import annotations

from core import cached_compile as compiler
from core import inputs
from core.cached_compile import Compiled
from core.layout import Layout
from core.protoc import CompileError
from tools import thirdparty
from tools.errors import BuildError


def proto_files(layout: Layout) -> tuple[str, ...]:
    """Every API .proto, root-relative: the one definition of the API's inputs."""
    return inputs.find_protos(layout.root, layout.proto_roots)


def compile_api(layout: Layout, from_sources: bool = False) -> Compiled:
    """Compile the API (cached per file); raise the compiler's errors as a BuildError.

    `from_sources` reads no descriptor from the cache (it still refreshes
    it): what gen, docs and compile turn into files comes from protoc alone.
    """
    extra = thirdparty.includes(layout)
    files = proto_files(layout)
    if not files:
        raise BuildError(f"no .proto files under {', '.join(layout.proto_roots)}/; add one")
    try:
        return compiler.compile_files(
            layout.root,
            files,
            includes=extra,
            cache=layout.compile_cache,
            read_cache=not from_sources,
        )
    except CompileError as exc:
        raise BuildError(exc.lines) from None
    except OSError as exc:
        raise BuildError(f"{exc.filename or layout.compile_cache}: {exc.strerror}") from None
