#!/usr/bin/env python3
# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Our lint suite against `buf lint` (STANDARD) on the googleapis tree, side by side.

The corpus is the npm package google-proto-files at the version DEPS [npm]
pins, fetched with `npm pack` into bench/corpus/ (ignored by git). Left out:
google/protobuf/ (both tools bring their own well-known types, and the
package's copy holds test protos that do not compile) and any preview/
folder (it redefines google.api).

For each round, in this order, one process tree at a time:
  - buf lint, cold (its cache emptied);
  - ours cold: `python -m presubmit --root CORPUS`, its descriptor cache emptied;
  - the floor: two protoc processes over byte-balanced halves, no rules;
  - ours incremental: one file edited (a comment appended), then linted:
    a file no other imports, and one most of the tree imports;
  - ours warm: nothing changed.

    tools/venv/bin/python bench/bench_googleapis.py --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))

from measure import Measure  # noqa: E402
from measure import measure  # noqa: E402
from measure import median  # noqa: E402
from measure import suite_env  # noqa: E402

from core import batch_plan  # noqa: E402
from core import inputs  # noqa: E402
from core import protoc  # noqa: E402
from core.layout import REPO as LAYOUT  # noqa: E402
from presubmit.runner import cache_for  # noqa: E402
from tools import deps  # noqa: E402
from tools import untar  # noqa: E402

BUF = LAYOUT.venv_bin("buf")
BUF_YAML = "version: v2\nlint:\n  use:\n    - STANDARD\n"
# A file most of the tree imports: editing it recompiles nearly everything.
HUB = "google/api/resource.proto"


def fetch(folder: Path) -> Path:
    """The corpus for the pinned version, fetched once."""
    version = deps.load(LAYOUT.deps).version("npm", "google-proto-files")
    corpus = folder / f"googleapis-{version}"
    if (corpus / "buf.yaml").exists():
        return corpus
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        subprocess.run(
            ["npm", "pack", f"google-proto-files@{version}", "--silent"],
            cwd=tmp,
            check=True,
            stdout=subprocess.DEVNULL,
            env={**os.environ, "npm_config_cache": str(LAYOUT.tool_cache / "npm")},
        )
        [tgz] = Path(tmp).glob("*.tgz")
        untar.extract(tgz, Path(tmp))
        package = Path(tmp) / "package"
        for doomed in [package / "build", package / "google" / "protobuf"]:
            shutil.rmtree(doomed, ignore_errors=True)
        for preview in list(package.rglob("preview")):
            if preview.is_dir():
                shutil.rmtree(preview)
        (package / "buf.yaml").write_text(BUF_YAML, encoding="utf-8")
        shutil.rmtree(corpus, ignore_errors=True)
        package.rename(corpus)
    return corpus


def floor_command(corpus: Path, out: Path) -> list[str]:
    """A shell running two protoc processes over byte-balanced halves, side by side."""
    files = inputs.find_protos(corpus, ["."])
    sizes = {f: (corpus / f).stat().st_size for f in files}
    halves = batch_plan.plan_batches(files, sizes, 2)
    script: list[str] = []
    for i, half in enumerate(halves):
        argfile = out / f"half{i}.args"
        args = ["-I.", "--include_source_info", "--include_imports"]
        argfile.write_text("\n".join([*args, f"--descriptor_set_out={out}/{i}.binpb", *half]))
        cmd = protoc.command([f"@{argfile}"])
        script.append(f"{shlex.join(cmd)} & p{i}=$!")
    waits = " && ".join(f"wait $p{i}" for i in range(len(halves)))
    return ["sh", "-c", "\n".join([*script, waits])]


def leaf(corpus: Path, files: tuple[str, ...]) -> str:
    """The first file no other file imports (read from the import lines as the
    batch planner reads them: a benchmark's choice of which file to edit, not
    something a result depends on)."""
    raw = {f: (corpus / f).read_bytes() for f in files}
    imported = {i for found in batch_plan.guessed_imports(raw, {}).values() for i in found}
    return next(f for f in files if f.startswith("google/cloud/") and f not in imported)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus-dir", type=Path, default=REPO / "bench" / "corpus")
    parser.add_argument("--repeat", type=int, default=1, help="rounds (medians are shown)")
    args = parser.parse_args(argv)
    corpus = fetch(args.corpus_dir)
    files = inputs.find_protos(corpus, ["."])
    size = sum((corpus / f).stat().st_size for f in files)
    env = suite_env(REPO)
    buf_env = {**env, "BUF_CACHE_DIR": str(LAYOUT.tool_cache / "buf")}
    ours_cmd = [sys.executable, "-m", "presubmit", "--root", str(corpus), "--format", "json"]
    runs: dict[str, list[Measure]] = {}
    edits = {"ours, one file edited (imported by none)": corpus / leaf(corpus, files)}
    edits[f"ours, {HUB} edited (imported by most)"] = corpus / HUB
    scratch = Path(tempfile.mkdtemp(prefix="floor-", dir=LAYOUT.cache))
    try:
        for n in range(args.repeat):
            shutil.rmtree(LAYOUT.tool_cache / "buf", ignore_errors=True)
            runs.setdefault("buf lint (STANDARD)", []).append(
                measure([str(BUF), "lint", "--error-format", "json"], corpus, buf_env)
            )
            if (cache := cache_for(corpus.resolve())) is not None:
                shutil.rmtree(cache, ignore_errors=True)
            runs.setdefault("ours, cold", []).append(measure(ours_cmd, REPO, env))
            runs.setdefault("floor: 2 protoc, no rules", []).append(
                measure(floor_command(corpus, scratch), corpus, env)
            )
            for name, edited in edits.items():
                original = edited.read_bytes()
                edited.write_bytes(original + f"// edited by the benchmark, round {n}\n".encode())
                try:
                    runs.setdefault(name, []).append(measure(ours_cmd, REPO, env))
                finally:
                    edited.write_bytes(original)
                measure(ours_cmd, REPO, env)  # back to the original's cache entries
            runs.setdefault("ours, nothing changed", []).append(measure(ours_cmd, REPO, env))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    buf = median(runs["buf lint (STANDARD)"])
    print(
        f"corpus: google-proto-files, {len(files)} files, {size / 2**20:.0f} MiB; "
        f"python {sys.version.split()[0]}, {os.cpu_count()} cores, "
        f"median of {args.repeat} round(s)"
    )
    print()
    print("| run | wall s | CPU s | peak RSS, process tree MB | / buf wall | / buf memory |")
    print("|---|---|---|---|---|---|")
    for name, ms in runs.items():
        m = median(ms)
        print(
            f"| {name} | {m.wall:.2f} | {m.cpu:.1f} | {m.tree_rss_mb:.0f} "
            f"| {m.wall / buf.wall:.2f} | {m.tree_rss_mb / buf.tree_rss_mb:.2f} |"
        )
    floor = median(runs["floor: 2 protoc, no rules"])
    cold = median(runs["ours, cold"])
    print()
    print(f"ours cold / floor: {cold.wall / floor.wall:.2f} (wall)")
    print(json.dumps({k: [m.wall for m in v] for k, v in runs.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
