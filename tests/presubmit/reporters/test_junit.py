# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""junit: valid against a structural schema of the Ant/Jenkins JUnit XSD."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import jsonschema  # type: ignore[import-untyped]
import pytest

from presubmit.finding import Finding
from presubmit.reporters import junit
from tests.presubmit.reporters.sample import FINDINGS
from tests.presubmit.reporters.sample import render
from tests.presubmit.reporters.schemas import JUNIT_SCHEMA
from tests.presubmit.reporters.schemas import xml_to_dict


@pytest.mark.parametrize("findings", [FINDINGS, []])
def test_junit_is_valid(findings: list[Finding]) -> None:
    text = render("junit", findings)
    root = ET.fromstring(text)
    doc = xml_to_dict(root)
    jsonschema.Draft7Validator(JUNIT_SCHEMA).validate(doc)
    suite = root.find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert int(suite.attrib["tests"]) == len(cases)
    assert int(suite.attrib["failures"]) == len(suite.findall("testcase/failure"))
    assert int(suite.attrib["skipped"]) == len(suite.findall("testcase/skipped"))
    if findings:
        assert cases[0].attrib["name"] == "a/b.proto:3:5"
        failure = cases[0].find("failure")
        assert failure is not None and failure.attrib["type"] == "NEXT_ID"


def test_junit_rejects_a_broken_report() -> None:
    doc = xml_to_dict(junit.build(FINDINGS))
    doc["children"][0]["attrib"].pop("name")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(JUNIT_SCHEMA).validate(doc)
