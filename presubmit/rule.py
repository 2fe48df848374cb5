"""The shape every rule has."""

from __future__ import annotations

from typing import Protocol

from presubmit.context import LintContext
from presubmit.finding import Finding


class Rule(Protocol):
    """A rule: an ID, a one-line purpose, and a check over the compiled tree."""

    @property
    def id(self) -> str: ...

    @property
    def purpose(self) -> str: ...

    # True when checking files in groups gives the same findings as checking
    # them all at once; such rules run on each compiled batch as it arrives.
    @property
    def per_file(self) -> bool: ...

    def check(self, ctx: LintContext) -> list[Finding]: ...
