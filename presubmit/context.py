"""What every rule sees: the compiled files, the config, and the other inputs."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from presubmit.config import Config
from presubmit.source import SourceFile


@dataclass
class LintContext:
    root: Path
    config: Config
    files: list[SourceFile]
    python_files: list[str] = field(default_factory=list)
    # Problems that are not findings (a file a rule had to skip), for stderr.
    warnings: list[str] = field(default_factory=list)
    _raw: dict[str, bytes] = field(default_factory=dict)

    def files_for(self, rule: str) -> list[SourceFile]:
        """The compiled files `rule` is on for."""
        return [f for f in self.files if self.config.enabled(rule, f.name)]

    def require_next_id(self, path: str) -> bool:
        return self.config.tree_for(path).require_next_id

    def read(self, rel: str) -> bytes:
        """Raw bytes of a root-relative file that is not a compiled proto (cached)."""
        if rel not in self._raw:
            self._raw[rel] = (self.root / rel).read_bytes()
        return self._raw[rel]
