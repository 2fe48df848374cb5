# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""What a running task is handed: where to print, the checkout's layout, the shared compile."""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING
from typing import TextIO

from core.layout import REPO
from core.layout import Layout

if TYPE_CHECKING:  # protobuf is not importable before the tools venv exists
    from core.cached_compile import Compiled
    from tools.engine.transaction import Transaction


@dataclass
class Context:
    """One build run; steps running in parallel share its single compile."""

    out: TextIO = field(default_factory=lambda: sys.stdout)
    layout: Layout = REPO
    _compiled: Compiled | None = None
    # The transaction of `all`: gen and docs stage into it and `all` commits
    # it once; None when a task runs alone (it commits its own).
    txn: Transaction | None = None
    # Whether a stamp (or a cached basis image) may stand in for the work it
    # records. The commit queue's checks say no: a CI machine's .cache may
    # come from anywhere, and a forged stamp would pass a check unrun.
    trust_stamps: bool = True
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def root(self) -> Path:
        return self.layout.root

    def compiled(self, from_sources: bool = False) -> Compiled:
        """The shared compile. `from_sources`: one whose every descriptor protoc
        made in this run, never read from the cache (for what becomes a file)."""
        with self._lock:
            if self._compiled is None or (from_sources and not self._compiled.from_sources):
                from tools import api_compile as compile_mod  # protobuf: only once needed

                self._compiled = compile_mod.compile_api(self.layout, from_sources)
            return self._compiled

    def forget_compile(self) -> None:
        """Drop the shared compile, e.g. after format rewrote the sources."""
        with self._lock:
            self._compiled = None

    def is_fresh(self, step: str, key: str) -> bool:
        """Did `step` already succeed on exactly `key` (and may that be believed)?"""
        from tools import stamps

        return self.trust_stamps and stamps.is_fresh(self.layout, step, key)

    def say(self, message: str) -> None:
        print(message, file=self.out, flush=True)

    def child(self, out: TextIO) -> Context:
        """A context printing to `out` that shares this one's compile."""
        return Context(
            out=out,
            layout=self.layout,
            _compiled=self._compiled,
            txn=self.txn,
            trust_stamps=self.trust_stamps,
        )
