# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The one protoc wrapper: the compiler of the pinned grpcio-tools, and its diagnostics.

Every consumer (the compile, gen's plugins, the lint suite) starts protoc
here, so every one of them gets the same include of the well-known types
and the same cleaned-up, capped error lines.
"""

from __future__ import annotations

import functools
import importlib.metadata
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from core.errors import UserError

# Shown at most; the rest is summed up in one line.
MAX_ERROR_LINES = 20

# protoc's entry point in grpcio-tools, without the imports of
# `python -m grpc_tools.protoc` (a fifth of a small compile): the include of
# the well-known types is passed explicitly instead.
_MAIN = (
    "import sys\n"
    "from grpc_tools import _protoc_compiler\n"
    "sys.exit(_protoc_compiler.run_main([a.encode() for a in ['protoc', *sys.argv[1:]]]))"
)
# Noise on protoc's stderr: absl's logging preamble and warnings (unused imports).
_ABSL = re.compile(r"^(WARNING: All log messages|[IWEF]\d{4} )")
# With a place or without one (`x.proto: warning: Import y.proto is unused.`).
_WARNING = re.compile(r"^\S+?(:\d+:\d+)?: warning:")
_IMPORT_NOT_FOUND = re.compile(r'^\S+:\d+:\d+: Import "([^"]+)" was not found')


class CompileError(UserError):
    """protoc (or a check before it) refused the inputs; `lines` are `path:line:col: msg`."""


def well_known_include() -> Path:
    """grpcio-tools ships google/protobuf/*.proto next to its protoc."""
    import grpc_tools

    return Path(grpc_tools.__file__).parent / "_proto"


@functools.cache
def googleapis_include() -> Path | None:
    """Where the installed googleapis-common-protos keeps google/api/*.proto and
    the other common protos (google/rpc, google/type), if it is installed."""
    try:
        dist = importlib.metadata.distribution("googleapis-common-protos")
    except importlib.metadata.PackageNotFoundError:
        return None
    base = Path(str(dist.locate_file("")))
    return base if (base / "google" / "api" / "annotations.proto").is_file() else None


def library_includes() -> tuple[Path, ...]:
    """The includes after a tree's own: the well-known types, then the common
    googleapis protos, so a tree that imports google/api/*.proto without
    carrying copies still compiles.

    They come last, so a tree's own copies win instead of being told they
    are shadowed; the well-known types come before site-packages, which
    holds the googleapis protos, so they are always protoc's own.
    """
    common = googleapis_include()
    return (well_known_include(), *((common,) if common is not None else ()))


def command(args: Sequence[str], library: bool = True) -> list[str]:
    """The protoc command line for `args`, the library includes last (unless
    `library` is False: every import then comes from `args`)."""
    extra = [f"-I{p}" for p in library_includes()] if library else []
    return [sys.executable, "-c", _MAIN, *args, *extra]


def environment() -> dict[str, str]:
    """protoc's plugins are short-lived Go programs: without a garbage collector
    until the heap nears 1 GiB they spend a fifth less CPU. A value the user set wins."""
    env = dict(os.environ)
    env.setdefault("GOGC", "off")
    env.setdefault("GOMEMLIMIT", "1GiB")
    return env


def start(
    args: Sequence[str],
    cwd: Path,
    stdout: int | None = subprocess.DEVNULL,
    stderr: int | None = None,
    library: bool = True,
) -> subprocess.Popen[bytes]:
    """Start protoc with `args` in `cwd`; stderr is piped unless a file is given."""
    return subprocess.Popen(
        command(args, library),
        cwd=cwd,
        env=environment(),
        stdout=stdout,
        stderr=subprocess.PIPE if stderr is None else stderr,
    )


def diagnostics(stderr: bytes | str, cwd: Path | None = None) -> list[str]:
    """protoc's error lines, without its noise, with paths relative to `cwd`."""
    text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr
    prefix = f"{cwd}/" if cwd is not None else None
    lines: list[str] = []
    for line in text.splitlines():
        line = line.rstrip()
        if not line or _ABSL.match(line) or _WARNING.match(line):
            continue
        if prefix:
            line = line.replace(prefix, "")
        if line not in lines:
            lines.append(line)
    # "x.proto: File not found." names the missing file, not who imports it;
    # the importer's `path:line:col: Import "x.proto" was not found` says both.
    imported = {m.group(1) for ln in lines if (m := _IMPORT_NOT_FOUND.search(ln))}
    return [ln for ln in lines if ln.removesuffix(": File not found.") not in imported]


def capped(lines: Sequence[str], limit: int = MAX_ERROR_LINES) -> list[str]:
    """At most `limit` lines, then `… and N more`."""
    if len(lines) <= limit:
        return list(lines)
    return [*lines[:limit], f"… and {len(lines) - limit} more"]


def run(args: Sequence[str], cwd: Path) -> None:
    """Run protoc; raise CompileError with its cleaned diagnostics if it fails."""
    proc = subprocess.run(command(args), cwd=cwd, env=environment(), capture_output=True)
    if proc.returncode != 0:
        lines = diagnostics(proc.stderr, cwd) or ["protoc failed with no message"]
        raise CompileError(capped(lines))
