"""Applying the edits attached to findings, byte for byte."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from presubmit.finding import Edit


def apply(root: Path, edits: Iterable[Edit]) -> list[str]:
    """Apply `edits` to the files under `root`; return the paths that changed.

    Edits are applied back to front so earlier offsets stay valid; an edit
    overlapping one already taken is dropped (the next run picks it up).
    """
    by_path: dict[str, list[Edit]] = {}
    for e in edits:
        by_path.setdefault(e.path, []).append(e)
    changed: list[str] = []
    for rel, group in sorted(by_path.items()):
        path = root / rel
        data = path.read_bytes()
        out = data
        limit = len(data) + 1
        for e in sorted(set(group), key=lambda e: (e.start, e.end), reverse=True):
            if e.end > limit or e.end > len(data):
                continue
            out = out[: e.start] + e.text + out[e.end :]
            limit = e.start
        if out != data:
            path.write_bytes(out)
            changed.append(rel)
    return changed
