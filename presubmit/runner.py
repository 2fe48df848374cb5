"""One lint run: find the inputs, compile once, run the rules, apply suppressions."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from google.protobuf import descriptor_pb2
from google.protobuf.message import DecodeError

from presubmit import comments
from presubmit import compiler
from presubmit import discover
from presubmit.config import Config
from presubmit.context import LintContext
from presubmit.finding import Finding
from presubmit.rule import Rule
from presubmit.source import FILE_ENUM
from presubmit.source import FILE_MESSAGE
from presubmit.source import FILE_PACKAGE
from presubmit.source import FILE_SERVICE
from presubmit.source import FILE_SYNTAX
from presubmit.source import SourceFile

# Anchors under these paths are elements; anything else is a file-level
# statement (import, option, package), which the file's package or syntax
# statement comments may also suppress.
_ELEMENTS = (FILE_MESSAGE, FILE_ENUM, FILE_SERVICE)


class LintError(Exception):
    """A problem with the input or the setup: printed as is, exit code 2."""

    def __init__(self, lines: Sequence[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = list(lines)


@dataclass
class Result:
    findings: list[Finding]
    warnings: list[str] = field(default_factory=list)
    files: int = 0

    @property
    def active(self) -> list[Finding]:
        return [f for f in self.findings if not f.suppressed]


class _Timer:
    """Phase timings on stderr when PRESUBMIT_TIMING is set (for the benchmark)."""

    def __init__(self) -> None:
        self.on = bool(os.environ.get("PRESUBMIT_TIMING"))
        self.last = time.perf_counter()

    def mark(self, phase: str) -> None:
        if self.on:
            now = time.perf_counter()
            sys.stderr.write(f"timing: {phase} {now - self.last:.3f}s\n")
            self.last = now


def _load_set(path: Path, targets: set[str], root: Path) -> list[SourceFile]:
    fds = descriptor_pb2.FileDescriptorSet()
    try:
        fds.ParseFromString(path.read_bytes())
    except (OSError, DecodeError) as exc:
        raise LintError([f"{path}: not a readable FileDescriptorSet ({exc})"]) from None
    files = [SourceFile(f, root) for f in fds.file if f.name in targets]
    missing = targets - {f.name for f in files}
    if missing:
        raise LintError(
            [f"{path}: the descriptor set lacks {len(missing)} file(s), e.g. {min(missing)}"]
        )
    return files


def _suppressed(f: Finding, files: dict[str, SourceFile], ctx: LintContext) -> bool:
    sf = files.get(f.path)
    # Most files carry no marker at all; checking the bytes spares building
    # the file's location index.
    if sf is not None and comments.IGNORE_MARKER not in sf.raw:
        return False
    if sf is not None and f.anchor is not None:
        text = sf.comments(f.anchor)
        if f.anchor[0] not in _ELEMENTS:
            text += sf.comments((FILE_PACKAGE,)) + sf.comments((FILE_SYNTAX,))
        return f.rule in comments.ignored_rules(text)
    # Findings outside protos (Python, go.mod): the marker sits on the line itself.
    try:
        raw = sf.raw if sf is not None else ctx.read(f.path)
    except OSError:
        return False
    lines = raw.split(b"\n")
    if not 0 < f.line <= len(lines):
        return False
    return f.rule in comments.ignored_rules(lines[f.line - 1].decode("utf-8", "replace"))


def lint(
    root: Path,
    config: Config,
    rules: Sequence[Rule],
    paths: Sequence[str] = (),
    descriptor_set: Path | None = None,
    jobs: int | None = None,
) -> Result:
    timer = _Timer()
    targets = discover.proto_files(root, config, paths)
    python = discover.python_files(root, config, paths) if config.python else []
    if not targets and not python:
        where = ", ".join(paths) if paths else ", ".join(f"{root / p}" for p in config.protos)
        raise LintError([f"no .proto files to lint under {where}"])
    timer.mark("discover")
    active = [r for r in rules if config.any_enabled(r.id)]
    per_file = [r for r in active if r.per_file]
    whole = [r for r in active if not r.per_file]
    found: list[Finding] = []
    warnings: list[str] = []

    def check(rule_set: Sequence[Rule], ctx: LintContext) -> None:
        for rule in rule_set:
            found.extend(rule.check(ctx))
            timer.mark(rule.id)
        warnings.extend(ctx.warnings)

    files: list[SourceFile] = []
    if descriptor_set is not None:
        files = _load_set(descriptor_set, set(targets), root)
        check(per_file, LintContext(root, config, files))
    else:
        try:
            raw = compiler.precheck(root, targets, config.max_file_bytes)
            timer.mark("precheck")
            # Per-file rules run on each batch while protoc works on the next.
            for fds in compiler.compile_batches(root, targets, jobs=jobs, raw=raw):
                timer.mark("compile batch")
                batch = [SourceFile(f, root, raw.get(f.name)) for f in fds.file]
                files += batch
                check(per_file, LintContext(root, config, batch))
        except compiler.CompileError as exc:
            raise LintError(exc.lines) from None
    if python:
        check(per_file, LintContext(root, config, [], python))
    ctx = LintContext(root, config, files, python)
    check(whole, ctx)
    by_name = {f.name: f for f in files}
    out = [
        f.as_suppressed() if _suppressed(f, by_name, ctx) else f
        for f in found
        if config.enabled(f.rule, f.path)
    ]
    out.sort(key=Finding.sort_key)
    timer.mark("suppress")
    return Result(out, warnings, len(files) + len(python))
