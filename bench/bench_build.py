#!/usr/bin/env python3
# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Times `./build.py all` against the raw tool commands it wraps, in one run.

Prints, for this repo's API:
- each raw tool command (protoc, buf format/lint/breaking, the plugins, the
  docs renderer, the lint suite) run on its own, and their sum;
- each build.py step run on its own with empty caches, and the slowest;
- `./build.py all` with empty caches (ratio to the slowest step, goal <= 1.3);
- `./build.py all` again with nothing changed (ratio to the full run, goal <= 0.10);
- with --fresh-clone: a clean clone with nothing installed (no pip cache, an
  empty Go module and build cache), `./build.py all` end to end (goal <= 180 s).

Usage: tools/venv/bin/python bench/bench_build.py [--repeat N] [--fresh-clone]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from core.layout import REPO as LAYOUT  # noqa: E402  (needs the repo on sys.path)

VENV_BIN = LAYOUT.venv_python().parent


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# CPU seconds (user + system, all processes) of the last timed() or median_of().
LAST_CPU: list[float] = [0.0]


def timed(cmd: Sequence[str], cwd: Path = REPO, env: dict[str, str] | None = None) -> float:
    cpu = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(list(cmd), cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    LAST_CPU[0] = _children_cpu() - cpu
    if proc.returncode not in (0, 100):  # 100: buf's "found problems"
        sys.exit(f"bench: {' '.join(cmd)} failed:\n{proc.stdout}{proc.stderr}")
    return elapsed


def median_of(repeat: int, cmd: Sequence[str], before: object = None) -> float:
    runs, cpus = [], []
    for _ in range(repeat):
        if callable(before):
            before()
        runs.append(timed(cmd))
        cpus.append(LAST_CPU[0])
    LAST_CPU[0] = statistics.median(cpus)
    return statistics.median(runs)


def drop_caches() -> None:
    shutil.rmtree(LAYOUT.cache, ignore_errors=True)


DOCS_RENDER = """\
import sys
from pathlib import Path
from google.protobuf import descriptor_pb2
from core.cached_compile import Compiled
from tools.docs.render import render_docs
fds = descriptor_pb2.FileDescriptorSet.FromString(Path(sys.argv[1]).read_bytes())
protos = {f.name: f for f in fds.file}
render_docs(Compiled(Path.cwd(), tuple(sys.argv[2:]), protos, key="", raw={}))
"""


def raw_commands(descriptor_set: Path, files: Sequence[str], out: Path) -> dict[str, list[str]]:
    from core import protoc
    from core.layout import GO_MODULE

    py = str(LAYOUT.venv_python())
    buf = str(LAYOUT.venv_bin("buf"))
    wkt = f"-I{protoc.well_known_include()}"
    go_bin = LAYOUT.gobin
    module = f"module={GO_MODULE}"
    (out / "go").mkdir(parents=True, exist_ok=True)
    (out / "py").mkdir(parents=True, exist_ok=True)
    return {
        "protoc compile": [
            py,
            "-m",
            "grpc_tools.protoc",
            "-I.",
            wkt,
            "--include_imports",
            "--include_source_info",
            f"--descriptor_set_out={out / 'set.binpb'}",
            *files,
        ],
        "buf format": [buf, "format", ".", "--path", "turboci", "--diff", "--exit-code"],
        "buf lint": [buf, "lint"],
        "presubmit": [py, "-m", "presubmit", "--format", "text"],
        "protoc go+grpc": [
            py,
            "-m",
            "grpc_tools.protoc",
            wkt,
            f"--descriptor_set_in={descriptor_set}",
            f"--plugin=protoc-gen-go={go_bin / 'protoc-gen-go'}",
            f"--plugin=protoc-gen-go-grpc={go_bin / 'protoc-gen-go-grpc'}",
            f"--go_out={out / 'go'}",
            f"--go_opt={module}",
            f"--go-grpc_out={out / 'go'}",
            f"--go-grpc_opt={module}",
            *files,
        ],
        "protoc py+pyi+grpc": [
            py,
            "-m",
            "grpc_tools.protoc",
            wkt,
            f"--descriptor_set_in={descriptor_set}",
            f"--plugin=protoc-gen-mypy={VENV_BIN / 'protoc-gen-mypy'}",
            f"--plugin=protoc-gen-mypy_grpc={VENV_BIN / 'protoc-gen-mypy_grpc'}",
            f"--python_out={out / 'py'}",
            f"--grpc_python_out={out / 'py'}",
            f"--mypy_out={out / 'py'}",
            f"--mypy_grpc_out={out / 'py'}",
            *files,
        ],
        "buf breaking": [buf, "breaking", ".", "--against", str(out / "basis.binpb")],
        # The renderer on its own: the descriptors read from the set, no compile.
        "docs render": [py, "-c", DOCS_RENDER, str(descriptor_set), *files],
    }


def bench_in_repo(repeat: int) -> None:
    from tools import api_compile as compile_mod

    build = [str(VENV_BIN / "python"), str(REPO / "build.py")]
    timed([*build, "tools"])  # make sure nothing gets installed while timing
    compiled = compile_mod.compile_api(LAYOUT)
    files = list(compiled.files)
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        out = Path(tmp)
        # The basis image buf breaking compares with: the current API itself.
        timed([str(VENV_BIN / "buf"), "build", ".", "-o", str(out / "basis.binpb")])
        print(f"API: {len(files)} proto files; median of {repeat} runs each\n")
        print("raw tool commands, each on its own:")
        raw_total = 0.0
        for name, cmd in raw_commands(compiled.descriptor_set_path(), files, out).items():
            t = median_of(repeat, cmd)
            raw_total += t
            print(f"  {name:<20} {t:6.3f} s")
        print(f"  {'sum':<20} {raw_total:6.3f} s\n")

    print("build.py steps, each on its own, caches empty (wall, then CPU of all processes):")
    slowest = ("", 0.0)
    for step in ("format", "lint", "breaking", "gen", "docs"):
        t = median_of(repeat, [*build, step], before=drop_caches)
        slowest = max(slowest, (step, t), key=lambda s: s[1])
        print(f"  {step:<20} {t:6.3f} s  {LAST_CPU[0]:6.3f} s CPU")
    full = median_of(repeat, [*build, "all"], before=drop_caches)
    full_cpu = LAST_CPU[0]
    timed([*build, "all"])
    rerun = median_of(repeat, [*build, "all"])
    print()
    print(
        f"./build.py all, caches empty:   {full:6.3f} s  "
        f"= {full / slowest[1]:.2f}x the slowest step ({slowest[0]}), goal <= 1.3x"
    )
    cores = os.cpu_count() or 1
    print(
        f"  its CPU: {full_cpu:.3f} s; on {cores} cores no schedule beats "
        f"{full_cpu / cores:.3f} s = {full_cpu / cores / slowest[1]:.2f}x the slowest step"
    )
    print(
        f"./build.py all, nothing changed: {rerun:6.3f} s  "
        f"= {rerun / full:.1%} of the full run, goal <= 10%"
    )
    print(
        f"raw tools one after another:    {raw_total:6.3f} s  "
        f"(build.py all = {full / raw_total:.2f}x of it)"
    )


def bench_fresh_clone() -> None:
    """A clean clone on a machine with nothing installed or cached."""
    with tempfile.TemporaryDirectory(prefix="bench-fresh-") as tmp:
        root = Path(tmp)
        clone = root / "clone"
        subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
        env = dict(
            os.environ,
            PIP_NO_CACHE_DIR="1",
            GOMODCACHE=str(root / "gomod"),
            GOCACHE=str(root / "gocache"),
            GOPATH=str(root / "gopath"),
        )
        env.pop("TURBOCI_BUILD_IN_VENV", None)
        start = time.perf_counter()
        proc = subprocess.run(
            ["python3", "build.py", "all"], cwd=clone, env=env, capture_output=True, text=True
        )
        elapsed = time.perf_counter() - start
        subprocess.run(["chmod", "-R", "u+w", str(root)], check=False)  # Go's read-only cache
        status = "ok" if proc.returncode == 0 else f"FAILED (exit {proc.returncode})"
        print(
            f"fresh clone, nothing installed: ./build.py all {status} in {elapsed:6.1f} s "
            f"on {os.cpu_count()} cores, goal <= 180 s"
        )
        if proc.returncode != 0:
            print(proc.stdout[-2000:], proc.stderr[-2000:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--fresh-clone", action="store_true")
    args = parser.parse_args()
    bench_in_repo(args.repeat)
    if args.fresh_clone:
        print()
        bench_fresh_clone()


if __name__ == "__main__":
    main()
