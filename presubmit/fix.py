# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Applying the edits attached to findings, byte for byte, each file atomically.

A file is rewritten only if its bytes are still those the findings were
computed from (another writer may have changed it meanwhile), and never
through a symlink that leads out of the root.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from pathlib import Path

from core import files
from core.errors import UserError
from presubmit.finding import Edit


class FixError(UserError):
    """A fix cannot be written: the file changed, is read-only, or lies outside the root."""


def apply(root: Path, edits: Iterable[Edit], seen: Mapping[str, bytes] | None = None) -> list[str]:
    """Apply `edits` to the files under `root`; return the paths that changed.

    `seen` holds the bytes each file had when it was linted; a file whose
    bytes differ now is left alone and reported. Edits are applied back to
    front so earlier offsets stay valid; an edit overlapping one already
    taken is dropped (the next run picks it up).
    """
    by_path: dict[str, list[Edit]] = {}
    for e in edits:
        by_path.setdefault(e.path, []).append(e)
    changed: list[str] = []
    for rel, group in sorted(by_path.items()):
        try:
            path = files.confined(root, root / rel)
            data = path.read_bytes()
        except files.OutsideRootError as exc:
            raise FixError(str(exc)) from None
        except OSError as exc:
            raise FixError(f"{rel}: cannot read: {exc.strerror}") from None
        if seen is not None and rel in seen and seen[rel] != data:
            raise FixError(
                f"{rel}: changed while it was being linted; nothing was fixed in it, "
                "run the fix again"
            )
        out = data
        # Edits must end before the last one taken begins (and within the file).
        limit = len(data)
        for e in sorted(set(group), key=lambda e: (e.start, e.end), reverse=True):
            if e.end > limit:
                continue
            out = out[: e.start] + e.text + out[e.end :]
            limit = e.start
        if out == data:
            continue
        try:
            files.write_atomic(path, out, root)
        except files.OutsideRootError as exc:
            raise FixError(str(exc)) from None
        except OSError as exc:
            raise FixError(f"{rel}: cannot write the fix: {exc.strerror}") from None
        changed.append(rel)
    return changed
