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


def test_plan_batches_balances_bytes_not_file_counts() -> None:
    sizes = {"a/big.proto": 900, **{f"b/{i:02d}.proto": 10 for i in range(90)}}
    groups = compiler.plan_batches(list(sizes), sizes, 2)
    assert groups[0] == ["a/big.proto"]  # the big file alone is half the bytes
    assert len(groups[1]) == 90
    assert sorted(f for g in groups for f in g) == sorted(sizes)


def test_plan_batches_are_contiguous_deterministic_and_cover_everything() -> None:
    sizes = {f"f{i:02d}": 10 for i in range(10)}
    groups = compiler.plan_batches(list(reversed(sizes)), sizes, 3)
    assert [f for g in groups for f in g] == sorted(sizes)
    assert max(map(len, groups)) - min(map(len, groups)) <= 1
    assert compiler.plan_batches(list(sizes), sizes, 3) == groups
    assert compiler.plan_batches(["x"], {"x": 1}, 4) == [["x"]]


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


def test_plan_batches_keeps_import_chains_together() -> None:
    # Two independent chains a0 <- a1 <- a2 and b0 <- b1 <- b2, of equal bytes.
    files = [f"{c}{i}.proto" for c in "ab" for i in range(3)]
    imports = {f"{c}{i}.proto": [f"{c}{i - 1}.proto"] if i else [] for c in "ab" for i in range(3)}
    sizes = dict.fromkeys(files, 10)
    interleaved = sorted(files, key=lambda f: (f[1], f[0]))  # a0 b0 a1 b1 a2 b2
    groups = compiler.plan_batches(interleaved, sizes, 2, imports)
    assert sorted(groups) == [
        ["a0.proto", "a1.proto", "a2.proto"],
        ["b0.proto", "b1.proto", "b2.proto"],
    ]
    assert compiler.plan_batches(interleaved, sizes, 2, imports) == groups  # deterministic


def test_plan_batches_by_imports_stays_balanced_in_bytes() -> None:
    # Everything imports one hub: the hub is shared, the rest splits evenly by bytes.
    files = ["hub.proto", *(f"f{i:02d}.proto" for i in range(20))]
    imports = {f: (["hub.proto"] if f != "hub.proto" else []) for f in files}
    sizes = {f: (100 if f == "f00.proto" else 10) for f in files}
    groups = compiler.plan_batches(files, sizes, 3, imports)
    assert sorted(f for g in groups for f in g) == sorted(files)
    own = [sum(sizes[f] for f in g) for g in groups]
    assert max(own) <= sum(sizes.values()) / 3 * 1.05 + 100


def test_guessed_imports_prefer_what_the_cache_knows() -> None:
    raw = {"a.proto": b'import "b.proto";\n  import public "c.proto";\n// import "no.proto"\n'}
    assert compiler.guessed_imports(raw, {}) == {"a.proto": ["b.proto", "c.proto"]}
    known = {hashlib.sha256(raw["a.proto"]).hexdigest(): ["x.proto"]}
    assert compiler.guessed_imports(raw, known) == {"a.proto": ["x.proto"]}


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
    real = compiler._prebuild

    def spy(*args: object) -> object:
        used.append(real(*args))  # type: ignore[arg-type]
        return used[-1]

    monkeypatch.setattr(compiler, "_prebuild", spy)
    got = _lean(root, files, cache)
    assert used and used[0] is not None  # mid.proto came from the cache
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
