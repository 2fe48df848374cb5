# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Writes what gen makes besides protoc's stubs into its stage, and names it.

`PATHS` are the files gen owns here (relative to the repository root):
`gen --check` compares them and `gen` swaps them in like the stubs. The
hand-written files beside them (turboci/utils/_lifecycle.py, the Go
example tests, go/utils/turbocidesc/turbocidesc.go) are not among them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from core.layout import Layout
from tools.stubs import bundle
from tools.stubs import lifecycle_go
from tools.stubs import lifecycle_py

if TYPE_CHECKING:  # protobuf: only once a compile is at hand
    from core.cached_compile import Compiled

PATHS = (
    f"go/{lifecycle_go.PATH}",
    f"go/{bundle.GO_PATH}",
    f"py/{lifecycle_py.PATH}",
    f"py/{bundle.PY_PATH}",
)
# What decides the outputs besides the compile: gen's stamp includes these.
MODULES = (
    "tools.stubs.outputs",
    "tools.stubs.machines",
    "tools.stubs.lifecycle_py",
    "tools.stubs.lifecycle_go",
    "tools.stubs.bundle",
    "tools.docs.lifecycle",
    "tools.docs.model",
    "core.comments",
)


def contents(compiled: Compiled) -> dict[str, bytes]:
    """Every output by its path relative to the repository root; the
    lifecycle helpers only when the API documents a lifecycle."""
    from tools.stubs import machines  # the docs' model reads descriptor protos

    found = machines.machines(compiled)
    data = bundle.encode(compiled)
    out = {f"go/{bundle.GO_PATH}": data, f"py/{bundle.PY_PATH}": data}
    if found:
        out[f"go/{lifecycle_go.PATH}"] = lifecycle_go.render(found).encode("utf-8")
        out[f"py/{lifecycle_py.PATH}"] = lifecycle_py.render(found).encode("utf-8")
    return out


def write(compiled: Compiled, stage: Path) -> None:
    """Write every output into `stage`, a scratch copy of the layout."""
    layout = Layout(stage)
    roots = {"go": layout.go, "py": layout.py}
    for rel, data in contents(compiled).items():
        top, _, rest = rel.partition("/")
        out = roots[top] / rest
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
