# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Helpers for the lint suite's tests: write a small proto tree, lint it in-process."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from presubmit import cli
from presubmit import runner

# A config like this repo's presubmit.toml for a tree whose package root is
# `acme`: this repo's conventions turned on by name (LICENSE_HEADER's tests
# give it a header), so that a rule added later, off by default, stays off here.
REPO_LIKE_RULES = (
    "GO_PACKAGE",
    "FIELD_EXPLICIT_PRESENCE",
    "GOMOD_FIRST_PARTY",
    "DATA_ANNOTATIONS",
    "PROTOC_WARNINGS",
)
# The rules the tests on REPO_LIKE_CONFIG trees are about, named with --rules
# so that a rule added later, whatever its default, is not in their way.
REPO_LIKE_NAMED = (
    "--rules",
    ",".join(
        [
            *REPO_LIKE_RULES,
            "NEXT_ID",
            "IMPORT_ONE_PER_LINE",
            "SERVICE_FILE_ALONE",
            "ONE_SERVICE_PER_PACKAGE",
            "SYNTAX_DECLARED",
        ]
    ),
)
REPO_LIKE_CONFIG = f"""\
protos = ["."]
enable = {json.dumps(list(REPO_LIKE_RULES))}
[go_package]
prefix = "example.com/acme/go"
package_root = "acme"
[next_id]
required = true
[gomod]
path = "go/go.mod"
[data_annotations]
option = "acme.meta.v1.data"
packages = ["acme.payloads."]
"""


@dataclass
class Outcome:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    def rules(self) -> list[str]:
        return [item["rule"] for item in json.loads(self.out)]


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def run_cli(*argv: str | Path) -> Outcome:
    """`python -m presubmit ARGV`, in this process."""
    out, err = io.StringIO(), io.StringIO()
    code = cli.main([str(a) for a in argv], out=out, err=err)
    return Outcome(code, out.getvalue(), err.getvalue())


def lint(root: Path, *argv: str | Path) -> Outcome:
    return run_cli("--root", root, *argv)


def cold_lint(root: Path, *argv: str | Path) -> Outcome:
    """lint() with the tree's caches emptied first: what a first run says."""
    cache = runner.cache_for(root.resolve())
    assert cache is not None
    shutil.rmtree(cache, ignore_errors=True)
    return lint(root, *argv)
