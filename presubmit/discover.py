# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Which files a run lints: the protos of the configured trees and the repo's Python."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from core import inputs
from presubmit.config import Config

# Generated Python is written by protoc plugins, not by hand.
GENERATED_SUFFIXES = ("_pb2.py", "_pb2_grpc.py")


def selected(rel: str, paths: Sequence[str]) -> bool:
    """Is `rel` inside one of the PATH arguments (root-relative; none means all)?"""
    return not paths or inputs.under_any(rel, paths)


def proto_files(root: Path, config: Config, paths: Sequence[str] = ()) -> list[str]:
    """The protos to lint; raises core.inputs.InputError for unreadable inputs.

    With `paths`, only those are looked at: a FIFO elsewhere in the tree is
    no reason to refuse the files a hook was handed.
    """
    # The tools' folders hold protos of their own (grpc_tools' copies).
    skip = (*config.include_only, *config.exclude, *inputs.TOOL_FOLDERS)
    tops = config.protos
    if paths:
        tops = tuple(
            dict.fromkeys(
                [p for p in paths if inputs.under_any(p, config.protos)]
                + [t for t in config.protos if inputs.under_any(t, paths)]
            )
        )
        # As in the walk, hidden folders (.git, .cache) never hold sources.
        tops = tuple(t for t in tops if not any(part.startswith(".") for part in Path(t).parts))
    found = inputs.find_protos(root, tops, skip)
    return [f for f in found if selected(f, paths)]


def python_files(root: Path, config: Config, paths: Sequence[str] = ()) -> list[str]:
    """Tracked and untracked (not ignored) .py files, less excludes and generated stubs.

    Without git the tree is walked, less the tools' and builds' folders that
    .gitignore would leave out. Raises core.inputs.InputError (with the
    other files as `found`) for names that are not UTF-8.
    """
    listed = inputs.git_listing(root, "*.py")
    if listed is None:
        skip = (*config.python_exclude, *inputs.TOOL_FOLDERS)
        try:
            listed = list(inputs.find_files(root, ["."], ".py", skip, linked_folders=True))
        except inputs.InputError as exc:
            kept = _kept(root, config, exc.found, paths)
            raise inputs.InputError(exc.lines, kept, exc.names_only) from None
    good = [p for p in listed if not inputs.not_utf8(p)]
    kept = _kept(root, config, good, paths)
    bad = [p for p in listed if p not in good and selected(p, paths)]
    if bad:
        raise inputs.InputError([inputs.bad_name(p) for p in bad], kept, names_only=True)
    return kept


def _kept(root: Path, config: Config, listed: Sequence[str], paths: Sequence[str]) -> list[str]:
    return sorted(
        p
        for p in listed
        if (root / p).is_file()
        and not inputs.under_any(p, config.python_exclude)
        and not p.endswith(GENERATED_SUFFIXES)
        and selected(p, paths)
    )
