# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Keeps go/go.mod's go line and direct requirements in step with DEPS [go], [go_module]."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from core.layout import GO_MODULE
from core.layout import Layout
from tools import env
from tools.deps import Deps
from tools.errors import BuildError
from tools.run import output_of
from tools.run import run

# go.mod's go line when DEPS [go] pins no directive.
GO_VERSION = "1.25.0"


def directive(deps: Deps) -> str:
    pin = deps.go.get("directive")
    return pin.version if pin else GO_VERSION


def _go_env(layout: Layout) -> dict[str, str]:
    return env.go_env(layout, GOFLAGS="-mod=mod")


def _edit_json(go_dir: Path, layout: Layout) -> dict[str, Any]:
    if not (go_dir / "go.mod").exists():
        return {}
    proc = run(["go", "mod", "edit", "-json"], cwd=go_dir, env=_go_env(layout), what="go")
    if proc.returncode != 0:
        raise BuildError(f"go/go.mod: {output_of(proc)}")
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


def _direct(data: dict[str, Any]) -> dict[str, str]:
    """module -> version for every direct (non-indirect) requirement of `go mod edit -json`."""
    return {r["Path"]: r["Version"] for r in data.get("Require") or [] if not r.get("Indirect")}


def mismatches(go_dir: Path, deps: Deps, layout: Layout) -> list[str]:
    """One line per way go.mod's go line and direct requirements differ from DEPS."""
    return _mismatches(_edit_json(go_dir, layout), deps)


def _mismatches(data: dict[str, Any], deps: Deps) -> list[str]:
    have = _direct(data)
    want = {p.name: p.version for p in deps.go_module.values()}
    out: list[str] = []
    if data and data.get("Go") != directive(deps):
        out.append(f"go/go.mod: says go {data.get('Go')}, DEPS [go] directive is {directive(deps)}")
    for mod, ver in sorted(want.items()):
        if mod not in have:
            out.append(f"go/go.mod: does not require {mod} {ver} (pinned in DEPS)")
        elif have[mod] != ver:
            out.append(f"go/go.mod: requires {mod} {have[mod]}, DEPS pins {ver}")
    for mod in sorted(set(have) - set(want)):
        out.append(f"go/go.mod: requires {mod} directly, but DEPS [go_module] does not pin it")
    return out


def sync(go_dir: Path, deps: Deps, layout: Layout) -> bool:
    """Make go.mod require exactly the DEPS pins, then tidy; True if it changed."""
    if not deps.go_module:
        # Else tidy would pick the newest of every module from the network.
        raise BuildError(
            f"{deps.path.name}: [go_module] pins no module; it must pin the modules "
            "go/go.mod requires (google.golang.org/protobuf, google.golang.org/grpc, ...)"
        )
    gomod = go_dir / "go.mod"
    if not gomod.exists():
        gomod.write_text(f"module {GO_MODULE}\n\ngo {directive(deps)}\n", encoding="utf-8")
    before = _edit_json(go_dir, layout)
    if not _mismatches(before, deps) and (go_dir / "go.sum").exists():
        return False
    every = [r["Path"] for r in before.get("Require") or []]
    edits = [f"-go={directive(deps)}"]
    edits += [f"-require={p.name}@{p.version}" for p in deps.go_module.values()]
    # Indirect requirements too: tidy works them out again from the pins, so
    # lowering a pin lowers them (an old indirect one could need a newer Go).
    edits += [f"-droprequire={m}" for m in every if m not in deps.go_module]
    for cmd in (["go", "mod", "edit", *edits], ["go", "mod", "tidy"]):
        proc = run(cmd, cwd=go_dir, env=_go_env(layout), what="go")
        if proc.returncode != 0:
            raise BuildError(f"go/go.mod: `{' '.join(cmd[:3])}` failed: {output_of(proc)}")
    # tidy may raise a pin the generated code needs newer; DEPS must say so.
    after = _edit_json(go_dir, layout)
    for pin in deps.go_module.values():
        if pin.name not in _direct(after):
            raise BuildError(
                f"{pin.where(deps.path)}: go mod tidy drops {pin.name}: no Go code in go/ "
                "imports it; remove the pin from DEPS [go_module] or use the module"
            )
    left = _mismatches(after, deps)
    if left:
        raise BuildError(left[0] + " after `go mod tidy`: update the pin in DEPS to match")
    return True
