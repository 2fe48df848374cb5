# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The compile: byte-balanced batches, the per-file cache, errors in one place."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from core import cached_compile as compiler
from core import protoc
from core.descriptor_cache import DescriptorCache
from core.protoc import CompileError


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _chain(root: Path, count: int, package: str = "acme.p.v1") -> list[str]:
    """p0 <- p1 <- ... each importing the one before."""
    files: dict[str, str] = {}
    for i in range(count):
        dep = f'import "p{i - 1}.proto";\n\n' if i else ""
        files[f"p{i}.proto"] = (
            f'syntax = "proto3";\n\npackage {package};\n\n{dep}'
            f"// M{i}.\nmessage M{i} {{\n  string a = 1;\n}}\n"
        )
    _write(root, files)
    return sorted(files)


def test_batched_compile_matches_one_run(tmp_path: Path) -> None:
    names = _chain(tmp_path, 70)  # over SPLIT_AT: two batches
    one = compiler.compile_files(tmp_path, names, jobs=1)
    many = compiler.compile_files(tmp_path, names, jobs=2)
    assert list(one.protos) == list(many.protos)
    assert [p.SerializeToString() for p in one.protos.values()] == [
        p.SerializeToString() for p in many.protos.values()
    ]
    # Imports come before the files that import them.
    order = list(many.protos)
    assert order.index("p3.proto") < order.index("p4.proto")


def test_the_cache_recompiles_only_the_edited_file_and_its_dependents(tmp_path: Path) -> None:
    tree, cache = tmp_path / "tree", tmp_path / "cache"
    names = _chain(tree, 6)
    _write(tree, {"lone.proto": 'syntax = "proto3";\npackage acme.l;\nmessage L {}\n'})
    names.append("lone.proto")
    first = compiler.compile_files(tree, names, cache=cache)
    assert set(first.fresh) >= set(names)
    again = compiler.compile_files(tree, names, cache=cache)
    assert again.fresh == ()
    assert again.key == first.key
    assert [p.SerializeToString() for p in again.protos.values()] == [
        p.SerializeToString() for p in first.protos.values()
    ]
    text = (tree / "p3.proto").read_text(encoding="utf-8")
    (tree / "p3.proto").write_text(text.replace("string a = 1;", "int64 a = 1;"), "utf-8")
    edited = compiler.compile_files(tree, names, cache=cache)
    assert edited.fresh == ("p3.proto", "p4.proto", "p5.proto")
    assert edited.key != first.key
    assert edited.protos["p3.proto"].message_type[0].field[0].type == 3  # TYPE_INT64


def test_a_corrupt_cache_entry_is_dropped_and_rebuilt(tmp_path: Path) -> None:
    tree, cache = tmp_path / "tree", tmp_path / "cache"
    names = _chain(tree, 3)
    first = compiler.compile_files(tree, names, cache=cache)
    db = sqlite3.connect(cache / "descriptors.sqlite")
    with db:
        keys = [k for (k,) in db.execute("SELECT key FROM entries ORDER BY key")]
        db.execute("UPDATE entries SET payload = substr(payload, 1, 10) WHERE key = ?", keys[:1])
        db.execute("UPDATE entries SET payload = x'' WHERE key = ?", keys[1:2])
        db.execute("UPDATE imports SET names = '{not json'")
    db.close()
    again = compiler.compile_files(tree, names, cache=cache)
    assert again.fresh  # rebuilt, not trusted
    assert [p.SerializeToString() for p in again.protos.values()] == [
        p.SerializeToString() for p in first.protos.values()
    ]
    assert compiler.compile_files(tree, names, cache=cache).fresh == ()


def test_a_cache_file_that_is_no_database_is_replaced(tmp_path: Path) -> None:
    tree, cache = tmp_path / "tree", tmp_path / "cache"
    names = _chain(tree, 3)
    compiler.compile_files(tree, names, cache=cache)
    (cache / "descriptors.sqlite").write_bytes(b"garbage, not SQLite" * 100)
    for side in ("descriptors.sqlite-wal", "descriptors.sqlite-shm"):
        (cache / side).unlink(missing_ok=True)
    assert compiler.compile_files(tree, names, cache=cache).fresh
    assert compiler.compile_files(tree, names, cache=cache).fresh == ()


def test_a_fifo_where_the_descriptor_set_goes_is_replaced_not_read(tmp_path: Path) -> None:
    tree, cache = tmp_path / "tree", tmp_path / "cache"
    names = _chain(tree, 2)
    compiler.compile_files(tree, names, cache=cache)
    # From the cache this time: only such a compile keeps its set in the cache.
    compiled = compiler.compile_files(tree, names, cache=cache)
    assert not compiled.from_sources
    path = cache / "sets" / f"{compiled.key}.binpb"
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)  # reading it to compare would wait forever for a writer
    assert compiled.descriptor_set_path() == path
    assert path.is_file()
    assert path.read_bytes() == compiled.descriptor_set().SerializeToString(deterministic=True)


def test_concurrent_compiles_share_the_cache_safely(tmp_path: Path) -> None:
    tree, cache = tmp_path / "tree", tmp_path / "cache"
    names = _chain(tree, 8)
    results: list[compiler.Compiled] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(compiler.compile_files(tree, names, cache=cache))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len({r.key for r in results}) == 1
    assert compiler.compile_files(tree, names, cache=cache).fresh == ()


def test_an_error_in_one_batch_fails_the_compile(tmp_path: Path) -> None:
    names = _chain(tmp_path, 70)
    (tmp_path / "p69.proto").write_text('syntax = "proto3";\nmessage {\n', encoding="utf-8")
    with pytest.raises(CompileError) as info:
        compiler.compile_files(tmp_path, names, jobs=2)
    assert info.value.lines
    assert all(line.startswith("p69.proto:") for line in info.value.lines)


def test_error_lines_are_capped(tmp_path: Path) -> None:
    body = "".join(f"message M{i} {{ strin x = 1; }}\n" for i in range(80))
    _write(tmp_path, {"a.proto": 'syntax = "proto3";\n' + body})
    with pytest.raises(CompileError) as info:
        compiler.compile_files(tmp_path, ["a.proto"])
    assert len(info.value.lines) == 21
    assert info.value.lines[-1].startswith("… and ")


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "1:1: empty file"),
        (b'syntax = "proto3";\n\0', "2:1: binary file (NUL byte at offset 19)"),
        (b'syntax = "proto3";\n// caf\xe9\n', "2:7: not UTF-8 (byte 0xe9)"),
    ],
)
def test_inputs_protoc_would_mishandle_are_refused_first(
    tmp_path: Path, data: bytes, message: str
) -> None:
    (tmp_path / "a.proto").write_bytes(data)
    with pytest.raises(CompileError) as info:
        compiler.compile_files(tmp_path, ["a.proto"])
    assert info.value.lines == [f"a.proto:{message}" + info.value.lines[0].split(message, 1)[1]]


def test_the_size_limit(tmp_path: Path) -> None:
    (tmp_path / "a.proto").write_bytes(b'syntax = "proto3";\n' + b"// x\n" * 10)
    with pytest.raises(CompileError, match=r"a\.proto:1:1: file is 69 bytes, over the 64-byte"):
        compiler.compile_files(tmp_path, ["a.proto"], max_bytes=64)


def test_an_unwritable_cache_costs_speed_not_the_compile(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    names = _chain(tree, 3)
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    compiled = compiler.compile_files(tree, names, cache=blocker)
    assert compiled.files == tuple(names)
    assert blocker.read_text(encoding="utf-8").startswith("a file")


def _rewrite_rows(cache: Path, change: Callable[[compiler.FileProto], object]) -> None:
    """Rewrite every cached descriptor with `change`, its hash recomputed to match."""
    db = sqlite3.connect(cache / "descriptors.sqlite")
    with db:
        for key, payload in db.execute("SELECT key, payload FROM entries").fetchall():
            proto = compiler.FileProto.FromString(payload)
            change(proto)
            data = proto.SerializeToString(deterministic=True)
            db.execute(
                "UPDATE entries SET digest = ?, payload = ? WHERE key = ?",
                (hashlib.sha256(data).digest(), data, key),
            )
    db.close()


def test_a_compile_from_sources_reads_no_row_and_replaces_rewritten_ones(tmp_path: Path) -> None:
    tree, cache = tmp_path / "tree", tmp_path / "cache"
    names = _chain(tree, 3)
    first = compiler.compile_files(tree, names, cache=cache)
    assert first.from_sources
    _rewrite_rows(cache, lambda p: p.message_type[0].field.add(name="poison", number=9))
    trusting = compiler.compile_files(tree, names, cache=cache)
    assert not trusting.from_sources
    assert "poison" in [f.name for f in trusting.protos["p1.proto"].message_type[0].field]
    fresh = compiler.compile_files(tree, names, cache=cache, read_cache=False)
    assert fresh.from_sources
    assert [p.SerializeToString() for p in fresh.protos.values()] == [
        p.SerializeToString() for p in first.protos.values()
    ]
    # Its rows replaced the rewritten ones.
    again = compiler.compile_files(tree, names, cache=cache)
    assert again.fresh == ()
    assert [p.SerializeToString() for p in again.protos.values()] == [
        p.SerializeToString() for p in first.protos.values()
    ]


def _import_itself(p: compiler.FileProto) -> None:
    p.dependency.append(p.name)


def _import_the_next(p: compiler.FileProto) -> None:
    p.dependency.append({"p0.proto": "p1.proto"}.get(p.name, "p0.proto"))


def _unresolved_type(p: compiler.FileProto) -> None:
    p.message_type[0].field.add(name="x", number=9, type_name=".no.such.Type", type=11)


def _another_name(p: compiler.FileProto) -> None:
    p.name = f"other/{p.name}"


@pytest.mark.parametrize(
    "change",
    [_import_itself, _import_the_next, _unresolved_type, _another_name, compiler.FileProto.Clear],
)
def test_rows_that_do_not_form_a_valid_set_are_not_used(
    tmp_path: Path, change: Callable[[compiler.FileProto], None]
) -> None:
    tree, cache = tmp_path / "tree", tmp_path / "cache"
    names = _chain(tree, 3)
    first = compiler.compile_files(tree, names, cache=cache)
    _rewrite_rows(cache, change)
    again = compiler.compile_files(tree, names, cache=cache)
    assert again.from_sources
    assert [p.SerializeToString() for p in again.protos.values()] == [
        p.SerializeToString() for p in first.protos.values()
    ]


def test_an_import_list_naming_a_fifo_does_not_hang_the_compile(tmp_path: Path) -> None:
    tree, cache = tmp_path / "tree", tmp_path / "cache"
    names = _chain(tree, 2)
    compiler.compile_files(tree, names, cache=cache)
    os.mkfifo(tree / "fifo.proto")  # read, it would block for ever
    db = sqlite3.connect(cache / "descriptors.sqlite")
    with db:
        db.execute("UPDATE imports SET names = ?", ('["fifo.proto"]',))
    db.close()
    done: list[compiler.Compiled] = []
    worker = threading.Thread(
        target=lambda: done.append(compiler.compile_files(tree, names, cache=cache)),
        daemon=True,
    )
    worker.start()
    worker.join(timeout=60)
    assert done, "the compile hung on the FIFO"
    assert done[0].from_sources


def test_a_failure_of_the_protoc_thread_fails_the_compile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A thread's exception is printed and lost unless handed over: the
    # compile would pass with the batch missing.
    names = _chain(tmp_path, 2)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the launcher broke")

    monkeypatch.setattr(protoc, "start", broken)
    with pytest.raises(RuntimeError, match="the launcher broke"):
        compiler.compile_files(tmp_path, names)


def _lean(root: Path, files: list[str], cache: Path) -> dict[str, object]:
    """A lean compile's descriptors, each with its source info put back."""
    info: dict[str, bytes] = {}
    out: dict[str, object] = {}
    for batch in compiler.compile_stream(root, files, cache=cache, source_info=info):
        for proto in batch:
            whole = type(proto)()
            whole.CopyFrom(proto)
            whole.source_code_info.ParseFromString(info[proto.name])
            out[proto.name] = whole
    return out


HUB_TREE = {
    "hub.proto": 'syntax = "proto3";\npackage acme;\nmessage Hub { string a = 1; }\n',
    "mid.proto": 'syntax = "proto3";\npackage acme;\nmessage Mid { string b = 1; }\n',
    **{
        f"leaf{i}.proto": (
            f'syntax = "proto3";\npackage acme;\nimport "hub.proto";\nimport "mid.proto";\n'
            f"message Leaf{i} {{ Hub h = 1; Mid m = 2; }}\n"
        )
        for i in range(4)
    },
}


def test_an_edited_hub_compiles_its_importers_against_the_cached_imports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Recompiling what imports an edited file, protoc reads the unchanged
    imports from the cache's descriptors, and the result is what a compile
    from the sources gives."""
    root = tmp_path / "tree"
    _write(root, HUB_TREE)
    files = sorted(HUB_TREE)
    cache = tmp_path / "cache"
    _lean(root, files, cache)
    (root / "hub.proto").write_text(HUB_TREE["hub.proto"] + "// edited\n")
    used: list[object] = []
    real = compiler._plan_split

    def spy(*args: object) -> object:
        used.append(real(*args))  # type: ignore[arg-type]
        return used[-1]

    monkeypatch.setattr(compiler, "_plan_split", spy)
    got = _lean(root, files, cache)
    plan = used[0]
    assert isinstance(plan, compiler._Plan)
    assert set(plan.cached) == {"mid.proto"}  # from the cache, not parsed again
    scratch = compiler.compile_files(root, files)
    assert got == {name: scratch.protos[name] for name in files}


@pytest.mark.parametrize(
    "edit",
    [
        # An import the import-line reading cannot see: protoc fails on the
        # copy, and the batch is compiled again from the sources.
        'syntax = "proto3";\npackage acme;\nimport\n  "hub.proto"; import "mid.proto";\n'
        "message Leaf0 { Hub h = 1; Mid m = 2; }\n",
        # A new import of a file that was never compiled.
        'syntax = "proto3";\npackage acme;\nimport "hub.proto";\nimport "new.proto";\n'
        "message Leaf0 { Hub h = 1; New n = 2; }\n",
    ],
)
def test_a_copy_protoc_cannot_compile_falls_back_to_the_sources(tmp_path: Path, edit: str) -> None:
    root = tmp_path / "tree"
    _write(root, {**HUB_TREE, "new.proto": 'syntax = "proto3";\npackage acme;\nmessage New {}\n'})
    files = sorted(HUB_TREE)
    cache = tmp_path / "cache"
    _lean(root, files, cache)
    (root / "leaf0.proto").write_text(edit)
    got = _lean(root, files, cache)
    scratch = compiler.compile_files(root, files)
    assert got == {name: scratch.protos[name] for name in files}


def test_errors_of_a_compile_against_cached_imports_are_the_ordinary_ones(
    tmp_path: Path,
) -> None:
    root = tmp_path / "tree"
    _write(root, HUB_TREE)
    files = sorted(HUB_TREE)
    cache = tmp_path / "cache"
    _lean(root, files, cache)
    (root / "leaf1.proto").write_text(HUB_TREE["leaf1.proto"].replace("Mid m", "Missing m"))
    with pytest.raises(CompileError) as lean_error:
        _lean(root, files, cache)
    with pytest.raises(CompileError) as plain_error:
        compiler.compile_files(root, files)
    assert lean_error.value.lines == plain_error.value.lines
    assert lean_error.value.lines[0].startswith("leaf1.proto:5:")


def _folders_tree(root: Path, edits: dict[str, str] | None = None) -> list[str]:
    """Four folders of 30 files (over SPLIT_AT: two groups, then two of b, c, d):
    each file imports the one before it in its folder and common/base.proto,
    which imports a well-known type; c's files import a's too."""
    files: dict[str, str] = {
        "common/base.proto": (
            'syntax = "proto3";\npackage acme.common;\n'
            'import "google/protobuf/timestamp.proto";\n'
            "message Base { google.protobuf.Timestamp at = 1; }\n"
        )
    }
    for folder in "abcd":
        for i in range(30):
            deps = ['import "common/base.proto";']
            if i:
                deps.append(f'import "{folder}/f{i - 1:02d}.proto";')
            if folder == "c":
                deps.append(f'import "a/f{i:02d}.proto";')
            files[f"{folder}/f{i:02d}.proto"] = (
                f'syntax = "proto3";\npackage acme.{folder};\n' + "\n".join(deps) + "\n"
                f"message M{i} {{ acme.common.Base base = 1; }}\n"
            )
    files.update(edits or {})
    _write(root, files)
    return sorted(files)


def _spy_starts(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every protoc started: the lines of its argument file."""
    started: list[list[str]] = []
    real = protoc.start

    def spy(args: list[str], *rest: object, **kwargs: object) -> object:
        started.append(Path(args[0][1:]).read_text(encoding="utf-8").splitlines())
        return real(args, *rest, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(protoc, "start", spy)
    return started


def _protos(compiled: compiler.Compiled) -> dict[str, bytes]:
    return {n: p.SerializeToString(deterministic=True) for n, p in compiled.protos.items()}


def test_groups_parse_only_their_own_files_and_match_one_protoc(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = _folders_tree(tmp_path)
    one = compiler.compile_files(tmp_path, names, jobs=1)
    started = _spy_starts(monkeypatch)
    many = compiler.compile_files(tmp_path, names, jobs=2)
    assert _protos(many) == _protos(one)
    assert list(many.protos) == list(one.protos)
    first, *groups = started
    # The shared files first: what another folder imports, and the import from outside.
    shared = [a for a in first if a.endswith(".proto")]
    assert shared == [f"a/f{i:02d}.proto" for i in range(30)] + [
        "common/base.proto",
        "google/protobuf/timestamp.proto",
    ]
    assert len(groups) == 2
    parsed: list[str] = []
    for args in groups:
        assert any(a.startswith("--descriptor_set_in=") for a in args)
        assert "-I." not in args
        own = [a for a in args if a.endswith(".proto") and not a.startswith("-")]
        assert [a for a in args if a.startswith("-I")] == [f"-I{n}={n}" for n in own]
        parsed += own
    assert sorted(parsed) == sorted(set(names) - set(shared))


def test_an_import_the_lines_do_not_show_sends_its_group_the_ordinary_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # d/f05 imports b/f03 over two lines: no plan has it, protoc fails
    # that group, and it is compiled again from the sources. An import
    # inside a block comment names a file that does not exist.
    edits = {
        "d/f05.proto": 'syntax = "proto3";\npackage acme.d;\nimport\n  "b/f03.proto";\n'
        '/*\nimport "gone/none.proto";\n*/\nmessage M5 { acme.b.M3 m = 1; }\n'
    }
    names = _folders_tree(tmp_path, edits)
    one = compiler.compile_files(tmp_path, names, jobs=1)
    started = _spy_starts(monkeypatch)
    many = compiler.compile_files(tmp_path, names, jobs=2)
    assert _protos(many) == _protos(one)
    assert any("-I." in args and "d/f05.proto" in args for args in started)


@pytest.mark.parametrize("broken", ["a/f03.proto", "d/f07.proto"])
def test_an_error_in_a_compile_in_two_steps_names_the_file_not_its_echoes(
    tmp_path: Path, broken: str
) -> None:
    # a/f03 is shared (c's files import it), d/f07 is a group's own. Either
    # way the error is the file's own; its importers' "Import ... had
    # errors" come only from a protoc that reached them first.
    folder, number = broken[0], int(broken[3:5])
    text = (
        f'syntax = "proto3";\npackage acme.{folder};\nimport "common/base.proto";\n'
        f"message M{number} {{ Missing m = 1; }}\n"
    )
    names = _folders_tree(tmp_path, {broken: text})
    with pytest.raises(CompileError) as many:
        compiler.compile_files(tmp_path, names, jobs=2)
    assert many.value.lines == [
        f'{broken}:4:{len(f"message M{number} {{ ") + 1}: "Missing" is not defined.'
    ]


def test_a_deferred_cache_write_runs_beside_the_caller_until_waited_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = _chain(tmp_path / "tree", 3)
    cache = tmp_path / "cache"
    release = threading.Event()
    real = DescriptorCache.commit

    def slow(self: DescriptorCache, *args: object) -> None:
        assert release.wait(30)
        real(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(DescriptorCache, "commit", slow)
    pending: list[Callable[[], None]] = []
    for _ in compiler.compile_stream(tmp_path / "tree", names, cache=cache, defer=pending):
        pass
    # The compile is over while the write waits: the caller's work goes on.
    assert len(pending) == 1
    release.set()
    pending[0]()
    again = compiler.compile_files(tmp_path / "tree", names, cache=cache)
    assert again.fresh == ()


def test_a_failed_deferred_cache_write_is_raised_by_the_wait(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = _chain(tmp_path / "tree", 2)

    def broken(self: DescriptorCache, *args: object) -> None:
        raise RuntimeError("the disk broke")

    monkeypatch.setattr(DescriptorCache, "put", broken)
    pending: list[Callable[[], None]] = []
    for _ in compiler.compile_stream(
        tmp_path / "tree", names, cache=tmp_path / "cache", defer=pending
    ):
        pass
    with pytest.raises(RuntimeError, match="the disk broke"):
        pending[0]()


def test_a_group_is_given_the_descriptors_its_files_import_and_no_others() -> None:
    deps = {
        "g/x.proto": ["s/a.proto", "g/y.proto"],
        "g/y.proto": ["s/b.proto"],
        "s/a.proto": ["s/c.proto", "google/protobuf/any.proto"],
        "s/b.proto": [],
        "s/c.proto": ["s/a.proto"],  # a cycle: protoc reports it, the walk ends
        "s/unused.proto": [],
    }
    entries = dict.fromkeys(
        ["s/a.proto", "s/b.proto", "s/c.proto", "s/unused.proto", "google/protobuf/any.proto"], b""
    )
    needed = compiler._needed(["g/x.proto", "g/y.proto"], deps, entries)
    assert needed == ["google/protobuf/any.proto", "s/a.proto", "s/b.proto", "s/c.proto"]


def test_scratch_folders_left_by_killed_runs_are_removed(tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    old, young = scratch / "protoc-old", scratch / "protoc-young"
    for folder in (old, young):
        (folder / "inner").mkdir(parents=True)
        (folder / "inner" / "0.binpb").write_bytes(b"x")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("not the cache's")
    (old / "link").symlink_to(outside)
    linked = scratch / "protoc-linked"
    linked.symlink_to(outside)
    now = os.stat(old).st_mtime + compiler.SCRATCH_STALE_SECONDS + 1
    os.utime(young, (now, now))
    os.utime(linked, (0, 0), follow_symlinks=False)
    assert compiler.drop_stale_scratch(scratch, now) == [old]
    assert young.is_dir() and linked.is_symlink()
    assert (outside / "keep.txt").read_text() == "not the cache's"
