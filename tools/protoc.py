"""Runs protoc (from grpcio-tools) and turns its errors into BuildErrors."""

from __future__ import annotations

import sys
from collections.abc import Callable
from collections.abc import Sequence
from pathlib import Path

from tools import paths
from tools import run as run_mod
from tools.errors import BuildError


def well_known_include() -> Path:
    """grpcio-tools ships google/protobuf/*.proto next to protoc."""
    import grpc_tools

    return Path(grpc_tools.__file__).parent / "_proto"


# protoc's entry point in grpcio-tools, without `python -m grpc_tools.protoc`'s
# imports, which cost more than a small compile: the include of the
# well-known types is passed explicitly instead.
_MAIN = (
    "import sys\n"
    "from grpc_tools import _protoc_compiler\n"
    "sys.exit(_protoc_compiler.run_main([a.encode() for a in ['protoc', *sys.argv[1:]]]))"
)


def command(args: Sequence[str]) -> list[str]:
    """The protoc command line for `args`, well-known types on the include path."""
    return [sys.executable, "-c", _MAIN, f"-I{well_known_include()}", *args]


def start(args: Sequence[str], cwd: Path = paths.REPO, exit_code: int = 1) -> Callable[[], None]:
    """Start protoc with `args`; the returned wait() raises its diagnostics
    as one BuildError. Callers start several and wait for them together."""
    proc = run_mod.start(command(args), cwd=cwd)

    def wait() -> None:
        _, stderr = proc.communicate()
        if proc.returncode != 0:
            prefix = f"{cwd}/"
            lines = [ln.replace(prefix, "") for ln in stderr.splitlines() if ln.strip()]
            raise BuildError("\n".join(lines) or "protoc failed with no message", exit_code)

    return wait


def run(args: Sequence[str], cwd: Path = paths.REPO, exit_code: int = 1) -> None:
    """Run protoc with `args`; raise its diagnostics as one BuildError."""
    start(args, cwd, exit_code)()
