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

    def check(self, ctx: LintContext) -> list[Finding]: ...
