# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""How a compile is split between protoc processes."""

from __future__ import annotations

import hashlib

from core import batch_plan


def test_plan_batches_balances_bytes_not_file_counts() -> None:
    sizes = {"a/big.proto": 900, **{f"b/{i:02d}.proto": 10 for i in range(90)}}
    groups = batch_plan.plan_batches(list(sizes), sizes, 2)
    assert groups[0] == ["a/big.proto"]  # the big file alone is half the bytes
    assert len(groups[1]) == 90
    assert sorted(f for g in groups for f in g) == sorted(sizes)


def test_plan_batches_are_contiguous_deterministic_and_cover_everything() -> None:
    sizes = {f"f{i:02d}": 10 for i in range(10)}
    groups = batch_plan.plan_batches(list(reversed(sizes)), sizes, 3)
    assert [f for g in groups for f in g] == sorted(sizes)
    assert max(map(len, groups)) - min(map(len, groups)) <= 1
    assert batch_plan.plan_batches(list(sizes), sizes, 3) == groups
    assert batch_plan.plan_batches(["x"], {"x": 1}, 4) == [["x"]]


def test_plan_batches_keeps_import_chains_together() -> None:
    # Two independent chains a0 <- a1 <- a2 and b0 <- b1 <- b2, of equal bytes.
    files = [f"{c}{i}.proto" for c in "ab" for i in range(3)]
    imports = {f"{c}{i}.proto": [f"{c}{i - 1}.proto"] if i else [] for c in "ab" for i in range(3)}
    sizes = dict.fromkeys(files, 10)
    interleaved = sorted(files, key=lambda f: (f[1], f[0]))  # a0 b0 a1 b1 a2 b2
    groups = batch_plan.plan_batches(interleaved, sizes, 2, imports)
    assert sorted(groups) == [
        ["a0.proto", "a1.proto", "a2.proto"],
        ["b0.proto", "b1.proto", "b2.proto"],
    ]
    assert batch_plan.plan_batches(interleaved, sizes, 2, imports) == groups  # deterministic


def test_plan_batches_by_imports_stays_balanced_in_bytes() -> None:
    # Everything imports one hub: the hub is shared, the rest splits evenly by bytes.
    files = ["hub.proto", *(f"f{i:02d}.proto" for i in range(20))]
    imports = {f: (["hub.proto"] if f != "hub.proto" else []) for f in files}
    sizes = {f: (100 if f == "f00.proto" else 10) for f in files}
    groups = batch_plan.plan_batches(files, sizes, 3, imports)
    assert sorted(f for g in groups for f in g) == sorted(files)
    own = [sum(sizes[f] for f in g) for g in groups]
    assert max(own) <= sum(sizes.values()) / 3 * 1.05 + 100


def test_guessed_imports_prefer_what_the_cache_knows() -> None:
    raw = {"a.proto": b'import "b.proto";\n  import public "c.proto";\n// import "no.proto"\n'}
    assert batch_plan.guessed_imports(raw, {}) == {"a.proto": ["b.proto", "c.proto"]}
    known = {hashlib.sha256(raw["a.proto"]).hexdigest(): ["x.proto"]}
    assert batch_plan.guessed_imports(raw, known) == {"a.proto": ["x.proto"]}


def _folders(spec: dict[str, int], each: int = 10) -> dict[str, int]:
    """`count` files of `each` bytes in each folder."""
    return {
        f"{folder}/f{i:02d}.proto": each for folder, count in spec.items() for i in range(count)
    }


def test_groups_hold_whole_folders_and_cover_everything() -> None:
    sizes = _folders({"a/x": 7, "a/y": 3, "b": 5, "c/z/v1": 9, "c/z/v2": 6})
    groups = batch_plan.plan_groups(list(reversed(sizes)), sizes, 3)
    assert sorted(f for g in groups for f in g) == sorted(sizes)
    folder_of = {f: f.rsplit("/", 1)[0] for f in sizes}
    homes: dict[str, set[int]] = {}
    for i, group in enumerate(groups):
        assert group == sorted(group)
        for f in group:
            homes.setdefault(folder_of[f], set()).add(i)
    assert all(len(h) == 1 for h in homes.values())
    assert batch_plan.plan_groups(list(sizes), sizes, 3) == groups  # deterministic


def test_a_cut_goes_between_folders_that_share_the_least_path() -> None:
    # An even cut falls after b/v1 (190 of 400 bytes); after a/v2 (170) is
    # farther, yet splits no folder of a or of b from its siblings.
    sizes = _folders({"a/v1": 8, "a/v2": 9, "b/v1": 2, "b/v2": 21})
    groups = batch_plan.plan_groups(list(sizes), sizes, 2)
    assert [{f.split("/")[0] for f in g} for g in groups] == [{"a"}, {"b"}]


def test_groups_are_about_even_in_bytes() -> None:
    sizes = _folders({f"p{i:02d}": 10 for i in range(40)})
    groups = batch_plan.plan_groups(list(sizes), sizes, 4)
    own = [sum(sizes[f] for f in g) for g in groups]
    assert len(groups) == 4
    assert max(own) - min(own) <= sum(own) / 4 / 2


def test_one_folder_is_one_group() -> None:
    sizes = _folders({"only": 90})
    assert batch_plan.plan_groups(list(sizes), sizes, 4) == [sorted(sizes)]
    assert batch_plan.plan_groups([], {}, 2) == []


def test_shared_files_are_what_another_group_imports_and_what_they_import() -> None:
    groups = [["a/1.proto", "a/2.proto", "a/3.proto"], ["b/1.proto", "b/2.proto"]]
    imports = {
        "a/1.proto": ["google/protobuf/any.proto"],
        "a/2.proto": ["a/1.proto"],
        "a/3.proto": ["a/2.proto"],
        "b/1.proto": ["a/2.proto", "google/protobuf/any.proto"],
        "b/2.proto": ["b/1.proto"],
    }
    split = batch_plan.split_shared(groups, imports)
    # a/2 is imported across, a/1 with it; a/3 and b's files stay their groups'
    # own; any.proto is no group's (plan_steps compiles it with the shared ones).
    assert split.shared == ["a/1.proto", "a/2.proto"]
    assert split.groups == [["a/3.proto"], ["b/1.proto", "b/2.proto"]]


def test_a_group_left_empty_is_dropped() -> None:
    split = batch_plan.split_shared([["a.proto"], ["b.proto"]], {"b.proto": ["a.proto"]})
    assert split.shared == ["a.proto"]
    assert split.groups == [["b.proto"]]


def test_steps_share_what_groups_import_from_each_other_and_group_the_rest_again() -> None:
    # Three folders of 40 files; c's import a's: a is shared, b and c are
    # grouped again (evenly) once a is out, the biggest group first.
    sizes = _folders({"a": 40, "b": 40, "c": 40})
    imports = {f"c/f{i:02d}.proto": [f"a/f{i:02d}.proto"] for i in range(40)}
    steps = batch_plan.plan_steps(list(sizes), sizes, 2, imports, ["google/protobuf/any.proto"])
    assert [f for batch in steps.shared for f in batch] == sorted(
        [f"a/f{i:02d}.proto" for i in range(40)] + ["google/protobuf/any.proto"]
    )
    assert [sorted({f[0] for f in g}) for g in steps.groups] == [["b"], ["c"]]
    owned = sorted(f for g in steps.groups for f in g)
    assert owned == sorted(f for f in sizes if not f.startswith("a/"))


def test_steps_of_a_tree_without_imports_across_share_nothing() -> None:
    sizes = _folders({"a": 40, "b": 40})
    steps = batch_plan.plan_steps(list(sizes), sizes, 2, {})
    assert steps.shared == []
    assert sorted(f for g in steps.groups for f in g) == sorted(sizes)
