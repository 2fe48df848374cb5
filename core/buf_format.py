# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""`buf format` without letting it write: its output lands in a scratch folder,
and only the files whose bytes are still those that were read are replaced.

buf 1.75 formats files that do not even parse, and exits 0: callers compile
the files first, so a syntax error is reported instead of mangled.
"""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Mapping
from pathlib import Path

from core import files
from core import inputs
from core.errors import UserError


class FormatError(UserError):
    """buf failed, or a file could not be replaced; the message is one line."""


def formatted(
    buf: str,
    originals: Mapping[str, bytes],
    scratch: Path,
    env: Mapping[str, str] | None = None,
) -> dict[str, bytes]:
    """buf format's bytes of each file in `originals` (root-relative name ->
    bytes read); nothing in the tree is touched.

    The files are formatted as copies in `scratch`, a buf module of its own:
    a buf.yaml of the tree (a workspace whose modules live in subfolders)
    would move buf's output away from the paths asked for, and buf format
    reads no setting from it.
    """
    source, out = scratch / "in", scratch / "out"
    for name, data in originals.items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_bytes(data)
    (source / "buf.yaml").write_text("version: v2\n", encoding="utf-8")
    try:
        proc = subprocess.run(
            [buf, "format", ".", "-o", str(out)],
            cwd=source,
            env=dict(env) if env is not None else None,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
    except OSError as exc:
        raise FormatError(f"{buf}: cannot run buf: {exc.strerror}") from None
    if proc.returncode != 0:
        text = (proc.stderr or proc.stdout).strip().splitlines()
        raise FormatError(f"buf format failed: {text[0] if text else f'exit {proc.returncode}'}")
    result: dict[str, bytes] = {}
    for name in originals:
        try:
            result[name] = (out / name).read_bytes()
        except OSError:
            raise FormatError(f"{name}: buf format wrote no output for it") from None
    return result


def _current(path: Path) -> bytes | None:
    """The bytes on disk now; None for anything but a regular file (a FIFO
    swapped in is refused, never waited on)."""
    with contextlib.suppress(OSError):
        return inputs.read_regular(path)
    return None


def write_back(root: Path, new: Mapping[str, bytes], originals: Mapping[str, bytes]) -> list[str]:
    """Replace each file whose formatted bytes differ, atomically and inside
    `root` only, if its bytes on disk are still `originals`; return those replaced.

    Every target is checked before any is written, so a file outside the
    root refuses them all. Raises files.OutsideRootError or FormatError.
    """
    changed = sorted(name for name, data in new.items() if data != originals[name])
    for name in changed:
        files.confined(root, root / name)
    replaced: list[str] = []
    for name in changed:
        if _current(root / name) != originals[name]:
            raise FormatError(f"{name}: changed while it was being formatted; format it again")
        try:
            files.write_atomic(root / name, new[name], root)
        except OSError as exc:
            raise FormatError(f"{name}: cannot write the formatted file: {exc.strerror}") from None
        replaced.append(name)
    return replaced
