# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""One lint run: find the inputs, compile once, run the rules, apply suppressions.

`lint()` is the suite's function API: typed options in, a Result out, and
LintError for a run that cannot happen (bad usage, a tree that does not
compile). Printing is the caller's business.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
import time
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from core import cached_compile as compiler
from core import comments
from core import inputs
from core import protoc
from core import tree as worktree
from core.cached_compile import Compiled
from core.cached_compile import FileProto
from core.descriptors import FILE_ENUM
from core.descriptors import FILE_MESSAGE
from core.descriptors import FILE_PACKAGE
from core.descriptors import FILE_SERVICE
from core.descriptors import FILE_SYNTAX
from core.errors import UserError
from core.protoc import CompileError
from core.source import SourceFile
from presubmit import config as config_mod
from presubmit import discover
from presubmit import fix as fix_mod
from presubmit import incremental
from presubmit import registry
from presubmit.config import Config
from presubmit.context import RuleContext
from presubmit.finding import Finding
from presubmit.options import LintOptions
from presubmit.rule import Rule
from presubmit.spec import Reuse
from presubmit.spec import Scope

# Anchors under these paths are elements; anything else is a file-level
# statement (import, option, package), which the file's package or syntax
# statement comments may also suppress.
_ELEMENTS = (FILE_MESSAGE, FILE_ENUM, FILE_SERVICE)


class LintError(UserError):
    """A problem with the input or the setup: printed as is, exit code 2."""


@dataclass
class Result:
    findings: list[Finding]
    warnings: list[str] = field(default_factory=list)
    files: int = 0
    # Files --fix rewrote, root-relative.
    fixed: list[str] = field(default_factory=list)
    # The bytes of every file the run read, root-relative.
    seen: dict[str, bytes] = field(default_factory=dict, repr=False)
    # Inputs that could not be linted (a name that is not UTF-8, a FIFO), one
    # line each: the others were linted anyway, and the run fails (exit 2).
    errors: list[str] = field(default_factory=list)
    # The cache writes of the run, left for after the report (store()).
    pending: list[Callable[[], None]] = field(default_factory=list, repr=False)
    # The report and exit code of a kept run over the very same inputs
    # (options.report_form): to be printed as they are, in place of findings.
    replay: tuple[str, int] | None = None
    # Keeps this run's printed report and exit code for the next such run.
    keep_report: Callable[[str, int], None] | None = field(default=None, repr=False)

    def store(self) -> None:
        """Write what the run keeps for the next one (the caches), once."""
        pending, self.pending = self.pending, []
        for write in pending:
            write()

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
            sys.stderr.write(f"timing: {phase} {now - self.last:.3f}s{_rss()}\n")
            self.last = now


def _rss() -> str:
    """This process's resident memory, where Linux says (for the timing lines)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            pages = int(fh.read().split()[1])
    except (OSError, IndexError, ValueError):
        return ""
    return f", {pages * os.sysconf('SC_PAGE_SIZE') / 2**20:.0f} MB resident"


def resolve_root(options: LintOptions) -> Path:
    return worktree.resolve_root(None if options.root is None else Path(options.root))


def select(config: Config, wanted: Sequence[str]) -> tuple[list[Rule], bool]:
    """The rules to run, and whether they were named explicitly.

    An explicit selection runs exactly those rules on every file, whatever
    the config turns on, or fails saying why one of them cannot run.
    """
    known = registry.by_id()
    if not wanted:
        return [r for r in known.values() if config.any_enabled(r.id)], False
    unknown = [w for w in wanted if w not in known]
    if unknown:
        raise LintError([f"--rules: unknown rule {', '.join(unknown)} (known: {', '.join(known)})"])
    chosen = [known[w] for w in dict.fromkeys(wanted)]
    for rule in chosen:
        missing = config_mod.missing_settings(config, rule.spec)
        if missing:
            where = config.source or "a presubmit.toml at the root"
            raise LintError(
                [f"--rules {rule.id}: cannot run without {', '.join(missing)}; set it in {where}"]
            )
    return chosen, True


cache_for = worktree.cache_for


def _suppressed(f: Finding, files: dict[str, SourceFile], ctx: RuleContext) -> bool:
    sf = files.get(f.path)
    if sf is not None:
        if not sf.has_ignore_markers():
            return False
        if f.anchor is not None:
            ignored = sf.ignored_at(f.anchor)
            if f.anchor[0] not in _ELEMENTS:
                ignored = ignored | sf.ignored_at((FILE_PACKAGE,)) | sf.ignored_at((FILE_SYNTAX,))
            return f.rule in ignored
        return f.rule in sf.ignored_on_line(f.line)
    # Findings outside protos (Python, go.mod): the marker sits on the line itself.
    try:
        lines = ctx.read(f.path).split(b"\n")
    except OSError:
        return False
    if not 0 < f.line <= len(lines):
        return False
    return f.rule in comments.ignored_rules(lines[f.line - 1].decode("utf-8", "replace"))


def _unreadable(root: Path, exc: OSError) -> str:
    """One line for a file a rule could not read, named from the root."""
    name = Path(exc.filename) if exc.filename else root
    shown = name.relative_to(root).as_posix() if name.is_relative_to(root) else str(name)
    return f"{shown}: cannot read: {exc.strerror}"


def _run_once(
    root: Path,
    config: Config,
    rules: Sequence[Rule],
    explicit: bool,
    options: LintOptions,
    compiled: Compiled | None,
) -> Result:
    timer = _Timer()
    # Names that are not UTF-8 are reported, and the rest is linted anyway;
    # any other input that cannot be read stops the run (see InputError).
    errors: list[str] = []
    try:
        targets = discover.proto_files(root, config, options.paths)
    except inputs.InputError as exc:
        if not exc.names_only:
            raise LintError(exc.lines) from None
        targets, errors = list(exc.found), [*errors, *exc.lines]
    python: list[str] = []
    if config.python:
        try:
            python = discover.python_files(root, config, options.paths)
        except inputs.InputError as exc:
            if not exc.names_only:
                raise LintError(exc.lines) from None
            python, errors = list(exc.found), [*errors, *exc.lines]
    if errors and (options.fix or not (targets or python)):
        raise LintError(errors)  # nothing is rewritten while an input is unreadable
    if not targets and not python:
        if options.allow_empty:
            return Result([])
        where = (
            ", ".join(options.paths)
            if options.paths
            else ", ".join(f"{root / p}" for p in config.protos)
        )
        raise LintError([f"no .proto files to lint under {where}"])
    timer.mark("discover")

    def on(rule: Rule, path: str) -> bool:
        return explicit or config.enabled(rule.id, path)

    per_file = [r for r in rules if r.spec.scope is Scope.FILE]
    whole = [r for r in rules if r.spec.scope is Scope.TREE]
    warnings: list[str] = []
    # Every byte the rules read, shared by them and kept for --fix's check
    # that a file did not change in between.
    seen: dict[str, bytes] = {}

    # Every descriptor of the compile, imports included, once it is known.
    protos: dict[str, FileProto] = {}

    def check(rule_set: Sequence[Rule], files: list[SourceFile], py: list[str]) -> list[Finding]:
        found: list[Finding] = []
        for rule in rule_set:
            on_for = functools.partial(on, rule)
            ctx = RuleContext(
                root,
                config,
                [f for f in files if on_for(f.name)],
                [p for p in py if on_for(p)],
                all_files=files,
                on=on_for,
                protos=protos,
                _raw=seen,
            )
            try:
                found.extend(rule.run(ctx))
            except OSError as exc:  # a file the rule reads itself (ctx.read)
                raise LintError([_unreadable(root, exc)]) from None
            except config_mod.ConfigError as exc:  # a config path the rule will not follow
                raise LintError([str(exc)]) from None
            warnings.extend(ctx.warnings)
            timer.mark(rule.id)
        return found

    if compiled is not None:
        missing = sorted(set(targets) - set(compiled.protos))
        if missing:
            raise LintError([_outside_compile(config, compiled, missing)])
        too_big = [
            f"{t}:1:1: file is {len(compiled.raw[t])} bytes, over the {config.max_file_bytes}"
            "-byte limit for a hand-written .proto"
            for t in targets
            if len(compiled.raw.get(t, b"")) > config.max_file_bytes
        ]
        if too_big:
            raise LintError(protoc.capped(too_big))
        seen.update((t, compiled.raw[t]) for t in targets if t in compiled.raw)
        protos.update(compiled.protos)
        files = [SourceFile(compiled.protos[t], root, seen.get(t)) for t in targets]
        found = check(per_file, files, [])
        if python:
            found += check(per_file, [], python)
        found += check(whole, files, python)
        out = _suppress(found, files, root, config, python, seen)
        timer.mark("suppress")
        return Result(out, warnings, len(files) + len(python), seen=seen, errors=errors)

    cache = cache_for(root)
    pending: list[Callable[[], None]] = []
    try:
        prepared = compiler.prepare(root, targets, cache=cache, max_bytes=config.max_file_bytes)
    except CompileError as exc:
        raise LintError(errors or exc.lines) from None
    seen.update(prepared.raw)
    # --fix writes what the descriptors say: protoc's, never a cache row.
    recall = None
    if cache is not None and not options.fix:
        recall = incremental.Recall(cache, config, rules, explicit, prepared)
    every_run = [r for r in whole if r.spec.reuse is Reuse.NONE]
    # A report stands for the run only where every finding comes from the
    # rows: no rule that runs every time, no Python file, nothing unreadable.
    # Only a run over the whole tree keeps one: a hook's runs over the files
    # a commit changed would each leave one behind.
    form = options.report_form
    replayable = (
        recall is not None
        and form is not None
        and not (every_run or python or errors or options.paths)
    )
    if replayable and recall is not None and form is not None:
        replay = recall.report(form)
        if replay is not None:
            recall.cache.close()
            timer.mark("read, keyed, the report kept")
            return Result([], files=len(targets), seen=seen, replay=replay)
    hits = recall.files() if recall is not None else {}
    timer.mark(f"read, keyed, {len(hits)} of {len(targets)} files' findings kept")
    loaded: dict[str, SourceFile] = {}
    # Each target's source info, serialized: parsed only where a rule looks.
    source_info: dict[str, bytes] = {}

    def load(names: list[str], first: bool) -> None:
        """Compile `names` (or take them from the descriptor cache); on the
        first load the file rules check each batch as it arrives."""
        done: list[Compiled] = []
        try:
            for batch in compiler.compile_stream(
                root,
                names,
                cache=cache,
                read_cache=not options.fix,
                jobs=options.jobs,
                max_bytes=config.max_file_bytes,
                result=done,
                prepared=prepared,
                keep=compiler.known_keys(prepared),
                defer=pending,
                source_info=source_info,
            ):
                timer.mark("compile batch")
                sources = [
                    SourceFile(p, root, seen.get(p.name), source_info.pop(p.name, None))
                    for p in batch
                ]
                loaded.update((sf.name, sf) for sf in sources)
                if first:
                    fresh.extend(check(per_file, [sf for sf in sources if sf.name not in hits], []))
                    for sf in sources:
                        sf.release()  # the rest of the run looks at few of them
        except CompileError as exc:
            # An unreadable input comes first: the compile's errors may be
            # its consequence (an import of it not found).
            raise LintError(errors or exc.lines) from None
        protos.update(done[0].protos)
        if recall is not None:
            recall.learn_keys(done[0].file_keys)

    # Findings of this run by what they follow from: each file, each package, anything.
    fresh: list[Finding] = []
    misses = [t for t in targets if t not in hits]
    # A rule that runs on every run over every file needs every descriptor.
    first_load = list(targets) if every_run else misses
    if first_load:
        load(first_load, True)
    fresh += check(
        [r for r in whole if r.spec.reuse is Reuse.FILE], [loaded[m] for m in misses], []
    )
    file_findings = len(fresh)

    package_rules = [r for r in whole if r.spec.reuse is Reuse.PACKAGE]
    package_of = {t: loaded[t].proto.package if t in loaded else hits[t].package for t in targets}
    kept: list[Finding] = [f for row in hits.values() for f in row.findings]
    package_keys: dict[str, str | None] = {}
    redo = set(package_of.values())
    if package_rules and recall is not None:
        package_keys = recall.package_keys(package_of)
        rows = recall.packages(package_of, package_keys)
        kept += [f for found in rows.values() for f in found]
        redo -= set(rows)
    if package_rules and redo:
        members = [t for t in targets if package_of[t] in redo]
        more = [t for t in members if t not in loaded]
        if more:
            load(more, False)
        fresh += check(package_rules, [loaded[t] for t in members], [])
    package_findings = len(fresh)

    if python:
        fresh += check(per_file, [], python)
    fresh += check(every_run, [loaded[t] for t in targets] if every_run else [], python)
    out = _suppress(fresh, list(loaded.values()), root, config, python, seen)
    timer.mark("suppress")
    if recall is not None:
        if warnings:
            recall.drop()
        recall.keep_files(out[:file_findings], {m: package_of[m] for m in misses})
        if package_rules:
            recall.keep_packages(
                out[file_findings:package_findings], package_of, package_keys, redo
            )
        whole_tree = not options.paths
        # First: the descriptors' commit goes on in its own thread meanwhile.
        pending.insert(0, functools.partial(recall.write, whole_tree))
    out += kept
    out.sort(key=Finding.sort_key)
    result = Result(out, warnings, len(targets) + len(python), seen=seen, errors=errors)
    result.pending = pending
    if replayable and recall is not None and form is not None and not warnings:
        result.keep_report = functools.partial(recall.keep_report, form)
    return result


def _suppress(
    found: list[Finding],
    files: list[SourceFile],
    root: Path,
    config: Config,
    python: list[str],
    seen: dict[str, bytes],
) -> list[Finding]:
    """`found` in its order, each marked if a turboci:lint:ignore comment suppresses it."""
    by_name = {f.name: f for f in files}
    ctx = RuleContext(root, config, files, python, _raw=seen)
    return [f.as_suppressed() if _suppressed(f, by_name, ctx) else f for f in found]


def _outside_compile(config: Config, compiled: Compiled, missing: Sequence[str]) -> str:
    """Why the build's compile cannot serve the lint: the config names more protos."""
    folders = sorted({f.split("/", 1)[0] for f in compiled.files})
    where = config.source.name if config.source else "presubmit.toml"
    return (
        f"{where}: `protos` takes in {len(missing)} .proto file(s) outside what ./build.py "
        f"compiles ({', '.join(folders)}), e.g. {missing[0]}; set protos = "
        f"{json.dumps(folders)} there (without it, every folder of the root is linted)"
    )


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def writer_lock(
    root: Path, say: Callable[[str], None] = _say, task: str = "python -m presubmit --fix"
) -> contextlib.AbstractContextManager[None]:
    """Hold the lock of the tree at `root` while --fix (or `task`) reads and rewrites it."""
    return worktree.writer(root, task, say)


def lint(
    options: LintOptions,
    compiled: Compiled | None = None,
    say: Callable[[str], None] = _say,
    task: str = "python -m presubmit --fix",
    defer_writes: bool = False,
) -> Result:
    """Lint per `options`. `compiled`, when given, is a compile of the tree
    (the build's shared one); otherwise the suite compiles it itself.
    Raises LintError for a run that cannot happen.

    With `fix`, the whole run holds the tree's writer lock (writer_lock());
    `say` is told if it has to wait for another writer; `task` is how
    this run is named to the others that wait for it. With `defer_writes`,
    the caches are written when the caller calls the result's store()
    (after its report), not before returning.
    """
    root = resolve_root(options)
    if not options.fix:
        result = _lint(root, options, compiled)
    else:
        with writer_lock(root, say, task):
            result = _lint(root, options, compiled)
    if not defer_writes:
        result.store()
    return result


def _lint(root: Path, options: LintOptions, compiled: Compiled | None) -> Result:
    config = config_mod.load(root, [r.spec for r in registry.all_rules()])
    rules, explicit = select(config, options.rules)
    if options.fix and compiled is not None and not compiled.from_sources:
        compiled = None  # partly from the cache: --fix compiles the tree itself
    result = _run_once(root, config, rules, explicit, options, compiled)
    if options.fix:
        edits = [e for f in result.active for e in f.fixes]
        changed = fix_mod.apply(root, edits, result.seen)
        if changed:
            result.store()
            result = _run_once(root, config, rules, explicit, options, None)
            result.fixed = changed
    return result
