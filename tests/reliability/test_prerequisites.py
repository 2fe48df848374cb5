# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""§6 and §7: a cached "ok" sees every input; a failed prerequisite stops every write."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import git
from tests.reliability import support

Build = Callable[..., subprocess.CompletedProcess[str]]
WORK_PLAN_ID = f"{support.IDS}/work_plan_id.proto"


def test_an_ignored_proto_is_seen_by_the_fast_path(build_copy: Build, built_tree: Path) -> None:
    # The fast path answers for this tree as it stands, or the rest proves nothing.
    assert "nothing changed" in build_copy("all").stdout
    with (built_tree / ".git/info/exclude").open("a") as fh:
        fh.write("/turboci/graph/ids/v1/hidden.proto\n")
    (built_tree / support.IDS / "hidden.proto").write_text(
        support.MESSAGE.format(n=7, field="work_plan").replace("Part7", "Hidden")
    )
    proc = build_copy("all")
    assert "nothing changed" not in proc.stdout
    assert (built_tree / "go/graph/ids/v1/hidden.pb.go").exists()
    assert build_copy("gen", "--check").returncode == 0


def _bad_buf_yaml(root: Path) -> None:
    (root / "buf.yaml").write_text("version: v2\nlint:\n  use: [NO_SUCH_RULE]\n")


def _bad_deps(root: Path) -> None:
    (root / "DEPS").write_text((root / "DEPS").read_text() + "\n[python\n")


def _bad_presubmit_toml(root: Path) -> None:
    (root / "presubmit.toml").write_text("enable = [\n")


def _not_compiling(root: Path) -> None:
    path = root / support.IDS / "resolve_request.proto"
    path.write_text(path.read_text().replace("WorkPlanId work_plan", "NoSuchType work_plan"))


def _broken_tool(root: Path) -> None:
    """protoc-gen-go is there (so not reinstalled) but crashes."""
    bin_link = root / "tools" / "bin"
    real = bin_link.resolve()
    bin_link.unlink()
    bin_link.mkdir()
    for tool in real.iterdir():
        (bin_link / tool.name).symlink_to(tool)
    broken = bin_link / "protoc-gen-go"
    broken.unlink()
    broken.write_text("#!/bin/sh\necho 'protoc-gen-go crashed' >&2\nexit 1\n")
    broken.chmod(0o755)


BROKEN = {
    "buf.yaml": _bad_buf_yaml,
    "DEPS": _bad_deps,
    "presubmit.toml": _bad_presubmit_toml,
    "a proto that does not compile": _not_compiling,
}


@pytest.mark.parametrize("what", sorted(BROKEN))
def test_all_writes_nothing_when_a_prerequisite_fails(
    build_copy: Build, built_tree: Path, what: str
) -> None:
    git(built_tree, "add", "-A")
    git(built_tree, "commit", "-qm", "Generated")
    # A change gen and docs would write, and a proto format would rewrite.
    proto = built_tree / WORK_PLAN_ID
    proto.write_text(
        proto.read_text()
        .replace("realm", "realm_name")
        .replace("  optional string id", "optional     string id")
    )
    sources = proto.read_bytes()
    before = support.generated(built_tree)
    BROKEN[what](built_tree)
    proc = build_copy("all")
    assert proc.returncode in (1, 2), proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert support.generated(built_tree) == before
    assert proto.read_bytes() == sources


def test_lint_findings_do_not_block_gen_and_docs(build_copy: Build, built_tree: Path) -> None:
    proto = built_tree / WORK_PLAN_ID
    proto.write_text(proto.read_text().replace("realm", "realm_name").replace("Next ID: 3", ""))
    proc = build_copy("all")
    assert proc.returncode == 1
    assert "lint       FAIL" in proc.stdout
    assert b"realm_name" in (built_tree / "go/graph/ids/v1/work_plan_id.pb.go").read_bytes()
    assert "realm_name" in (built_tree / "docs/turboci.graph.ids.v1.md").read_text()


def test_a_failing_generator_keeps_docs_out_too(build_copy: Build, built_tree: Path) -> None:
    proto = built_tree / WORK_PLAN_ID
    proto.write_text(proto.read_text().replace("realm", "realm_name"))
    before = support.generated(built_tree)
    _broken_tool(built_tree)
    proc = build_copy("all")
    assert proc.returncode in (1, 2)
    assert "gen        FAIL" in proc.stdout
    assert support.generated(built_tree) == before
