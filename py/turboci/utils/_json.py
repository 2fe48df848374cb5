# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Which fields of a value's JSON the reader's schema lacks.

A value written by a newer schema, fetched as JSON, holds fields an older
reader does not define. `lookup` ignores them (forward compatibility);
this names them, as dotted paths (`artifacts[1].checksum`, `labels[os].x`),
so a reader can tell that the message it got is not the whole value.
"""

from __future__ import annotations

from google.protobuf.descriptor import Descriptor
from google.protobuf.descriptor import FieldDescriptor

# Types whose JSON is not an object of their fields: nothing inside them is
# a field of a schema (Any's inner fields are its packed type's, not looked into).
_OPAQUE = frozenset(
    "google.protobuf." + name
    for name in (
        "Any",
        "Struct",
        "Value",
        "ListValue",
        "Timestamp",
        "Duration",
        "FieldMask",
        "Empty",
        "DoubleValue",
        "FloatValue",
        "Int64Value",
        "UInt64Value",
        "Int32Value",
        "UInt32Value",
        "BoolValue",
        "StringValue",
        "BytesValue",
    )
)


def unknown_fields(obj: object, desc: Descriptor, path: str = "") -> list[str]:
    """The paths in `obj` (parsed JSON) that are no field of `desc`, in order."""
    if desc.full_name in _OPAQUE or not isinstance(obj, dict):
        return []
    fields: dict[str, FieldDescriptor] = {}
    for f in desc.fields:
        fields[f.name] = f
        fields[f.json_name] = f
    out: list[str] = []
    for key, val in obj.items():
        where = f"{path}.{key}" if path else str(key)
        field = fields.get(key)
        if field is None:
            out.append(where)
        elif field.message_type is not None and val is not None:
            out += _inside(field, field.message_type, val, where)
    return out


def _inside(field: FieldDescriptor, entry: Descriptor, val: object, where: str) -> list[str]:
    if entry.GetOptions().map_entry:
        value_type = entry.fields_by_name["value"].message_type
        if value_type is None or not isinstance(val, dict):
            return []
        return [p for k, v in val.items() for p in unknown_fields(v, value_type, f"{where}[{k}]")]
    if field.is_repeated:
        if not isinstance(val, list):
            return []
        return [p for i, v in enumerate(val) for p in unknown_fields(v, entry, f"{where}[{i}]")]
    return unknown_fields(val, entry, where)
