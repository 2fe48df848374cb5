# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Runs a tool as a subprocess and reports failures as BuildErrors."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path

from tools import env as env_mod
from tools.errors import BuildError


def run(
    cmd: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    what: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `cmd`, capturing its output; a missing program is a one-line error."""
    try:
        return subprocess.run(
            list(cmd),
            cwd=cwd,
            env=env_mod.tool_env() if env is None else env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
    except FileNotFoundError:
        raise missing(cmd[0], what) from None


def missing(program: str, what: str | None) -> BuildError:
    name = what or Path(program).name
    return BuildError(
        f"{name} is missing ({program} not found): run `./build.py clean --tools`, "
        "then any ./build.py task reinstalls what DEPS pins"
    )


def start(
    cmd: Sequence[str], *, cwd: Path, env: Mapping[str, str] | None = None
) -> subprocess.Popen[str]:
    """Start `cmd` with its output piped, for a caller that works meanwhile."""
    try:
        return subprocess.Popen(
            list(cmd),
            cwd=cwd,
            env=env_mod.tool_env() if env is None else env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
    except FileNotFoundError:
        raise missing(cmd[0], None) from None


def output_of(proc: subprocess.CompletedProcess[str]) -> str:
    return "\n".join(s.rstrip("\n") for s in (proc.stdout, proc.stderr) if s.strip())
