# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Where the API tests find the generated stubs, and how they load them.

The tests run against the stubs that `./build.py gen` writes into py/, the
same ones downstream users install, so importing this module puts py/ first
on sys.path.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PY = REPO / "py"
EXAMPLES = REPO / "examples"
MARKER = PY / "turboci" / "graph" / "orchestrator" / "v1" / "work_plan_pb2.py"

if str(PY) not in sys.path:
    sys.path.insert(0, str(PY))


def import_all_stubs() -> list[str]:
    """Import every generated message module, so Any values of any API type
    can be parsed and unpacked; return the module names."""
    names: list[str] = []
    for path in sorted((PY / "turboci").rglob("*_pb2.py")):
        name = ".".join(path.relative_to(PY).with_suffix("").parts)
        importlib.import_module(name)
        names.append(name)
    return names
