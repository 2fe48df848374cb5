# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""`turboci-format [--root DIR] [--check] [FILE...]`: buf format as a hook.

Formats the FILEs (no FILE: every proto the tree lints) in place, as
`./build.py format` does in this repo: they are compiled first (buf formats
what does not parse), the tree's writer lock is held (as lint --fix holds
it), and each file is replaced atomically, only while its bytes are those
compiled. Protos the tree's presubmit.toml keeps out of lint
(`include_only`, `exclude`) are left alone. Exit 0: nothing to change;
1: files were (or, with --check, would be) reformatted; 2: the files cannot
be formatted (one line each).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from typing import TextIO

from core import buf_format
from core import cached_compile as compiler
from core import errors
from core import tree as worktree
from core.console import utf8_output
from core.error_lines import relocated
from core.errors import UserError
from presubmit import cli
from presubmit import config as config_mod
from presubmit import discover
from presubmit import registry


class RefusedError(UserError):
    """The files cannot be formatted; `lines` say which and why."""


# Where pip put the scripts of this environment, buf-bin's buf among them.
SCRIPTS = Path(sys.executable).parent


def buf_program() -> str:
    """buf beside this Python (the buf-bin wheel), else on PATH."""
    here = shutil.which("buf", path=str(SCRIPTS)) or shutil.which("buf")
    if here is None:
        raise RefusedError(["buf not found: pip install buf-bin, or put buf on PATH"])
    return here


def _targets(root: Path, raw_paths: Sequence[str]) -> list[str]:
    """The protos among the FILEs (none: all) that the tree's config lints, root-relative."""
    config = config_mod.load(root, [r.spec for r in registry.all_rules()])
    paths = cli.relative_paths(raw_paths, root)
    return discover.proto_files(root, config, paths)


def format_files(
    root: Path, raw_paths: Sequence[str], check: bool, out: TextIO, prefix: str = ""
) -> int:
    """Format (or `check`) the FILEs under `root`; paths print with `prefix`
    (the root as seen from the current folder)."""

    def shown(name: str) -> str:
        return name if prefix in ("", ".") else f"{prefix}/{name}"

    targets = _targets(root, raw_paths)
    if not targets:
        return 0
    compiled = compiler.compile_files(root, targets, cache=worktree.cache_for(root))
    originals = {f: compiled.raw[f] for f in targets}
    buf = buf_program()
    with tempfile.TemporaryDirectory(prefix="turboci-format-") as scratch:
        # buf format needs no module cache: keep buf from creating one in HOME.
        env = dict(os.environ)
        env.setdefault("BUF_CACHE_DIR", str(Path(scratch) / "buf-cache"))
        new = buf_format.formatted(buf, originals, Path(scratch), env)
    if check:
        unformatted = [f for f in targets if new[f] != originals[f]]
        rerun = "turboci-format" if prefix in ("", ".") else f"turboci-format --root {prefix}"
        for f in unformatted:
            out.write(f"{shown(f)}: not formatted; run {rerun} {shown(f)}\n")
        return 1 if unformatted else 0
    changed = buf_format.write_back(root, new, originals)
    for f in changed:
        out.write(f"formatted {shown(f)}\n")
    return 1 if changed else 0


def main(
    argv: Sequence[str] | None = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr
) -> int:
    if out is sys.stdout:
        utf8_output()
    parser = argparse.ArgumentParser(
        prog="turboci-format", description="Format .proto files with buf format, safely."
    )
    parser.add_argument(
        "--root",
        type=Path,
        metavar="DIR",
        help="the proto tree's include root (default: the current folder)",
    )
    parser.add_argument(
        "--check", action="store_true", help="list the files that need formatting; change nothing"
    )
    parser.add_argument(
        "files", nargs="*", metavar="FILE", help="the .proto files to format (default: all)"
    )
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    seen: dict[str, Any] = {"prefix": "", "root": None}

    def body() -> int:
        root = seen["root"] = worktree.resolve_root(args.root or Path.cwd())
        prefix = seen["prefix"] = os.path.relpath(root, Path.cwd())
        if args.check:
            return format_files(root, args.files, True, out, prefix)
        # One writer at a time, as with lint --fix: the tree's own lock.
        with worktree.writer(
            root, "turboci-format", lambda line: print(line, file=err, flush=True)
        ):
            return format_files(root, args.files, False, out, prefix)

    return errors.guarded(
        body, err, parser.prog, lambda line: relocated(line, seen["prefix"], seen["root"])
    )


if __name__ == "__main__":
    sys.exit(main())
