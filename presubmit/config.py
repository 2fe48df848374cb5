"""The one config file of a lint root: presubmit.toml.

Rules know nothing of it; the runner asks the config which rules are on for
which file, and the rules read their few settings (go_package prefix, whether
every message needs a Next ID comment, where go.mod lives) from here.
A root without presubmit.toml is a foreign tree: only the rules that make
sense anywhere run, and only the Next ID comments that exist are checked.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

CONFIG_NAME = "presubmit.toml"

# The rules that make sense for any proto tree; the rest encode this repo's
# conventions and run only where a config asks for them.
PORTABLE_RULES = ("NEXT_ID", "SERVICE_FILE_ALONE", "ONE_SERVICE_PER_PACKAGE", "IMPORT_ONE_PER_LINE")

DEFAULT_PYTHON_EXCLUDE = ("tools/venv", ".cache", "bench/corpus")
DEFAULT_FIRST_PARTY = ("google.golang.org/", "golang.org/", "github.com/google/")


class ConfigError(Exception):
    """presubmit.toml is unreadable or says something impossible."""


@dataclass(frozen=True)
class Tree:
    """Settings for the protos under one directory of the root."""

    path: str
    rules: frozenset[str]
    require_next_id: bool


@dataclass(frozen=True)
class Config:
    protos: tuple[str, ...] = (".",)
    include_only: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    rules: frozenset[str] = frozenset(PORTABLE_RULES)
    require_next_id: bool = False
    trees: tuple[Tree, ...] = ()
    go_package_prefix: str = ""
    package_root: str = ""
    python: bool = False
    python_exclude: tuple[str, ...] = DEFAULT_PYTHON_EXCLUDE
    gomod: str | None = None
    gomod_first_party: tuple[str, ...] = DEFAULT_FIRST_PARTY
    max_file_bytes: int = 8 * 1024 * 1024
    source: Path | None = field(default=None, compare=False)

    def tree_for(self, path: str) -> Tree:
        """The most specific tree holding `path` (the top level otherwise)."""
        best: Tree | None = None
        for tree in self.trees:
            if _under(path, tree.path) and (best is None or len(tree.path) > len(best.path)):
                best = tree
        return best or Tree(".", self.rules, self.require_next_id)

    def enabled(self, rule: str, path: str) -> bool:
        return rule in self.tree_for(path).rules

    def any_enabled(self, rule: str) -> bool:
        return rule in self.rules or any(rule in t.rules for t in self.trees)


def _under(path: str, top: str) -> bool:
    return top in (".", "") or path == top or path.startswith(top.rstrip("/") + "/")


def _strs(table: dict[str, Any], key: str, default: tuple[str, ...], where: str) -> tuple[str, ...]:
    value = table.get(key, list(default))
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: '{key}' must be a list of strings")
    return tuple(value)


def _rules(
    table: dict[str, Any], default: frozenset[str], known: set[str], where: str
) -> frozenset[str]:
    if "rules" not in table:
        return default
    names = _strs(table, "rules", (), where)
    unknown = sorted(set(names) - known)
    if unknown:
        raise ConfigError(f"{where}: unknown rule {', '.join(unknown)}")
    return frozenset(names)


def _bool(table: dict[str, Any], key: str, default: bool, where: str) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: '{key}' must be true or false")
    return value


def load(root: Path, known_rules: set[str]) -> Config:
    """Read root/presubmit.toml, or the foreign-tree defaults if there is none."""
    path = root / CONFIG_NAME
    if not path.is_file():
        return Config()
    where = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{where}: {exc}") from None
    rules = _rules(data, frozenset(PORTABLE_RULES), known_rules, where)
    next_id = data.get("next_id", {})
    go_package = data.get("go_package", {})
    python = data.get("python", {})
    gomod = data.get("gomod", {})
    for name, table in (
        ("next_id", next_id),
        ("go_package", go_package),
        ("python", python),
        ("gomod", gomod),
    ):
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: [{name}] must be a table")
    require = _bool(next_id, "required", False, where)
    trees: list[Tree] = []
    raw_trees = data.get("trees", {})
    if not isinstance(raw_trees, dict):
        raise ConfigError(f"{where}: [trees] must be a table of directories")
    for tree_path, table in raw_trees.items():
        if not isinstance(table, dict):
            raise ConfigError(f'{where}: [trees."{tree_path}"] must be a table')
        tw = f'{where} [trees."{tree_path}"]'
        trees.append(
            Tree(
                tree_path.strip("/") or ".",
                _rules(table, rules, known_rules, tw),
                _bool(table, "require_next_id", require, tw),
            )
        )
    gomod_path = gomod.get("path")
    if gomod_path is not None and not isinstance(gomod_path, str):
        raise ConfigError(f"{where}: [gomod] path must be a string")
    prefix = go_package.get("prefix", "")
    if not isinstance(prefix, str):
        raise ConfigError(f"{where}: [go_package] prefix must be a string")
    if not prefix and ("GO_PACKAGE" in rules or any("GO_PACKAGE" in t.rules for t in trees)):
        raise ConfigError(f"{where}: GO_PACKAGE is on but [go_package] has no prefix")
    max_bytes = data.get("max_file_bytes", Config.max_file_bytes)
    if not isinstance(max_bytes, int) or max_bytes <= 0:
        raise ConfigError(f"{where}: 'max_file_bytes' must be a positive integer")
    return Config(
        protos=_strs(data, "protos", (".",), where),
        include_only=_strs(data, "include_only", (), where),
        exclude=_strs(data, "exclude", (), where),
        rules=rules,
        require_next_id=require,
        trees=tuple(trees),
        go_package_prefix=prefix.rstrip("/"),
        package_root=str(go_package.get("package_root", "")),
        python=_bool(python, "enabled", False, where),
        python_exclude=_strs(python, "exclude", DEFAULT_PYTHON_EXCLUDE, where),
        gomod=gomod_path,
        gomod_first_party=_strs(gomod, "first_party", DEFAULT_FIRST_PARTY, where),
        max_file_bytes=max_bytes,
        source=path,
    )
