"""The batched, parallel compile: same descriptors and findings as one protoc run."""

from __future__ import annotations

from pathlib import Path

import pytest

from presubmit import compiler
from presubmit import config
from presubmit import registry
from presubmit import runner
from tests.presubmit.helpers import write_tree


def _tree(tree: Path, count: int) -> list[str]:
    files: dict[str, str] = {}
    for i in range(count):
        dep = f'import "p{i - 1}.proto";\n\n' if i else ""
        files[f"p{i}.proto"] = (
            f'syntax = "proto3";\n\npackage acme.p.v1;\n\n{dep}'
            f"// Next ID: {1 if i % 2 else 2}\nmessage M{i} {{\n  string a = 1;\n}}\n"
            f"// S{i}.\nservice S{i} {{}}\n"
        )
    write_tree(tree, files)
    return sorted(files)


def test_batches_are_contiguous_and_cover_everything() -> None:
    files = [f"f{i:02d}" for i in range(10)]
    groups = compiler.batches(list(reversed(files)), 3)
    assert groups == [files[0:4], files[4:8], files[8:10]]
    assert compiler.batches(files, 50) == [[f] for f in files]
    assert compiler.batches(files[:1], 2) == [files[:1]]


def test_batched_compile_matches_one_run(tree: Path) -> None:
    names = _tree(tree, 7)
    one = compiler.compile_files(tree, names, jobs=1)
    many = list(compiler.compile_batches(tree, names, jobs=2, batch_files=2))
    assert len(many) == 4
    merged = sorted((f for fds in many for f in fds.file), key=lambda f: f.name)
    assert [f.SerializeToString() for f in merged] == [
        f.SerializeToString() for f in sorted(one.file, key=lambda f: f.name)
    ]


def test_findings_do_not_depend_on_batching(tree: Path) -> None:
    _tree(tree, 7)
    cfg = config.load(tree, registry.ids())
    one = runner.lint(tree, cfg, registry.RULES, jobs=1).findings
    two = runner.lint(tree, cfg, registry.RULES, jobs=2).findings
    assert one == two
    # Cross-file rule across batches: six services after the first in one package.
    assert sum(f.rule == "ONE_SERVICE_PER_PACKAGE" for f in two) == 6
    assert sum(f.rule == "NEXT_ID" for f in two) == 3


def test_an_error_in_one_batch_fails_the_compile(tree: Path) -> None:
    names = _tree(tree, 5)
    (tree / "p4.proto").write_text('syntax = "proto3";\nmessage {\n', encoding="utf-8")
    with pytest.raises(compiler.CompileError) as info:
        list(compiler.compile_batches(tree, names, jobs=2, batch_files=2))
    assert info.value.lines
    assert all(line.startswith("p4.proto:") for line in info.value.lines)


def test_error_lines_are_capped(tree: Path) -> None:
    body = "".join(f"message M{i} {{ strin x = 1; }}\n" for i in range(80))
    write_tree(tree, {"a.proto": 'syntax = "proto3";\n' + body})
    with pytest.raises(compiler.CompileError) as info:
        compiler.compile_files(tree, ["a.proto"])
    assert len(info.value.lines) == compiler.MAX_ERROR_LINES + 1
    assert info.value.lines[-1].startswith("... and ")


def test_plan_batches_keeps_import_chains_together() -> None:
    # Two independent chains a0 <- a1 <- a2 and b0 <- b1 <- b2.
    raw = {
        f"{c}{i}.proto": (f'import "{c}{i - 1}.proto";\n' if i else "").encode()
        for c in "ab"
        for i in range(3)
    }
    groups = compiler.plan_batches(list(raw), raw, 2)
    assert sorted(map(sorted, groups)) == [
        ["a0.proto", "a1.proto", "a2.proto"],
        ["b0.proto", "b1.proto", "b2.proto"],
    ]
    assert compiler.plan_batches(list(raw), raw, 2) == groups  # deterministic
    assert compiler.plan_batches(list(raw), raw, 1) == [sorted(raw)]


def test_plan_batches_stays_balanced() -> None:
    # Everything imports one hub: the hub is shared, the rest splits evenly.
    raw = {"hub.proto": b""} | {f"f{i:02d}.proto": b'import "hub.proto";' for i in range(20)}
    groups = compiler.plan_batches(list(raw), raw, 3)
    assert sorted(f for g in groups for f in g) == sorted(raw)
    assert max(map(len, groups)) <= len(raw) / 3 * 1.05 + 1
