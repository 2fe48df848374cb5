# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Running build.py on a scratch checkout (tests/conftest.py's build_copy) and
looking at what it left."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import build_env
from tests.conftest import git

GENERATED = ("go", "py", "docs")
IDS = "turboci/graph/ids/v1"


def start(root: Path, *args: str) -> subprocess.Popen[str]:
    """build.py in its own process group, so a kill reaches its protoc children too."""
    return subprocess.Popen(
        [sys.executable, str(root / "build.py"), *args],
        cwd=root,
        env=build_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def generated(root: Path, tops: tuple[str, ...] = GENERATED) -> dict[str, bytes]:
    """Every file under the generated folders (hand-written ones included)."""
    out: dict[str, bytes] = {}
    for top in tops:
        for p in sorted((root / top).rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts:
                out[p.relative_to(root).as_posix()] = p.read_bytes()
    return out


MESSAGE = """\
// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

syntax = "proto3";

package turboci.graph.ids.v1;

import "turboci/graph/ids/v1/work_plan_id.proto";

option go_package = "go.chromium.org/turboci/proto/go/graph/ids/v1;idspb";

// Names one part {n} of a workplan.
//
// Next ID: 2
message Part{n} {{
  // The workplan the part belongs to.
  optional WorkPlanId {field} = 1;
}}
"""


def add_parts(root: Path, count: int, field: str = "work_plan") -> None:
    """`count` more protos (and so more generated files, a longer swap)."""
    for n in range(count):
        (root / IDS / f"part{n}.proto").write_text(MESSAGE.format(n=n, field=field))


def change_every_proto(root: Path) -> None:
    """A change that alters every generated file, adds one proto and deletes one."""
    for path in (root / IDS).glob("part*.proto"):
        path.write_text(path.read_text().replace(" work_plan = 1;", " work_plan_ref = 1;"))
    (root / IDS / "part0.proto").unlink()
    n = 1000
    (root / IDS / f"part{n}.proto").write_text(MESSAGE.format(n=n, field="work_plan"))
    ids = root / IDS / "work_plan_id.proto"
    ids.write_text(ids.read_text().replace("string realm = 2;", "string realm_name = 2;"))


def reset(root: Path) -> None:
    """Back to the last commit (the caches in .cache/ stay)."""
    git(root, "checkout", "-q", "--", ".")
    git(root, "clean", "-fdq", "--", *GENERATED, "turboci")


def generated_of(files: dict[str, bytes], tops: tuple[str, ...]) -> dict[str, bytes]:
    """The part of a generated() snapshot under `tops`."""
    return {k: v for k, v in files.items() if k.split("/", 1)[0] in tops}
