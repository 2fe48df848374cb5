# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The JSON report of `./build.py presubmit --json F`, as a JSON Schema."""

from __future__ import annotations

from typing import Any

_FINDING = {
    "type": "object",
    "required": ["path", "line", "column", "rule", "message", "element"],
    "properties": {
        "path": {"type": "string"},
        "line": {"type": "integer", "minimum": 1},
        "column": {"type": "integer", "minimum": 1},
        "rule": {"type": "string"},
        "message": {"type": "string"},
        "element": {"type": "string"},
    },
}
_CHECK = {
    "type": "object",
    "required": ["name", "status", "seconds", "reason", "output", "findings"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "status": {"enum": ["ok", "warning", "FAIL", "skipped"]},
        "seconds": {"type": "number", "minimum": 0},
        "reason": {"type": "string"},
        "output": {"type": "string"},
        "findings": {"type": "array", "items": _FINDING},
    },
}
REPORT_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["result", "basis", "basis_why", "footer", "uncommitted", "seconds", "checks"],
    "additionalProperties": False,
    "properties": {
        "result": {"enum": ["pass", "fail"]},
        "basis": {"type": ["string", "null"], "pattern": "^[0-9a-f]{40}$"},
        "basis_why": {"type": "string"},
        "footer": {"type": ["string", "null"]},
        "uncommitted": {"type": "array", "items": {"type": "string"}},
        "seconds": {"type": "number", "minimum": 0},
        "checks": {"type": "array", "minItems": 1, "items": _CHECK},
    },
}
