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

from google.protobuf.message import Message

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


def field_behaviors(message_type: type[Message], field: str) -> set[str]:
    """The google.api.field_behavior values of a message's field, by name
    (read through descriptors: googleapis-common-protos ships no types)."""
    options = message_type.DESCRIPTOR.fields_by_name[field].GetOptions()
    for option, value in options.ListFields():
        if option.full_name == "google.api.field_behavior" and option.enum_type is not None:
            enum = option.enum_type
            return {enum.values_by_number[v].name for v in value}
    return set()
