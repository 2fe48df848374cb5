# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The turboci-proto-lint distribution (the root's pyproject.toml) that the
pre-commit hooks install: its pins, packages and entry points."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from pre_commit.clientlib import load_config
from pre_commit.clientlib import load_manifest

from core.layout import REPO
from tools import deps

PROJECT = tomllib.loads((REPO.root / "pyproject.toml").read_text())["project"]
SETUPTOOLS = tomllib.loads((REPO.root / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_dependencies_are_pinned_as_in_deps() -> None:
    pinned = {name: pin.version for name, pin in deps.load(REPO.deps).python.items()}
    wanted: dict[str, str] = {}
    for requirement in PROJECT["dependencies"]:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)==(\S+)", requirement)
        assert match, f"{requirement}: not pinned with =="
        wanted[match[1]] = match[2]
    assert wanted == {name: pinned[name] for name in wanted}
    # What the hooks run: protoc, buf and the common googleapis protos.
    assert set(wanted) == {"protobuf", "grpcio-tools", "googleapis-common-protos", "buf-bin"}


def test_every_package_of_the_hooks_is_shipped() -> None:
    found = {
        ".".join(p.parent.relative_to(REPO.root).parts)
        for top in ("core", "presubmit", "hooks")
        for p in (REPO.root / top).rglob("__init__.py")
    }
    assert set(SETUPTOOLS["packages"]) == found


def test_the_manifest_is_valid_and_names_the_entry_points() -> None:
    # pre-commit's own loader validates it as pre-commit will.
    manifest = load_manifest(str(REPO.root / ".pre-commit-hooks.yaml"))
    scripts = PROJECT["scripts"]
    assert {h["id"]: h["entry"] for h in manifest} == {
        "turboci-proto-format": "turboci-format",
        "turboci-proto-format-check": "turboci-format --check",
        "turboci-proto-lint": "turboci-lint",
    }
    for hook in manifest:
        assert hook["language"] == "python"
        module, function = scripts[hook["entry"].split()[0]].split(":")
        assert Path(REPO.root, *module.split(".")).with_suffix(".py").is_file()
        assert function == "main"


def test_the_readme_example_is_a_valid_config(tmp_path: Path) -> None:
    readme = (REPO.root / "README.md").read_text()
    section = readme.split("## pre-commit hooks\n", 1)[1].split("\n## ", 1)[0]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(example)
    loaded = load_config(str(config))
    manifest = {h["id"] for h in load_manifest(str(REPO.root / ".pre-commit-hooks.yaml"))}
    used = {h["id"] for repo in loaded["repos"] for h in repo["hooks"]}
    assert used and used <= manifest
