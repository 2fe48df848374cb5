# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The compile: the real protoc over byte-balanced groups, cached per file on content.

Every input is read once and checked for what protoc accepts silently or
reports badly (empty, binary, not UTF-8, too large). Then each file's cache
key is the hash of its bytes and of its imports' keys, so a file is compiled
again only when it or something it imports changed. The files with no valid
cache entry are compiled one protoc per core, in groups of equal bytes
(protoc's cost follows bytes, not file counts) that each parse only their
own sources (core/batch_plan.py), and their descriptors are stored for the
next run (core/descriptor_cache.py). Entries carry a
hash of their own bytes: a corrupt one is dropped and rebuilt. That hash
only catches damage, not a row rewritten on purpose (the cache is a file
anyone who hands over a `.cache` controls), so a compile whose descriptors
become files (stubs, docs, a descriptor set) asks for `read_cache=False`:
every descriptor then comes from protoc, and the rows it stores replace
whatever was there.

The descriptors are parsed once per process and handed to every consumer
(lint, docs, gen, the API tests) as a `Compiled`.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import hashlib
import importlib.metadata
import os
import queue
import re
import shutil
import stat
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from collections.abc import Collection
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from google.protobuf import descriptor_pb2
from google.protobuf import descriptor_pool
from google.protobuf.message import DecodeError

from core import batch_plan
from core import cache_dir
from core import inputs
from core import protoc
from core import utf8
from core import wire
from core.descriptor_cache import DescriptorCache
from core.files import write_atomic
from core.protoc import CompileError

FileProto = descriptor_pb2.FileDescriptorProto

# Bigger inputs are refused before compiling: no hand-written proto comes near it.
DEFAULT_MAX_BYTES = 8 * 1024 * 1024


def _first_bad_utf8(data: bytes) -> tuple[int, int, int] | None:
    """(line, column, byte) of the first byte that is not UTF-8, 1-based."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return line, col, data[exc.start]
    return None


def read_inputs(
    root: Path, files: Sequence[str], max_bytes: int = DEFAULT_MAX_BYTES
) -> dict[str, bytes]:
    """The bytes of every input; CompileError for the ones protoc would mishandle."""
    raw: dict[str, bytes] = {}
    errors: list[str] = []
    base = str(root)
    for rel in files:
        path = os.path.join(base, rel)  # not a Path per file: a big tree has thousands
        try:
            with open(path, "rb") as fh:  # a regular file: inputs.find_protos made sure
                size = os.fstat(fh.fileno()).st_size
                if size > max_bytes:
                    errors.append(
                        f"{rel}:1:1: file is {size} bytes, over the {max_bytes}-byte limit "
                        "for a hand-written .proto"
                    )
                    continue
                data = fh.read()
        except OSError as exc:
            errors.append(f"{rel}:1:1: cannot read: {exc.strerror}")
            continue
        nul = data.find(b"\0")
        if nul >= 0:
            line = data.count(b"\n", 0, nul) + 1
            errors.append(f"{rel}:{line}:1: binary file (NUL byte at offset {nul}), not a .proto")
            continue
        # ASCII (most protos) is UTF-8: no decoding, no copy of a big tree's bytes.
        bad = None if data.isascii() else _first_bad_utf8(data)
        if bad is not None:
            errors.append(f"{rel}:{bad[0]}:{bad[1]}: not UTF-8 (byte 0x{bad[2]:02x})")
            continue
        if not data or data.isspace():
            errors.append(f"{rel}:1:1: empty file: a .proto needs at least a syntax statement")
            continue
        raw[rel] = data
    if errors:
        raise CompileError(protoc.capped(errors))
    return raw


@functools.cache
def protoc_version() -> str:
    """What decides protoc's output besides its inputs: the pinned grpcio-tools."""
    try:
        return "grpcio-tools " + importlib.metadata.version("grpcio-tools")
    except importlib.metadata.PackageNotFoundError:
        return "grpcio-tools (unknown)"


def default_jobs() -> int:
    return max(1, min(2, os.cpu_count() or 1))


# --- the cache -----------------------------------------------------------


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- keys ------------------------------------------------------------------


@dataclass
class _Keys:
    """Cache keys of the targets and of what they import."""

    root: Path
    includes: Sequence[Path]
    raw: Mapping[str, bytes]
    imports: Mapping[str, list[str]]  # content hash -> imports
    salt: str
    memo: dict[str, str | None] = field(default_factory=dict)
    # The content hashes key() looked at: whose import lists the cache keeps.
    contents: set[str] = field(default_factory=set)
    # Each file's content hash, as key() worked it out.
    hashes: dict[str, str] = field(default_factory=dict)

    def content_of_import(self, name: str) -> bytes | None:
        for base in (self.root, *self.includes):
            # Only a regular file: a FIFO or a device would hang or never end.
            with contextlib.suppress(OSError):
                return inputs.read_regular(base / name)
        return None

    def key(self, name: str, depth: int = 0) -> str | None:
        """None when the file's imports are not known yet (it must be compiled)."""
        if name in self.memo:
            return self.memo[name]
        if depth > 200:
            return None  # an import cycle: protoc reports it
        self.memo[name] = None
        data = self.raw.get(name)
        if data is None:
            data = self.content_of_import(name)
            if data is None:
                return None
        content = self.hashes.get(name)
        if content is None:
            content = self.hashes[name] = _sha(data)
        self.contents.add(content)
        deps = self.imports.get(content)
        if deps is None:
            return None
        parts = [self.salt, name, content]
        for dep in deps:
            sub = self.key(dep, depth + 1)
            if sub is None:
                self.memo.pop(name, None)
                return None
            parts.append(sub)
        result = _sha("\0".join(parts).encode())
        self.memo[name] = result
        return result


# --- running protoc ----------------------------------------------------------


def _run_batches(
    groups: list[list[str]],
    args: list[str],
    root: Path,
    tmp: Path,
    jobs: int,
    done: queue.Queue[tuple[int, Path, Path] | None],
    stop: threading.Event,
    failed: list[BaseException],
    against: Sequence[Path] | None = None,
) -> None:
    """Run one protoc per group, `jobs` at a time; report each as it ends, then None.

    With `against` (a descriptor set per group, possibly empty), each
    group's files are its only sources (a `-Iname=name` mapping each), and
    everything else comes from its set.
    An exception is kept in `failed` for the caller to raise: a thread's own
    would only be printed, and the compile would pass with batches missing.
    """
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
                sources: list[str] = []
                if against is not None:
                    sources = [f"-I{name}={name}" for name in group]
                    if against[n].stat().st_size:
                        sources.append(f"--descriptor_set_in={against[n]}")
                argfile.write_text(
                    "\n".join([*sources, *args, f"--descriptor_set_out={out}", *group]) + "\n",
                    encoding="utf-8",
                    errors="surrogateescape",  # a name's bytes as they are on disk
                )
                with errfile.open("wb") as err:
                    proc = protoc.start(
                        [f"@{argfile}"], cwd=root, stderr=err.fileno(), library=against is None
                    )
                running.append((proc, out, errfile))
            finished = [r for r in running if r[0].poll() is not None]
            if not finished:
                stop.wait(0.005)
                continue
            for item in finished:
                running.remove(item)
                done.put((item[0].returncode, item[1], item[2]))
    except BaseException as exc:
        failed.append(exc)
    finally:
        for proc, _, _ in running:
            proc.kill()
            proc.wait()
        done.put(None)


# A compile's scratch folder older than this was left by a run that was
# killed: no compile of a hand-written tree takes an hour.
SCRATCH_STALE_SECONDS = 3600


def drop_stale_scratch(scratch: Path, now: float | None = None) -> list[Path]:
    """Remove the scratch folders (`protoc-*`) that killed runs left in
    `scratch`; which ones. Only real folders directly inside, older than
    SCRATCH_STALE_SECONDS; rmtree removes a link inside, never its target."""
    cutoff = (time.time() if now is None else now) - SCRATCH_STALE_SECONDS
    removed: list[Path] = []
    try:
        entries = list(os.scandir(scratch))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith("protoc-"):
            continue
        with contextlib.suppress(OSError):
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISDIR(st.st_mode) and st.st_mtime < cutoff:
                shutil.rmtree(entry.path)
                removed.append(Path(entry.path))
    return removed


def _scratch_folder(scratch: Path | None) -> tempfile.TemporaryDirectory[str]:
    """A folder for protoc's files, removed after: in `scratch` when it can
    be written (beside the cache, inside the repo), else the system's."""
    if scratch is not None:
        try:
            scratch.mkdir(parents=True, exist_ok=True)
            return tempfile.TemporaryDirectory(prefix="protoc-", dir=scratch)
        except OSError:
            pass  # an unwritable cache or a read-only checkout
    return tempfile.TemporaryDirectory(prefix="protoc-")


def _started(batches: Iterator[bytes]) -> Iterator[bytes]:
    """`batches` (from _protoc_batches) with protoc already running, rather
    than from the first next(): a caller can hand over what it has while
    these compile."""
    next(batches)
    return batches


def _protoc_batches(
    root: Path,
    groups: list[list[str]],
    includes: Sequence[Path],
    jobs: int,
    scratch: Path | None,
    against: Sequence[Path] | None = None,
    failed_groups: list[int] | None = None,
) -> Iterator[bytes]:
    """Yield b"" once protoc runs, then each batch's descriptor set,
    serialized, as its protoc ends; CompileError after all ran.

    With `against` (a descriptor set per group, possibly empty), protoc
    parses only each group's own files and reads every other import from
    its set; with
    `failed_groups`, a batch that fails goes there (by index) instead, for
    the caller to compile again the ordinary way, whose errors are the ones
    to show."""
    # Imports are asked for: their descriptors complete the set that gen and
    # buf read, and their imports complete the cache keys. Groups compiled
    # against sets need not: each import they do not own is in their set,
    # which the caller has already.
    args = ["--include_source_info"]
    if against is None:
        args = ["-I.", *(f"-I{p}" for p in includes), *args, "--include_imports"]
    errors: list[str] = []
    with _scratch_folder(scratch) as tmp:
        done: queue.Queue[tuple[int, Path, Path] | None] = queue.Queue()
        stop = threading.Event()
        failed: list[BaseException] = []
        # A thread keeps `jobs` protoc processes running, so a free core gets
        # its next batch at once even while the caller works on the last one.
        launcher = threading.Thread(
            target=_run_batches,
            args=(groups, args, root, Path(tmp), jobs, done, stop, failed, against),
            daemon=True,
        )
        launcher.start()
        try:
            yield b""
            while (item := done.get()) is not None:
                code, out, errfile = item
                if code != 0 and failed_groups is not None:
                    failed_groups.append(int(out.stem))
                elif code != 0:
                    lines = protoc.diagnostics(errfile.read_bytes(), root)
                    errors += [ln for ln in lines if ln not in errors]
                    if not lines:
                        errors.append("protoc failed without a message")
                elif not errors:
                    data = out.read_bytes()
                    out.unlink()
                    yield data
        finally:
            stop.set()  # left early (an error in the caller, ^C): stop what runs
            launcher.join()
        if failed:
            raise failed[0]
    if errors:
        raise CompileError(protoc.capped(errors))


# --- the compile -------------------------------------------------------------


@dataclass
class Compiled:
    """The API's descriptors, parsed once: the targets and, when asked, their imports.

    `files` are the targets (root-relative, sorted); `protos` holds every
    descriptor by name, imports first (a valid FileDescriptorSet order);
    `key` changes whenever any target or import changes.
    """

    root: Path
    files: tuple[str, ...]
    protos: dict[str, FileProto]
    key: str
    raw: dict[str, bytes]
    # The files protoc compiled in this run (the others came from the cache).
    fresh: tuple[str, ...] = ()
    # Each file's cache key (None without a cache, or for a file it could not key).
    file_keys: dict[str, str | None] = field(default_factory=dict)
    cache_folder: Path | None = None
    _set_path: Path | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def from_sources(self) -> bool:
        """Whether protoc produced every descriptor in this run (none came from the cache)."""
        return len(self.fresh) == len(self.protos)

    def targets(self) -> list[FileProto]:
        return [self.protos[f] for f in self.files]

    def descriptor_set(self) -> descriptor_pb2.FileDescriptorSet:
        fds = descriptor_pb2.FileDescriptorSet()
        fds.file.extend(self.protos.values())
        return fds

    def descriptor_set_path(self) -> Path:
        """The set on disk (for `protoc --descriptor_set_in` and buf), written once."""
        with self._lock:
            if self._set_path is None or not self._set_path.exists():
                # A compile from the sources keeps its set to itself: in the
                # shared folder another run's compile of the same key (from
                # the cache) could replace or remove it while protoc reads it.
                shared = None if self.from_sources else self.cache_folder
                folder = shared or _temp_folder()
                path = folder / "sets" / f"{self.key}.binpb"
                data = self.descriptor_set().SerializeToString(deterministic=True)
                # A set left on disk is compared, not trusted: a corrupt one is rewritten.
                # Read bounded and non-blocking: a FIFO there must not hang the run.
                if cache_dir.read_or_none(path, len(data)) != data:
                    try:
                        write_atomic(path, data)
                    except OSError:  # a read-only checkout: the system's temp folder
                        path = _temp_folder() / "sets" / f"{self.key}.binpb"
                        write_atomic(path, data)
                    for old in path.parent.glob("*.binpb"):
                        if old != path:
                            old.unlink(missing_ok=True)
                self._set_path = path
            return self._set_path


def _temp_folder() -> Path:
    """A folder in the system's temp folder, removed when the process exits."""
    folder = Path(tempfile.mkdtemp(prefix="turboci-compile-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder


def _ordered(protos: Mapping[str, FileProto]) -> dict[str, FileProto]:
    """Imports before importers, names sorted otherwise (deterministic)."""
    out: dict[str, FileProto] = {}

    def visit(name: str) -> None:
        if name in out or name not in protos:
            return
        for dep in protos[name].dependency:
            visit(dep)
        out[name] = protos[name]

    for name in sorted(protos):
        visit(name)
    return out


@dataclass
class Prepared:
    """The inputs of a compile, read and checked, with each one's cache key:
    what a caller needs to decide which files to compile at all (the lint's
    findings cache is keyed on these keys)."""

    raw: dict[str, bytes]
    # None for a file whose imports are not known yet (its content is new).
    keys: dict[str, str | None]
    _keys: _Keys
    salt: str


def prepare(
    root: Path,
    files: Sequence[str],
    *,
    includes: Sequence[Path] = (),
    cache: Path | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Prepared:
    """Read `files` (CompileError for what protoc would mishandle) and key them."""
    raw = read_inputs(root, files, max_bytes)
    known_imports: dict[str, list[str]] = {}
    if cache is not None:
        store = DescriptorCache(cache)
        known_imports = store.imports_of()
        store.close()
    # What decides the output besides the inputs: protoc and the includes.
    salt = "\0".join([protoc_version(), *map(str, includes)])
    search = (*includes, *protoc.library_includes())
    keys = _Keys(root, search, raw, known_imports, salt)
    return Prepared(raw, {name: keys.key(name) for name in files}, keys, salt)


def known_keys(prepared: Prepared) -> set[str]:
    """Every cache key prepare() worked out: the targets' and their imports'."""
    return {k for k in prepared._keys.memo.values() if k is not None}


def compile_stream(
    root: Path,
    files: Sequence[str],
    *,
    includes: Sequence[Path] = (),
    cache: Path | None = None,
    jobs: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    result: list[Compiled] | None = None,
    raw_sink: dict[str, bytes] | None = None,
    read_cache: bool = True,
    prepared: Prepared | None = None,
    keep: Collection[str] = (),
    defer: list[Callable[[], None]] | None = None,
    source_info: dict[str, bytes] | None = None,
) -> Iterator[list[FileProto]]:
    """Compile `files` (root-relative) and yield the targets' descriptors batch by batch.

    Cached descriptors come first, then each protoc batch as it ends, so a
    caller (the lint rules) works while the rest compiles. When all is done
    the whole result, imports included, is appended to `result`.
    `raw_sink` receives every target's bytes. With `read_cache` False the
    cache is only written: everything is compiled by protoc. Raises CompileError.

    `prepared` (from prepare(), for `files` or more) saves reading and keying
    the inputs again; `keep` names cache keys of files outside `files` whose
    rows must survive the clean-up of stale rows. With `defer`, the cache is
    written in a thread of its own, started once the compile is done, and the
    function appended there waits for it: the run's result (the rules still
    to run, the report) does not wait for the disk.

    With `source_info`, the lean form: every descriptor comes without its
    source info, each target's goes serialized into `source_info`, and each
    file is parsed once, on its own (core/wire.py), whichever batches hold it.
    """
    lean = source_info is not None
    # The lean form's bytes of each file protoc compiled in this run: what it
    # stores (the source info shared with `source_info`, not copied).
    wire_bytes: dict[str, wire.FileParts] = {}
    if prepared is None:
        prepared = prepare(root, files, includes=includes, cache=cache, max_bytes=max_bytes)
    raw = {f: prepared.raw[f] for f in files}
    if raw_sink is not None:
        raw_sink.update(raw)
    store = DescriptorCache(cache) if cache is not None else None
    keys = prepared._keys
    known_imports = keys.imports
    salt = prepared.salt
    protos: dict[str, FileProto] = {}
    todo: list[str] = []
    if store is not None and read_cache:

        def get(key: str | None) -> FileProto | None:
            if key is None:
                return None
            if not lean:
                return store.get(key)
            payload = store.get_payload(key)
            parts = _lean(payload) if payload is not None else None
            if parts is None:
                return None
            if source_info is not None and parts[0].name in raw:
                source_info[parts[0].name] = parts[1]
            return parts[0]

        for name in files:
            entry = get(keys.key(name))
            if entry is None or entry.name != name:
                todo.append(name)
            else:
                protos[name] = entry
        # The imports of the cached targets come from the cache too; a
        # missing one sends its importers back to protoc.
        stack = [(d, t) for t, p in list(protos.items()) for d in p.dependency]
        while stack:
            dep, importer = stack.pop()
            if dep in protos or dep in raw:
                continue
            entry = get(keys.key(dep))
            if entry is None or entry.name != dep:
                todo.append(importer)
                protos.pop(importer, None)
                continue
            protos[dep] = entry
            stack.extend((d, importer) for d in entry.dependency)
        todo += _complete(protos, raw)
        if not _hangs_together(protos):
            # Rows that pass their hashes yet do not form a valid set (a
            # cycle, a name that resolves nowhere) were written by someone
            # else: none of them is used.
            protos.clear()
            todo = list(files)
        todo = sorted(set(todo))
        cached = [protos[f] for f in files if f in protos]
        if cached:
            yield cached
    else:
        todo = list(files)
    fresh: set[str] = set()
    if todo:
        use_jobs = jobs or default_jobs()
        sizes = {f: len(data) for f, data in raw.items()}
        count = batch_plan.batch_count(todo, sizes, use_jobs)
        # protoc's outputs go beside the cache (same filesystem, inside the
        # repo); without a cache, to a temp folder that is removed after.
        scratch = cache / "tmp" if cache is not None else None
        if scratch is not None:
            drop_stale_scratch(scratch)
        wanted = set(todo)
        cached_store = store if read_cache else None
        plan = _plan_split(todo, sizes, count, use_jobs, raw, keys, cached_store, protos)
        if plan is None:
            plan_imports = (
                batch_plan.guessed_imports(raw, known_imports, keys.hashes) if count > 1 else None
            )
            groups = batch_plan.plan_batches(todo, sizes, count, plan_imports)
            sets = _started(_protoc_batches(root, groups, includes, use_jobs, scratch))
        else:
            sets = _in_two_steps(root, plan, includes, use_jobs, scratch)
        if store is not None:
            store.close()  # what the compile reads from the cache is read
        storing = _Storing(cache, keys, wire_bytes) if cache is not None else None
        stored: set[str] = set()
        try:
            for data in sets:
                batch: list[FileProto] = []
                if lean:
                    batch = _lean_batch(data, protos, wanted, raw, fresh, wire_bytes, source_info)
                else:
                    for proto in descriptor_pb2.FileDescriptorSet.FromString(data).file:
                        # A batch's imports may be targets of another batch: each
                        # target is handed over once.
                        if proto.name in wanted:
                            wanted.discard(proto.name)
                            batch.append(proto)
                        if proto.name not in protos:
                            protos[proto.name] = proto
                            fresh.add(proto.name)
                    _check_strings(batch, raw)
                if storing is not None and len(fresh) > len(stored):
                    new = fresh - stored
                    stored |= new
                    storing.add(protos, new)
                yield batch
        except BaseException:
            if storing is not None:
                storing.abort()
            raise
        if storing is not None:
            keys, wait = storing.finish(protos, keep)
            if defer is not None:
                defer.append(wait)
            else:
                wait()
    if store is not None:
        store.close()
    if result is not None:
        tree = hashlib.sha256(salt.encode())
        file_keys: dict[str, str | None] = {}
        for name in sorted(protos):
            part = file_keys[name] = keys.key(name) if store else None
            if part is None:
                part = _sha(protos[name].SerializeToString(deterministic=True))
            tree.update(f"{name}\0{part}\0".encode())
        result.append(
            Compiled(
                root=root,
                files=tuple(sorted(files)),
                protos=_ordered(protos),
                key=tree.hexdigest(),
                raw=dict(raw),
                fresh=tuple(sorted(fresh)),
                cache_folder=cache,
                file_keys=file_keys,
            )
        )


@dataclass(frozen=True)
class _Plan:
    """A compile in two steps (core/batch_plan.py), and the descriptors of
    the imports from outside the targets that the cache holds."""

    split: batch_plan.Steps
    # Name -> the serialized descriptor without its source info.
    cached: dict[str, bytes]
    # What each target (as far as known) and each cached import imports.
    imports: dict[str, list[str]]


def _plan_split(
    todo: Sequence[str],
    sizes: Mapping[str, int],
    count: int,
    jobs: int,
    raw: Mapping[str, bytes],
    keys: _Keys,
    store: DescriptorCache | None,
    protos: dict[str, FileProto],
) -> _Plan | None:
    """How to compile `todo` so that no file is parsed by two protoc
    processes, or None for the ordinary way (a single protoc that must parse
    its imports anyway costs least done the ordinary way).

    Imports from outside the targets come from the cache (`store`) when it
    holds them and all they import (their descriptors join `protos`, as taken
    from the cache), else from the first step. Which files a target imports
    is known from the cache for a content seen before, else read off its
    import lines; a wrong guess makes a group fail, and that group is
    compiled again the ordinary way."""
    if any("=" in name for name in todo):
        return None  # protoc's -I would take the name's "=" for the mapping's
    targets = set(todo)
    imports = batch_plan.guessed_imports({n: raw[n] for n in todo}, keys.imports, keys.hashes)
    found: dict[str, FileProto] = {}
    cached: dict[str, bytes] = {}
    outside: list[str] = []
    seen: set[str] = set()
    stack = sorted({d for n in todo for d in imports[n] if d not in targets}, reverse=True)
    while stack:
        dep = stack.pop()
        if dep in seen or dep in targets:
            continue
        seen.add(dep)
        entry = _cached_import(dep, keys, store, protos) if store is not None else None
        if entry is not None:
            found[dep], cached[dep] = entry
            stack.extend(found[dep].dependency)
        elif keys.content_of_import(dep) is not None:
            # Only a file that exists: an import guessed from a comment would
            # fail the first step, where it fails only the group it is in.
            outside.append(dep)
    if count == 1 and (outside or not cached):
        return None
    for dep, proto in found.items():
        protos.setdefault(dep, proto)
    steps = batch_plan.plan_steps(todo, sizes, jobs, imports, outside)
    # What the cached imports import, as parsed: a group's set follows them.
    known = {**imports, **{dep: list(proto.dependency) for dep, proto in found.items()}}
    return _Plan(steps, cached, known)


def _cached_import(
    name: str, keys: _Keys, store: DescriptorCache, protos: Mapping[str, FileProto]
) -> tuple[FileProto, bytes] | None:
    """The cached descriptor of an import, and its bytes without source info."""
    key = keys.key(name)
    payload = store.get_payload(key) if key is not None else None
    if payload is None:
        return None
    try:
        parts = wire.file_parts(payload)
        proto = protos[name] if name in protos else FileProto.FromString(parts.bare)
    except (ValueError, DecodeError):
        return None
    return (proto, parts.bare) if proto.name == name else None


def _in_two_steps(
    root: Path,
    plan: _Plan,
    includes: Sequence[Path],
    jobs: int,
    scratch: Path | None,
) -> Iterator[bytes]:
    """The shared files' sets, compiled the ordinary way, then the groups',
    compiled against the shared files' descriptors and the cached ones; a
    group that fails is compiled again the ordinary way, whose errors are
    raised. The groups start before the shared sets are handed over, so
    protoc works while the caller does."""
    split = plan.split
    entries: dict[str, bytes] = {}  # name -> descriptor without source info
    deps: dict[str, Sequence[str]] = dict(plan.imports)

    def learn(data: bytes) -> None:
        for entry in wire.set_files(data):
            parts = wire.file_parts(entry)
            if parts.name not in entries:
                entries[parts.name] = parts.bare
                deps.setdefault(parts.name, wire.dependencies(parts.bare))

    ready: list[bytes] = []
    if split.shared:
        # Compiled the ordinary way: an error in a shared file is raised as
        # protoc reports it, without the groups' echoes of it (an import
        # that "had errors" in every file that uses it).
        ready = list(_started(_protoc_batches(root, split.shared, includes, jobs, scratch)))
        for data in ready:
            learn(data)
    for name, bare in plan.cached.items():
        entries.setdefault(name, bare)  # what they import is in plan.imports

    def retry(groups: list[list[str]], scratch: Path | None) -> Iterator[bytes]:
        return _started(_protoc_batches(root, groups, includes, jobs, scratch))

    with _scratch_folder(scratch) as tmp:
        # Each group gets the descriptors its files import, not all of them:
        # protoc reads its whole set, and a tree in layers shares half its files.
        against = [Path(tmp) / f"shared{n}.binpb" for n in range(len(split.groups))]
        for path, group in zip(against, split.groups, strict=True):
            needed = _needed(group, deps, entries)
            path.write_bytes(b"".join(wire.as_set_entry(entries[n]) for n in needed))
        failed: list[int] = []
        sets = _started(_protoc_batches(root, split.groups, (), jobs, scratch, against, failed))
        yield from ready  # while the groups compile
        yield from _then_retried(sets, failed, split.groups, retry, scratch)


def _needed(
    group: Sequence[str], deps: Mapping[str, Sequence[str]], entries: Mapping[str, bytes]
) -> list[str]:
    """The names among `entries` that the files of `group` import, directly
    or not (protoc takes a set's files in any order)."""
    own = set(group)
    seen: set[str] = set()
    stack = [dep for name in group for dep in deps.get(name, ())]
    while stack:  # no recursion: a chain of imports may be thousands long
        name = stack.pop()
        if name in seen or name in own:
            continue
        seen.add(name)
        stack.extend(deps.get(name, ()))
    return sorted(n for n in seen if n in entries)


def _then_retried(
    sets: Iterator[bytes],
    failed: list[int] | None,
    groups: list[list[str]],
    retry: Callable[..., Iterator[bytes]],
    scratch: Path | None,
) -> Iterator[bytes]:
    """The sets of `sets`, then those of the groups that failed there,
    compiled again the ordinary way (whose errors are raised)."""
    yield from sets
    if failed:
        yield from retry([groups[i] for i in sorted(failed)], scratch=scratch)


def _lean(payload: bytes) -> tuple[FileProto, bytes] | None:
    """A serialized file parsed without its source info, and that info serialized."""
    try:
        parts = wire.file_parts(payload)
        return FileProto.FromString(parts.bare), parts.source_info
    except (ValueError, DecodeError):
        return None


def _lean_batch(
    data: bytes,
    protos: dict[str, FileProto],
    wanted: set[str],
    raw: Mapping[str, bytes],
    fresh: set[str],
    wire_bytes: dict[str, wire.FileParts],
    source_info: dict[str, bytes] | None,
) -> list[FileProto]:
    """The targets of one protoc set, each file parsed once for the whole run."""
    batch: list[FileProto] = []
    for entry in wire.set_files(data):
        parts = wire.file_parts(entry)
        if parts.name in protos:
            continue  # an import parsed from an earlier batch (or a target handed over)
        proto = FileProto.FromString(parts.bare)
        protos[proto.name] = proto
        fresh.add(proto.name)
        wire_bytes[proto.name] = parts
        if proto.name in wanted:
            wanted.discard(proto.name)
            batch.append(proto)
            if source_info is not None:
                source_info[proto.name] = parts.source_info
            if _ESCAPE.search(raw.get(proto.name, b"\\0")):
                # The check names places: it needs the file with its source info.
                _check_strings([FileProto.FromString(bytes(entry))], raw)
    return batch


def _complete(protos: dict[str, FileProto], raw: Mapping[str, bytes]) -> list[str]:
    """Drop the cached descriptors that import one not cached; return the
    targets among them (to be compiled)."""
    dropped: list[str] = []
    while stray := [n for n, p in protos.items() if any(d not in protos for d in p.dependency)]:
        for name in stray:
            del protos[name]
            if name in raw:
                dropped.append(name)
    return dropped


def _hangs_together(protos: Mapping[str, FileProto]) -> bool:
    """Whether the descriptors form a valid set: every import present, no
    cycle, every name they use defined once (a DescriptorPool builds them)."""
    pool = descriptor_pool.DescriptorPool()
    added: set[str] = set()
    pending = sorted(protos)
    while pending:
        ready = [n for n in pending if all(d in added for d in protos[n].dependency)]
        if not ready:
            return False  # an import cycle
        for name in ready:
            try:
                pool.Add(protos[name])
                pool.FindFileByName(name)  # built lazily by some implementations
            except (TypeError, KeyError, ValueError):
                return False
            added.add(name)
        pending = [n for n in pending if n not in added]
    return True


# Only an escape in a string literal can put bytes that are not UTF-8 into a
# descriptor of a file whose text is UTF-8 (read_inputs made sure).
_ESCAPE = re.compile(rb"\\[0-7xX]")


def _check_strings(protos: Sequence[FileProto], raw: Mapping[str, bytes]) -> None:
    """protoc accepts escapes that are not UTF-8 in string options: refuse them.

    Only freshly compiled files are checked (a cached one passed already),
    and only those whose text holds an escape: walking every descriptor of a
    big tree costs seconds."""
    bad = [
        line
        for proto in protos
        if _ESCAPE.search(raw.get(proto.name, b"\\0"))
        for line in utf8.not_utf8(proto)
    ]
    if bad:
        raise CompileError(protoc.capped(bad))


class _Storing:
    """The descriptor cache written beside the compile.

    Each batch's new descriptors are keyed as soon as their imports are all
    known (a batch's set holds them) and handed to a thread that inserts
    them, with a connection of its own, in one open transaction; finish()
    adds the import lists, drops stale rows (but those in `keep`) and
    commits. SQLite releases the GIL while it writes, so the write overlaps
    the compile and the rules instead of following them. A compile that
    fails, or a process that ends, before the commit leaves the old rows:
    SQLite rolls the transaction back.
    """

    def __init__(self, cache: Path, keys: _Keys, wire_bytes: Mapping[str, wire.FileParts]) -> None:
        self._old = keys
        # The imports of files outside this compile too.
        self._current: dict[str, list[str]] = dict(keys.imports)
        self.keys = _Keys(
            keys.root, keys.includes, keys.raw, self._current, keys.salt, hashes=dict(keys.hashes)
        )
        self._wire = wire_bytes
        self._learned: set[str] = set()
        self._queue: queue.Queue[tuple[str, object, object] | None] = queue.Queue()
        self._failed: list[BaseException] = []
        self._thread = threading.Thread(
            target=self._run, args=(cache,), name="descriptor-cache-write", daemon=True
        )
        self._thread.start()

    def _learn(self, protos: Mapping[str, FileProto]) -> None:
        """What every descriptor now at hand imports, by its content."""
        for name, proto in protos.items():
            if name in self._learned:
                continue
            self._learned.add(name)
            content = self.keys.hashes.get(name)  # worked out already for most
            if content is None:
                data = self.keys.raw.get(name)
                if data is None:
                    data = self.keys.content_of_import(name)
                content = _sha(data) if data is not None else None
            if content is not None:
                self._current[content] = list(proto.dependency)
        # A key found missing before may be known now.
        memo = self.keys.memo
        for name in [n for n, key in memo.items() if key is None]:
            del memo[name]

    def add(self, protos: Mapping[str, FileProto], names: Collection[str]) -> None:
        """Store the descriptors of `names`, new in this compile."""
        self._learn(protos)
        rows = [(key, name) for name in sorted(names) if (key := self.keys.key(name)) is not None]
        self._queue.put(("rows", rows, protos))

    def finish(
        self, protos: Mapping[str, FileProto], keep: Collection[str]
    ) -> tuple[_Keys, Callable[[], None]]:
        """The keys of every file, and the function that waits for the commit."""
        self._learn(protos)
        live: set[str] = set(keep)
        live.update(key for name in protos if (key := self.keys.key(name)) is not None)
        wanted = self._old.contents | self.keys.contents
        imports = {k: v for k, v in self._current.items() if k in wanted}
        self._queue.put(("commit", imports, live))
        return self.keys, self._wait

    def abort(self) -> None:
        self._queue.put(None)
        self._thread.join()

    def _wait(self) -> None:
        self._thread.join()
        if self._failed:
            raise self._failed[0]

    def _run(self, cache: Path) -> None:
        store = DescriptorCache(cache)
        try:
            writing = store.begin()
            while (item := self._queue.get()) is not None:
                kind, first, second = item
                if kind == "commit":
                    if writing:
                        store.commit(first, second)  # type: ignore[arg-type]
                    return
                if writing:
                    store.put(self._payloads(first, second))  # type: ignore[arg-type]
            store.rollback()
        except BaseException as exc:  # handed to the waiter, not printed by the thread
            self._failed.append(exc)
            store.rollback()
        finally:
            store.close()

    def _payloads(
        self, rows: list[tuple[str, str]], protos: Mapping[str, FileProto]
    ) -> Iterator[tuple[str, bytes]]:
        # One at a time: a lean descriptor lacks its source info, so its
        # parts are joined into what is stored.
        for key, name in rows:
            if self._wire:
                yield key, wire.joined(self._wire[name])
            else:
                yield key, protos[name].SerializeToString(deterministic=True)


def compile_files(
    root: Path,
    files: Sequence[str],
    *,
    includes: Sequence[Path] = (),
    cache: Path | None = None,
    jobs: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    read_cache: bool = True,
) -> Compiled:
    """compile_stream(), all at once."""
    result: list[Compiled] = []
    for _ in compile_stream(
        root,
        files,
        includes=includes,
        cache=cache,
        jobs=jobs,
        max_bytes=max_bytes,
        result=result,
        read_cache=read_cache,
    ):
        pass
    return result[0]
