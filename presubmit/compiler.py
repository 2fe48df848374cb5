"""The one compile a lint run needs: the real protoc, in parallel, with source info.

The files are split into batches, one protoc per core, each writing a
descriptor set of just its own files (no --include_imports, so no file
appears twice). Two serialized FileDescriptorSets concatenated are one valid
FileDescriptorSet, so merging is a byte join and one parse.

Before protoc runs, every input is checked for what protoc accepts silently
or reports badly: empty files, files that are not UTF-8 or are binary, and
files too large to be a hand-written proto.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from google.protobuf import descriptor_pb2


class CompileError(Exception):
    """The inputs do not compile; `lines` are compiler-style diagnostics."""

    def __init__(self, lines: Sequence[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = list(lines)


# protoc diagnostics worth showing: `path:line:col: msg` or `path: msg`; the
# absl logging preamble and warnings (unused imports) are not errors.
_ABSL = re.compile(r"^(WARNING: All log messages|[IWEF]\d{4} )")
_WARNING = re.compile(r"^\S+:\d+:\d+: warning:")
MAX_ERROR_LINES = 50
SPLIT_AT = 64


def well_known_include() -> Path:
    """grpcio-tools ships google/protobuf/*.proto next to its protoc."""
    import grpc_tools

    return Path(grpc_tools.__file__).parent / "_proto"


def _first_bad_utf8(data: bytes) -> tuple[int, int, int] | None:
    """(line, column, byte) of the first byte that is not UTF-8, 1-based."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return line, col, data[exc.start]
    return None


def precheck(root: Path, files: Sequence[str], max_bytes: int) -> dict[str, bytes]:
    """Read every input; raise CompileError for the ones protoc would mishandle."""
    raw: dict[str, bytes] = {}
    errors: list[str] = []
    for rel in files:
        path = root / rel
        try:
            size = path.stat().st_size
            if size > max_bytes:
                errors.append(
                    f"{rel}:1:1: file is {size} bytes, over the {max_bytes}-byte limit for a "
                    "hand-written .proto"
                )
                continue
            data = path.read_bytes()
        except OSError as exc:
            errors.append(f"{rel}:1:1: cannot read: {exc.strerror}")
            continue
        nul = data.find(b"\0")
        if nul >= 0:
            line = data.count(b"\n", 0, nul) + 1
            errors.append(f"{rel}:{line}:1: binary file (NUL byte at offset {nul}), not a .proto")
            continue
        bad = _first_bad_utf8(data)
        if bad is not None:
            errors.append(f"{rel}:{bad[0]}:{bad[1]}: not UTF-8 (byte 0x{bad[2]:02x})")
            continue
        if not data.strip():
            errors.append(f"{rel}:1:1: empty file: a .proto needs at least a syntax statement")
            continue
        raw[rel] = data
    if errors:
        raise CompileError(errors)
    return raw


def _clean(stderr: str) -> list[str]:
    lines: list[str] = []
    for line in stderr.splitlines():
        line = line.rstrip()
        if not line or _ABSL.match(line) or _WARNING.match(line):
            continue
        lines.append(line)
    return lines


def batches(files: Sequence[str], jobs: int) -> list[list[str]]:
    """Contiguous slices of the sorted files: a package's files share imports,
    so keeping them together keeps the imports each protoc re-parses few."""
    ordered = sorted(files)
    jobs = max(1, min(jobs, len(ordered)))
    size = -(-len(ordered) // jobs)
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]


def default_jobs() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def compile_files(
    root: Path,
    files: Sequence[str],
    includes: Sequence[Path] = (),
    jobs: int | None = None,
) -> descriptor_pb2.FileDescriptorSet:
    """Compile `files` (root-relative) with protoc; raise CompileError on errors."""
    if not files:
        return descriptor_pb2.FileDescriptorSet()
    if jobs is None:
        # A second protoc costs a Python start-up; only worth it on big trees.
        jobs = default_jobs() if len(files) >= SPLIT_AT else 1
    groups = batches(files, jobs)
    # protoc runs in the root, so `-I.` makes its messages name files root-relative.
    include_args = ["-I.", *(f"-I{p}" for p in includes), f"-I{well_known_include()}"]
    with tempfile.TemporaryDirectory(prefix="presubmit-") as tmp:
        procs: list[tuple[subprocess.Popen[bytes], Path]] = []
        for n, group in enumerate(groups):
            out = Path(tmp) / f"{n}.binpb"
            argfile = Path(tmp) / f"{n}.args"
            # An argument file keeps thousands of paths off the command line.
            argfile.write_text(
                "\n".join(
                    [*include_args, "--include_source_info", f"--descriptor_set_out={out}", *group]
                )
                + "\n",
                encoding="utf-8",
            )
            proc = subprocess.Popen(
                [sys.executable, "-m", "grpc_tools.protoc", f"@{argfile}"],
                cwd=root,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            procs.append((proc, out))
        errors: list[str] = []
        failed = False
        chunks: list[bytes] = []
        for proc, out in procs:
            _, err = proc.communicate()
            if proc.returncode != 0:
                failed = True
                for line in _clean(err.decode("utf-8", "replace")):
                    if line not in errors:
                        errors.append(line)
            elif out.exists():
                chunks.append(out.read_bytes())
        if failed:
            if not errors:
                errors = ["protoc failed without a message"]
            if len(errors) > MAX_ERROR_LINES:
                rest = len(errors) - MAX_ERROR_LINES
                errors = [*errors[:MAX_ERROR_LINES], f"... and {rest} more errors"]
            raise CompileError(errors)
    fds = descriptor_pb2.FileDescriptorSet()
    fds.ParseFromString(b"".join(chunks))
    return fds
