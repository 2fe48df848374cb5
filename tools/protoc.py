"""Runs protoc (from grpcio-tools) and turns its errors into BuildErrors."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from tools import paths
from tools.errors import BuildError


def well_known_include() -> Path:
    """grpcio-tools ships google/protobuf/*.proto next to protoc."""
    import grpc_tools

    return Path(grpc_tools.__file__).parent / "_proto"


def run(args: Sequence[str], cwd: Path = paths.REPO, exit_code: int = 1) -> None:
    """Run protoc with `args`; raise its diagnostics as one BuildError."""
    cmd = [sys.executable, "-m", "grpc_tools.protoc", f"-I{well_known_include()}", *args]
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, errors="replace")
    if proc.returncode != 0:
        prefix = f"{cwd}/"
        lines = [ln.replace(prefix, "") for ln in proc.stderr.splitlines() if ln.strip()]
        raise BuildError("\n".join(lines) or "protoc failed with no message", exit_code)
