# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""No public helper name disappears unannounced.

tests/py/public_names.json lists the public names of the helpers: each
Python helper module's __all__ and the exported declarations of each Go
package under go/utils/. A name that is listed but gone fails the test,
unless the newest CHANGELOG.md entry has a **Breaking** line naming it
(`name`): a rename keeps the old name as a deprecated alias instead. A new
name must be added to the list, so the list stays the whole public surface:
`tools/venv/bin/python -m tests.py.test_public_names` rewrites it.
"""

from __future__ import annotations

import importlib
import json
import re
import sys
import warnings
from pathlib import Path

from tests.conftest import REPO

SNAPSHOT = Path(__file__).with_name("public_names.json")
PY_MODULES = (
    "turboci",
    "turboci.utils.value",
    "turboci.utils.ids",
    "turboci.utils.descriptors",
    "turboci.utils.lifecycle",
    "turboci.utils.client",
    "turboci.utils.executor",
    "turboci.util.values",
    "turboci.util.ids",
)
_GO_FUNC = re.compile(r"^func (?:\(\w+ \*?([A-Z]\w*)(?:\[[^\]]*\])?\) )?([A-Z]\w*)", re.M)
_GO_DECL = re.compile(r"^(?:type|var|const) ([A-Z]\w*)", re.M)
_GO_BLOCK = re.compile(r"^(?:var|const|type) \((.*?)^\)", re.M | re.S)
_GO_BLOCK_NAME = re.compile(r"^\t([A-Z]\w*)", re.M)


def python_names() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for name in PY_MODULES:
            out[name] = sorted(importlib.import_module(name).__all__)
    return out


def go_names(root: Path = REPO / "go" / "utils") -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for package in sorted(p for p in root.iterdir() if p.is_dir()):
        names: set[str] = set()
        for source in package.glob("*.go"):
            if source.name.endswith("_test.go"):
                continue
            text = source.read_text(encoding="utf-8")
            for recv, func in _GO_FUNC.findall(text):
                names.add(f"{recv}.{func}" if recv else func)
            names.update(_GO_DECL.findall(text))
            for block in _GO_BLOCK.findall(text):
                names.update(_GO_BLOCK_NAME.findall(block))
        out[f"go/utils/{package.name}"] = sorted(names)
    return out


def current() -> dict[str, list[str]]:
    return {**python_names(), **go_names()}


def newest_breaking_lines(changelog: str) -> list[str]:
    entries = re.split(r"^## ", changelog, flags=re.M)
    newest = entries[1] if len(entries) > 1 else ""
    return [ln for ln in newest.splitlines() if "**Breaking**" in ln]


def unannounced_removals(
    listed: dict[str, list[str]], now: dict[str, list[str]], changelog: str
) -> list[str]:
    breaking = "\n".join(newest_breaking_lines(changelog))
    gone = [
        f"{module}: {name}"
        for module, names in sorted(listed.items())
        for name in names
        if name not in now.get(module, [])
    ]
    return [g for g in gone if f"`{g.split(': ')[1]}`" not in breaking]


def test_no_public_name_disappears_unannounced() -> None:
    listed = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    missing = unannounced_removals(listed, current(), changelog)
    assert not missing, (
        "public names gone without a deprecated alias or a **Breaking** line naming them "
        f"in the newest CHANGELOG.md entry: {missing}"
    )


def test_the_list_holds_every_public_name() -> None:
    listed = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    now = current()
    new = sorted(
        f"{m}: {n}" for m, names in now.items() for n in names if n not in listed.get(m, [])
    )
    assert not new, f"new public names; run python -m tests.py.test_public_names: {new}"


def test_a_removal_is_caught_unless_announced() -> None:
    listed = {"turboci.utils.value": ["digest", "lookup"]}
    now = {"turboci.utils.value": ["lookup"]}
    assert unannounced_removals(listed, now, "# Changelog\n\n## 1.0.0\n\n- x\n") == [
        "turboci.utils.value: digest"
    ]
    announced = "## 1.0.0\n\n- **Breaking**: `digest` is gone.\n\n## 0.9.0\n"
    assert unannounced_removals(listed, now, announced) == []
    # Only the newest entry counts: an old Breaking line announces nothing now.
    old = "## 1.0.0\n\n- x\n\n## 0.9.0\n\n- **Breaking**: `digest` is gone.\n"
    assert unannounced_removals(listed, now, old) == ["turboci.utils.value: digest"]


def test_go_exported_names_are_read_from_declarations(tmp_path: Path) -> None:
    pkg = tmp_path / "value"
    pkg.mkdir()
    (pkg / "value.go").write_text(
        "package value\n\nfunc Lookup[M any]() {}\nfunc helper() {}\n"
        'func (e *OmittedError) Error() string { return "" }\n'
        "type OmittedError struct{}\nvar ErrMissing = 1\n"
        "const (\n\tAlgo = 1\n\tlocal = 2\n)\n"
    )
    (pkg / "value_test.go").write_text("package value\n\nfunc TestX() {}\n")
    assert go_names(tmp_path) == {
        "go/utils/value": ["Algo", "ErrMissing", "Lookup", "OmittedError", "OmittedError.Error"]
    }


if __name__ == "__main__":
    SNAPSHOT.write_text(json.dumps(current(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    sys.exit(0)
