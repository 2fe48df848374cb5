# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""How a compile is split between protoc processes.

A big tree is compiled in groups of whole folders, one protoc per core at a
time. protoc parses every file it is given and everything those import, so
a file imported from another group would be parsed once per group: those
files (and what they import) are compiled first, once, and each group then
parses only its own sources and reads the rest as descriptors
(`--descriptor_set_in`), only those its files import. Folders keep most
imports inside one group: on googleapis (7,208 files in ten groups) about
60 files are shared; in a tree of layers that import the ones below, about
half (bench/RESULTS.md).
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass

# Below this many files a second protoc costs more in start-up than it saves.
SPLIT_AT = 64
# Bytes of source per protoc at most: a big tree is compiled in rounds of
# one protoc per core. Smaller groups bound each protoc's memory and let the
# rules run on early groups while later ones compile; with the shared files
# compiled once, a group costs its own bytes, so small groups cost little
# (bench/RESULTS.md).
BATCH_BYTES = int(os.environ.get("TURBOCI_BATCH_BYTES", str(8 * 1024 * 1024)))


def batch_count(files: Sequence[str], sizes: Mapping[str, int], jobs: int) -> int:
    if len(files) < SPLIT_AT:
        return 1
    total = sum(sizes.get(f, 0) for f in files)
    rounds = max(1, -(-total // (jobs * BATCH_BYTES)))
    return jobs * rounds


def plan_groups(files: Sequence[str], sizes: Mapping[str, int], count: int) -> list[list[str]]:
    """Split `files` into about `count` groups of whole folders, of about equal bytes.

    Each cut goes between two folders near its even share of the bytes (within
    a quarter of a share), at the folders that share the shortest path: a cut
    between `a/x/v1` and `a/y/v1` splits fewer imports than one between
    `a/x/v1` and `a/x/v2`. Deterministic; every file in exactly one group.
    """
    folders: dict[str, list[str]] = {}
    for name in sorted(files):
        folders.setdefault(posixpath.dirname(name), []).append(name)
    order = sorted(folders)
    count = max(1, min(count, len(order)))
    if count == 1:
        return [sorted(files)] if files else []
    total = sum(sizes.get(f, 0) for f in files) or 1
    share = total / count
    ends: list[int] = []  # bytes up to and including each folder
    acc = 0
    for folder in order:
        acc += sum(sizes.get(f, 0) for f in folders[folder])
        ends.append(acc)
    cuts: list[int] = []  # a cut after folder i
    for k in range(1, count):
        ideal = share * k
        first = cuts[-1] + 1 if cuts else 0
        candidates = [
            i for i in range(first, len(order) - 1) if abs(ends[i] - ideal) <= share / 4
        ] or [min(range(first, len(order) - 1), key=lambda i: abs(ends[i] - ideal), default=-1)]
        if candidates[0] < 0:
            break
        cuts.append(
            min(
                candidates,
                key=lambda i: (_common_depth(order[i], order[i + 1]), abs(ends[i] - ideal), i),
            )
        )
    groups: list[list[str]] = []
    start = 0
    for cut in [*cuts, len(order) - 1]:
        groups.append([f for folder in order[start : cut + 1] for f in folders[folder]])
        start = cut + 1
    return [g for g in groups if g]


def _common_depth(a: str, b: str) -> int:
    depth = 0
    for x, y in zip(a.split("/"), b.split("/"), strict=False):
        if x != y:
            break
        depth += 1
    return depth


@dataclass(frozen=True)
class Split:
    """Groups with the files another group imports taken out."""

    # The files another group imports, and what they import among the groups'.
    shared: list[str]
    # Each group's own files (none of `shared`), none empty.
    groups: list[list[str]]


def split_shared(groups: Sequence[Sequence[str]], imports: Mapping[str, Sequence[str]]) -> Split:
    """The files to compile first so that each group parses only its own sources.

    `imports` are what each target imports (as far as known: a miss makes a
    group fail, and the caller compiles it the ordinary way)."""
    owner = {name: i for i, group in enumerate(groups) for name in group}
    shared: set[str] = set()
    for name, i in owner.items():
        for dep in imports.get(name, ()):
            if owner.get(dep, i) != i:
                shared.add(dep)
    stack = list(shared)
    while stack:  # what a shared file imports is shared too
        for dep in imports.get(stack.pop(), ()):
            if dep in owner and dep not in shared:
                shared.add(dep)
                stack.append(dep)
    own = [[n for n in group if n not in shared] for group in groups]
    return Split(sorted(shared), [g for g in own if g])


@dataclass(frozen=True)
class Steps:
    """A compile in two steps: the batches of `shared` first, the ordinary
    way (each with everything it imports), then the `groups`, each compiled
    against the descriptors its files import."""

    shared: list[list[str]]
    groups: list[list[str]]


# Passes that balance the groups again once their shared files are taken out.
_PASSES = 3


def plan_steps(
    files: Sequence[str],
    sizes: Mapping[str, int],
    jobs: int,
    imports: Mapping[str, Sequence[str]],
    outside: Sequence[str] = (),
) -> Steps:
    """The two steps that compile `files` with each group parsing only its
    own: the files another group imports (and what they import) first, with
    the imports from outside the targets (`outside`), in batches of about
    equal bytes when they are many; then the groups.

    Taking the shared files out of the groups leaves them uneven, so the
    rest is grouped again, and what the new groups import from each other is
    shared too, a few times over. The biggest groups come first: a core
    that finishes a small one takes the next. On googleapis about 60 files
    are shared; in a tree of layers that import the ones below, half."""
    shared: set[str] = set()
    own = sorted(files)
    groups: list[list[str]] = []
    for _ in range(_PASSES):
        groups = plan_groups(own, sizes, batch_count(own, sizes, jobs))
        split = split_shared(groups, imports)
        shared |= set(split.shared)
        own = [f for f in own if f not in shared]
        groups = split.groups
        if not split.shared:
            break
    groups.sort(key=lambda g: (-sum(sizes.get(f, 0) for f in g), g))
    first = sorted(shared | set(outside))
    batches = plan_batches(first, sizes, batch_count(first, sizes, jobs), imports) if first else []
    return Steps(batches, groups)


def plan_batches(
    files: Sequence[str],
    sizes: Mapping[str, int],
    count: int,
    imports: Mapping[str, Sequence[str]] | None = None,
) -> list[list[str]]:
    """Split `files` into `count` batches of about equal bytes that share few imports.

    Every protoc parses its files and everything they import, so protoc's
    cost follows the bytes of a batch's import closure. Greedy: the files
    with the biggest closures first, each into the batch its closure adds the
    fewest new bytes to, keeping every batch's own bytes within 5% of an even
    share. Without `imports`, contiguous slices of the sorted paths (a
    package's files share imports). Deterministic either way.
    """
    ordered = sorted(files)
    count = max(1, min(count, len(ordered)))
    total = sum(sizes.get(f, 0) for f in ordered) or 1
    if count == 1:
        return [ordered]
    if imports is None:
        groups: list[list[str]] = [[]]
        acc = 0
        for f in ordered:
            # Close the current slice once it holds its share of the bytes.
            if groups[-1] and len(groups) < count and acc >= total * len(groups) / count:
                groups.append([])
            groups[-1].append(f)
            acc += sizes.get(f, 0)
        return groups
    closures = _closures(ordered, imports)
    cap = total / count * 1.05
    batches: list[list[str]] = [[] for _ in range(count)]
    own = [0] * count
    covered: list[set[str]] = [set() for _ in range(count)]

    def new_bytes(i: int, closure: frozenset[str]) -> int:
        return sum(sizes.get(d, 0) for d in closure - covered[i])

    for f in sorted(ordered, key=lambda f: (-len(closures[f]), f)):
        size = sizes.get(f, 0)
        room = [i for i in range(count) if own[i] + size <= cap] or [own.index(min(own))]
        best = min(room, key=lambda i: (new_bytes(i, closures[f]), own[i], i))
        batches[best].append(f)
        own[best] += size
        covered[best] |= closures[f]
    return [sorted(b) for b in batches if b]


def _closures(
    files: Sequence[str], imports: Mapping[str, Sequence[str]]
) -> dict[str, frozenset[str]]:
    """Each file with everything it imports, directly or not."""
    memo: dict[str, frozenset[str]] = {}

    def closure(f: str) -> frozenset[str]:
        if f not in memo:
            memo[f] = frozenset({f})  # a cycle ends here; protoc reports it
            seen = {f}
            for dep in imports.get(f, ()):
                seen |= closure(dep)
            memo[f] = frozenset(seen)
        return memo[f]

    for f in files:
        closure(f)
    return {f: memo[f] for f in files}


# Import lines, read only to plan a compile: a wrong guess costs speed, never
# correctness, since protoc resolves every import. Only the lines before the
# first definition are read: imports come first in nearly every file, and
# reading whole files took 0.4 s on googleapis, before any protoc could start.
_IMPORT = re.compile(rb'\n[ \t]*import[ \t]+(?:public[ \t]+|weak[ \t]+)?"([^"\n]+)"')
_DEFINITION = re.compile(rb"\n[ \t]*(?:message|enum|service|extend)\b")


def guessed_imports(
    raw: Mapping[str, bytes],
    known: Mapping[str, Sequence[str]],
    hashes: Mapping[str, str] | None = None,
) -> dict[str, list[str]]:
    """What each file imports: from the cache (`known`, by content hash) when
    its content was compiled before, else read off its import lines.
    `hashes` holds content hashes already worked out, by name."""
    found: dict[str, list[str]] = {}
    for name, data in raw.items():
        cached = None
        if known:
            content = (hashes or {}).get(name) or hashlib.sha256(data).hexdigest()
            cached = known.get(content)
        if cached is not None:
            found[name] = list(cached)
            continue
        definition = _DEFINITION.search(data)
        head = b"\n" + (data[: definition.start()] if definition else data)
        found[name] = [m.decode("utf-8", "replace") for m in _IMPORT.findall(head)]
    return found
