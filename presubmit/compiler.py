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
import queue
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from collections.abc import Mapping
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
# Files per protoc run on big trees: small enough that two protoc processes
# at once stay far below one whole-tree compile in memory, large enough that
# re-parsing shared imports in every batch stays cheap.
BATCH_FILES = int(os.environ.get("PRESUBMIT_BATCH_FILES", "800"))


# protoc's entry point in grpcio-tools, without the imports of
# `python -m grpc_tools.protoc` (a fifth of a small compile).
_PROTOC_MAIN = (
    "import sys\n"
    "from grpc_tools import _protoc_compiler\n"
    "sys.exit(_protoc_compiler.run_main([a.encode() for a in ['protoc', *sys.argv[1:]]]))"
)


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


def batches(files: Sequence[str], count: int) -> list[list[str]]:
    """`count` contiguous slices of the sorted files: a package's files share
    imports, so keeping them together keeps the imports each protoc re-parses few."""
    ordered = sorted(files)
    count = max(1, min(count, len(ordered)))
    size = -(-len(ordered) // count)
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]


# Import lines, read only to plan the batches: a wrong guess costs speed, never
# correctness, since protoc itself resolves every import.
_IMPORT = re.compile(rb'import[ \t]+(?:public[ \t]+|weak[ \t]+)?"([^"\n]+)"')


def plan_batches(files: Sequence[str], raw: Mapping[str, bytes], count: int) -> list[list[str]]:
    """Split `files` into `count` batches that share few imports.

    Every protoc parses its files plus everything they import, so a file whose
    imports are already in a batch is cheap there. Greedy: biggest import
    closures first, each into the batch it adds the fewest new files to,
    with batch sizes kept within 5% of even.
    """
    ordered = sorted(files)
    count = max(1, min(count, len(ordered)))
    if count == 1:
        return [ordered]
    deps = {
        f: [d.decode("utf-8", "replace") for d in _IMPORT.findall(raw.get(f, b""))] for f in ordered
    }
    closures: dict[str, frozenset[str]] = {}
    for f in ordered:
        seen = {f}
        stack = [f]
        while stack:
            for d in deps.get(stack.pop(), ()):
                if d not in seen:
                    seen.add(d)
                    stack.append(d)
        closures[f] = frozenset(seen)
    cap = len(ordered) / count * 1.05
    groups: list[list[str]] = [[] for _ in range(count)]
    covered: list[set[str]] = [set() for _ in range(count)]
    for f in sorted(ordered, key=lambda f: (-len(closures[f]), f)):
        c = closures[f]
        best = min(
            (i for i in range(count) if len(groups[i]) < cap),
            key=lambda i: (len(c - covered[i]), len(covered[i]), i),
        )
        groups[best].append(f)
        covered[best] |= c
    return [sorted(g) for g in groups if g]


def default_jobs() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def _timing(message: str) -> None:
    if os.environ.get("PRESUBMIT_TIMING"):
        sys.stderr.write(f"timing: {message}\n")


def compile_batches(
    root: Path,
    files: Sequence[str],
    includes: Sequence[Path] = (),
    jobs: int | None = None,
    batch_files: int = BATCH_FILES,
    raw: Mapping[str, bytes] | None = None,
) -> Iterator[descriptor_pb2.FileDescriptorSet]:
    """Compile `files` (root-relative) in batches, `jobs` protoc processes at a time.

    Yields each batch's descriptors as soon as its protoc is done, so the caller's
    rules run while the next batches compile. Smaller batches also keep each
    protoc's memory small. With the files' bytes (`raw`), batches are planned
    to share few imports (plan_batches); without, they are slices of the
    sorted paths. Raises CompileError, after every batch has run, if any failed.
    """
    if not files:
        return
    if jobs is None:
        # A second protoc costs a start-up; only worth it on big trees.
        jobs = default_jobs() if len(files) >= SPLIT_AT else 1
    # A multiple of `jobs` batches of similar cost keeps every core busy to the end.
    rounds = -(-len(files) // (jobs * batch_files))
    count = jobs * rounds if jobs > 1 else 1
    groups = batches(files, count) if raw is None else plan_batches(files, raw, count)
    # protoc runs in the root, so `-I.` makes its messages name files root-relative.
    include_args = ["-I.", *(f"-I{p}" for p in includes), f"-I{well_known_include()}"]
    errors: list[str] = []
    with tempfile.TemporaryDirectory(prefix="presubmit-") as tmp:
        # A thread keeps `jobs` protoc processes running and hands over each
        # finished batch, so a free core gets its next batch at once, even
        # while this thread is busy running rules on the previous one.
        done: queue.Queue[tuple[int, Path, Path] | None] = queue.Queue()
        stop = threading.Event()
        launcher = threading.Thread(
            target=_run_batches,
            args=(groups, include_args, root, Path(tmp), jobs, done, stop),
            daemon=True,
        )
        launcher.start()
        try:
            while (item := done.get()) is not None:
                code, out, errfile = item
                if code != 0:
                    for line in _clean(errfile.read_bytes().decode("utf-8", "replace")):
                        if line not in errors:
                            errors.append(line)
                    if not errors:
                        errors.append("protoc failed without a message")
                elif not errors:
                    fds = descriptor_pb2.FileDescriptorSet()
                    fds.ParseFromString(out.read_bytes())
                    out.unlink()
                    yield fds
        finally:
            # Left early (an error in the caller, ^C): stop what still runs.
            stop.set()
            launcher.join()
    if errors:
        if len(errors) > MAX_ERROR_LINES:
            rest = len(errors) - MAX_ERROR_LINES
            errors = [*errors[:MAX_ERROR_LINES], f"... and {rest} more errors"]
        raise CompileError(errors)


def _run_batches(
    groups: list[list[str]],
    include_args: list[str],
    root: Path,
    tmp: Path,
    jobs: int,
    done: queue.Queue[tuple[int, Path, Path] | None],
    stop: threading.Event,
) -> None:
    """Run one protoc per group, `jobs` at a time; report each as it ends, then None."""
    started = time.perf_counter()
    pending = list(enumerate(groups))
    pending.reverse()
    running: list[tuple[subprocess.Popen[bytes], Path, Path]] = []
    try:
        while (pending or running) and not stop.is_set():
            while pending and len(running) < jobs:
                n, group = pending.pop()
                out = tmp / f"{n}.binpb"
                argfile = tmp / f"{n}.args"
                errfile = tmp / f"{n}.err"
                # An argument file keeps thousands of paths off the command line.
                args = [*include_args, "--include_source_info", f"--descriptor_set_out={out}"]
                argfile.write_text("\n".join([*args, *group]) + "\n", encoding="utf-8")
                with errfile.open("wb") as err:
                    proc = subprocess.Popen(
                        [sys.executable, "-c", _PROTOC_MAIN, f"@{argfile}"],
                        cwd=root,
                        stdout=subprocess.DEVNULL,
                        stderr=err,
                    )
                running.append((proc, out, errfile))
            finished = [r for r in running if r[0].poll() is not None]
            if not finished:
                stop.wait(0.005)
                continue
            for proc, out, errfile in finished:
                running.remove((proc, out, errfile))
                _timing(f"protoc batch {out.stem} done at {time.perf_counter() - started:.3f}s")
                done.put((proc.returncode, out, errfile))
    finally:
        for proc, _, _ in running:
            proc.kill()
            proc.wait()
        done.put(None)


def compile_files(
    root: Path,
    files: Sequence[str],
    includes: Sequence[Path] = (),
    jobs: int | None = None,
) -> descriptor_pb2.FileDescriptorSet:
    """Compile `files` into one FileDescriptorSet; raise CompileError on errors."""
    merged = descriptor_pb2.FileDescriptorSet()
    for fds in compile_batches(root, files, includes, jobs):
        merged.file.extend(fds.file)
    return merged
