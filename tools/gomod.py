# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Keeps go/go.mod's direct requirements in step with DEPS [go_module]."""

from __future__ import annotations

import json
from pathlib import Path

from core.layout import GO_MODULE
from core.layout import Layout
from tools import env
from tools.deps import Deps
from tools.errors import BuildError
from tools.run import output_of
from tools.run import run

GO_VERSION = "1.24"


def _go_env(layout: Layout) -> dict[str, str]:
    return env.go_env(layout, GOFLAGS="-mod=mod")


def direct_requires(go_dir: Path, layout: Layout) -> dict[str, str]:
    """module -> version for every direct (non-indirect) requirement."""
    if not (go_dir / "go.mod").exists():
        return {}
    proc = run(["go", "mod", "edit", "-json"], cwd=go_dir, env=_go_env(layout), what="go")
    if proc.returncode != 0:
        raise BuildError(f"go/go.mod: {output_of(proc)}")
    data = json.loads(proc.stdout)
    return {r["Path"]: r["Version"] for r in data.get("Require") or [] if not r.get("Indirect")}


def mismatches(go_dir: Path, deps: Deps, layout: Layout) -> list[str]:
    """One line per way go.mod's direct requirements differ from DEPS."""
    have = direct_requires(go_dir, layout)
    want = {p.name: p.version for p in deps.go_module.values()}
    out: list[str] = []
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
        gomod.write_text(f"module {GO_MODULE}\n\ngo {GO_VERSION}\n", encoding="utf-8")
    if not mismatches(go_dir, deps, layout) and (go_dir / "go.sum").exists():
        return False
    have = direct_requires(go_dir, layout)
    edits = [f"-require={p.name}@{p.version}" for p in deps.go_module.values()]
    edits += [f"-droprequire={m}" for m in have if m not in deps.go_module]
    for cmd in (["go", "mod", "edit", *edits], ["go", "mod", "tidy"]):
        proc = run(cmd, cwd=go_dir, env=_go_env(layout), what="go")
        if proc.returncode != 0:
            raise BuildError(f"go/go.mod: `{' '.join(cmd[:3])}` failed: {output_of(proc)}")
    # tidy may raise a pin the generated code needs newer; DEPS must say so.
    after = direct_requires(go_dir, layout)
    for pin in deps.go_module.values():
        if pin.name not in after:
            raise BuildError(
                f"{pin.where(deps.path)}: go mod tidy drops {pin.name}: no Go code in go/ "
                "imports it; remove the pin from DEPS [go_module] or use the module"
            )
    left = mismatches(go_dir, deps, layout)
    if left:
        raise BuildError(left[0] + " after `go mod tidy`: update the pin in DEPS to match")
    return True
