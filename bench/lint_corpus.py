#!/usr/bin/env python3
# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Writes a large, deterministic proto tree for the lint benchmark.

The tree is shaped like a real API: packages in layers, where a file imports
only from lower layers (so packages never import each other in a cycle), a
service file per package holding nothing else, nested messages, maps, enums,
reserved ranges, and `Next ID` comments of which a few are stale or not
canonical. It follows buf's STANDARD naming so that `buf lint` spends its time
checking rather than printing.

    python bench/lint_corpus.py --files 3000 --out /tmp/lint_corpus
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

DEFAULT_OUT = Path("/tmp/lint_corpus")
LAYERS = ("core", "model", "store", "logic", "api")
FILES_PER_PACKAGE = 10
MESSAGES_PER_FILE = 12
SCALARS = ("string", "int64", "int32", "bool", "double", "bytes", "uint32")
BUF_YAML = """version: v2
lint:
  use:
    - STANDARD
"""


@dataclass
class ProtoFile:
    package: str
    directory: str
    stem: str
    messages: list[str] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"{self.directory}/{self.stem}.proto"


def _camel(*words: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in words)


def _next_id_line(rng: random.Random, expected: int) -> str:
    """Mostly right; about 1 in 20 stale, 1 in 50 written non-canonically."""
    roll = rng.random()
    if roll < 0.05:
        return f"Next ID: {expected + rng.choice((-1, 1, 2))}"
    if roll < 0.07:
        return f"NEXT_ID = {expected};"
    return f"Next ID: {expected}"


def _message(rng: random.Random, name: str, refs: list[str], indent: str = "") -> list[str]:
    lines: list[str] = []
    body: list[str] = []
    number = 0
    nested = rng.random() < 0.2
    if nested:
        body += _message(rng, "Part", [], indent + "  ")
        body.append(f"{indent}  // Kinds of {name}.")
        body.append(f"{indent}  enum Kind {{")
        body.append(f"{indent}    KIND_UNSPECIFIED = 0;")
        body.append(f"{indent}    KIND_FIRST = 1;")
        body.append(f"{indent}    KIND_SECOND = 2;")
        body.append(f"{indent}  }}")
    for i in range(rng.randint(3, 8)):
        number += 1
        if nested and i == 0:
            body.append(f"{indent}  // The kind.")
            body.append(f"{indent}  optional Kind kind = {number};")
            continue
        if nested and i == 1:
            body.append(f"{indent}  // The parts.")
            body.append(f"{indent}  repeated Part parts = {number};")
            continue
        kind = rng.random()
        body.append(f"{indent}  // Field {number} of {name}.")
        if refs and kind < 0.3:
            body.append(f"{indent}  {rng.choice(refs)} ref_{number} = {number};")
        elif kind < 0.4:
            body.append(f"{indent}  map<string, {rng.choice(SCALARS)}> map_{number} = {number};")
        elif kind < 0.5:
            body.append(f"{indent}  repeated {rng.choice(SCALARS)} list_{number} = {number};")
        else:
            body.append(f"{indent}  optional {rng.choice(SCALARS)} value_{number} = {number};")
    if rng.random() < 0.15:
        body.append(f"{indent}  reserved {number + 1} to {number + 2};")
        number += 2
    lines.append(f"{indent}// {name} is message number {rng.randint(0, 10**6)} of the corpus.")
    lines.append(f"{indent}//")
    lines.append(f"{indent}// {_next_id_line(rng, number + 1)}")
    lines.append(f"{indent}message {name} {{")
    lines += body
    lines.append(f"{indent}}}")
    return lines


def build(files: int, seed: int = 1) -> dict[str, str]:
    """Relative path -> text of every file in the corpus."""
    rng = random.Random(seed)
    packages = max(1, files // FILES_PER_PACKAGE)
    per_layer = max(1, -(-packages // len(LAYERS)))
    out: dict[str, str] = {}
    by_layer: list[list[ProtoFile]] = [[] for _ in LAYERS]
    made = 0
    for p in range(packages):
        layer = min(p // per_layer, len(LAYERS) - 1)
        feature = f"f{p:04d}"
        package = f"corpus.{LAYERS[layer]}.{feature}.v1"
        directory = f"corpus/{LAYERS[layer]}/{feature}/v1"
        count = min(FILES_PER_PACKAGE, files - made) if p < packages - 1 else files - made
        if count <= 0:
            break
        data_files = count - 1 if count > 1 else count
        own: list[ProtoFile] = []
        for f in range(data_files):
            pf = ProtoFile(package, directory, f"thing{f:02d}")
            lower = [x for layer_files in by_layer[:layer] for x in layer_files]
            deps = rng.sample(lower, min(len(lower), rng.randint(0, 3))) if lower else []
            refs = [f"{d.package}.{m}" for d in deps for m in d.messages[:2]]
            lines = [
                'syntax = "proto3";',
                "",
                f"package {package};",
                "",
            ]
            for dep_path in sorted({d.path for d in deps}):
                lines.append(f'import "{dep_path}";')
            if deps:
                lines.append("")
            lines.append(
                f'option go_package = "example.com/corpus/go/{LAYERS[layer]}/{feature}/v1;'
                f'{feature}pb";'
            )
            lines.append("")
            for m in range(MESSAGES_PER_FILE):
                name = _camel("thing", f"{f:02d}", "item", f"{m:02d}")
                pf.messages.append(name)
                lines += _message(rng, name, refs)
                lines.append("")
            out[pf.path] = "\n".join(lines)
            own.append(pf)
        if count > 1:
            # The package's service file: holds nothing but the service.
            first = own[0]
            svc = _camel(feature, "service")
            msgs = first.messages
            lines = [
                'syntax = "proto3";',
                "",
                f"package {package};",
                "",
                f'import "{first.path}";',
                "",
                f'option go_package = "example.com/corpus/go/{LAYERS[layer]}/{feature}/v1/grpcpb;'
                f'{feature}grpcpb";',
                "",
                f"// {svc} serves the {feature} feature.",
                f"service {svc} {{",
            ]
            for r in range(3):
                req, resp = msgs[(2 * r) % len(msgs)], msgs[(2 * r + 1) % len(msgs)]
                lines.append(f"  // Rpc{r} does step {r}.")
                lines.append(f"  rpc Rpc{r}({req}) returns ({resp});")
            lines.append("}")
            lines.append("")
            out[f"{directory}/service.proto"] = "\n".join(lines)
        by_layer[layer] += own
        made += count
    return out


def write(out_dir: Path, files: int, seed: int = 1) -> int:
    """Replace `out_dir` with a fresh corpus; return the number of messages."""
    if out_dir.exists():
        shutil.rmtree(out_dir)
    tree = build(files, seed)
    for rel, text in tree.items():
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (out_dir / "buf.yaml").write_text(BUF_YAML, encoding="utf-8")
    return sum(text.count("\nmessage ") for text in tree.values())


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    messages = write(args.out, args.files, args.seed)
    print(f"wrote {args.files} files, {messages} top-level messages to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
