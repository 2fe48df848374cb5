# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The one config file of a lint root: presubmit.toml.

Which rules run comes from their specs: a tree with a presubmit.toml starts
from every rule's `default`, a foreign tree (none) from every rule that is
`portable`. The config then turns rules on or off with `enable` and
`disable`, at the top level and per tree (`[trees."dir"]`), each relative to
what encloses it: the most specific tree is applied last.
Rules read their few settings (go_package prefix, whether every message
needs a Next ID comment, where go.mod lives) from here.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from core import inputs
from presubmit.spec import RuleSpec

CONFIG_NAME = "presubmit.toml"

DEFAULT_PYTHON_EXCLUDE = ("tools/venv", ".cache", "bench/corpus")
DEFAULT_FIRST_PARTY = ("google.golang.org/", "golang.org/", "github.com/google/")
DEFAULT_MAX_BYTES = 8 * 1024 * 1024
DEFAULT_LICENSE_INCLUDE = ("**/*.proto", "**/*.py", "**/*.go")
# A config file is a few kilobytes; anything near this is not one.
MAX_CONFIG_BYTES = 1024 * 1024


class ConfigError(Exception):
    """presubmit.toml is unreadable or says something impossible."""


@dataclass(frozen=True)
class Tree:
    """Settings for the files under one folder of the root."""

    path: str
    rules: frozenset[str]
    require_next_id: bool


@dataclass(frozen=True)
class Config:
    protos: tuple[str, ...] = (".",)
    include_only: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    rules: frozenset[str] = frozenset()
    require_next_id: bool = False
    trees: tuple[Tree, ...] = ()
    go_package_prefix: str = ""
    package_root: str = ""
    python: bool = False
    python_exclude: tuple[str, ...] = DEFAULT_PYTHON_EXCLUDE
    gomod: str | None = None
    gomod_first_party: tuple[str, ...] = DEFAULT_FIRST_PARTY
    max_file_bytes: int = DEFAULT_MAX_BYTES
    data_annotation_option: str = ""
    data_annotation_packages: tuple[str, ...] = ()
    presence_messages: bool = False
    go_package_exempt: tuple[str, ...] = ()
    license_header: str = ""
    license_include: tuple[str, ...] = DEFAULT_LICENSE_INCLUDE
    license_exclude: tuple[str, ...] = ()
    source: Path | None = field(default=None, compare=False)

    @property
    def foreign(self) -> bool:
        """No presubmit.toml: a tree that is not this repo."""
        return self.source is None

    def tree_for(self, path: str) -> Tree:
        """The most specific tree holding `path` (the top level otherwise)."""
        best: Tree | None = None
        for tree in self.trees:
            longer = best is None or len(tree.path) > len(best.path)
            if longer and inputs.under_any(path, (tree.path,)):
                best = tree
        return best or Tree(".", self.rules, self.require_next_id)

    def enabled(self, rule: str, path: str) -> bool:
        return rule in self.tree_for(path).rules

    def any_enabled(self, rule: str) -> bool:
        return rule in self.rules or any(rule in t.rules for t in self.trees)

    def value(self, key: str) -> object:
        """A setting by its presubmit.toml name (`go_package.prefix`), as rule specs name them."""
        return getattr(self, _KEYS[key])


# presubmit.toml key -> Config attribute, for the keys rules declare.
_KEYS = {
    "go_package.prefix": "go_package_prefix",
    "go_package.package_root": "package_root",
    "next_id.required": "require_next_id",
    "python.enabled": "python",
    "python.exclude": "python_exclude",
    "gomod.path": "gomod",
    "gomod.first_party": "gomod_first_party",
    "data_annotations.option": "data_annotation_option",
    "data_annotations.packages": "data_annotation_packages",
    "field_presence.messages": "presence_messages",
    "go_package.exempt": "go_package_exempt",
    "license.header": "license_header",
    "license.include": "license_include",
    "license.exclude": "license_exclude",
}


def known_key(key: str) -> bool:
    return key in _KEYS


def _strs(table: dict[str, Any], key: str, default: tuple[str, ...], where: str) -> tuple[str, ...]:
    value = table.get(key, list(default))
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: '{key}' must be a list of strings")
    return tuple(value)


def _bool(table: dict[str, Any], key: str, default: bool, where: str) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: '{key}' must be true or false")
    return value


def _str(table: dict[str, Any], key: str, section: str, where: str) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        raise ConfigError(f"{where}: [{section}] {key} must be a string")
    return value


def _table(data: dict[str, Any], name: str, where: str) -> dict[str, Any]:
    table = data.get(name, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [{name}] must be a table")
    return table


def _toggle(
    table: dict[str, Any], base: frozenset[str], known: set[str], where: str
) -> frozenset[str]:
    """`base` with the table's `enable` added and its `disable` removed."""
    if "rules" in table:
        raise ConfigError(
            f"{where}: 'rules' is no longer read; use 'enable' and 'disable' "
            "(relative to each rule's default)"
        )
    enable = _strs(table, "enable", (), where)
    disable = _strs(table, "disable", (), where)
    unknown = sorted((set(enable) | set(disable)) - known)
    if unknown:
        raise ConfigError(
            f"{where}: unknown rule {', '.join(unknown)} (known: {', '.join(sorted(known))})"
        )
    both = sorted(set(enable) & set(disable))
    if both:
        raise ConfigError(f"{where}: {', '.join(both)} is both enabled and disabled")
    return (base | frozenset(enable)) - frozenset(disable)


def _top_path(value: str, key: str, where: str) -> str:
    """A root-relative folder: no absolute path, no way out of the root."""
    parts = Path(value).parts
    if Path(value).is_absolute() or ".." in parts:
        raise ConfigError(
            f"{where}: '{key}' entry {value!r} must be a folder inside the root (relative, no '..')"
        )
    return value


def _inside(value: str, key: str, where: str) -> None:
    """A root-relative file: no absolute path, no way out of the root."""
    if Path(value).is_absolute() or ".." in Path(value).parts:
        raise ConfigError(
            f"{where}: {key} {value!r} must name a file inside the root (relative, no '..')"
        )


def resolved_inside(root: Path, rel: str, key: str) -> Path:
    """root/rel, or ConfigError when a symlink on the way leads out of the root:
    a config names files of the tree, never elsewhere."""
    path = root / rel
    real = path.resolve()
    if not real.is_relative_to(root.resolve()):
        raise ConfigError(
            f"{rel}: leads outside the root (to {real}) through a symlink; "
            f"{key} in {CONFIG_NAME} must name a file inside the root"
        )
    return path


def foreign(specs: Sequence[RuleSpec]) -> Config:
    """The config of a tree without presubmit.toml: the portable rules."""
    return Config(rules=frozenset(s.id for s in specs if s.portable))


def load(root: Path, specs: Sequence[RuleSpec]) -> Config:
    """Read root/presubmit.toml, or the foreign-tree defaults if there is none."""
    path = root / CONFIG_NAME
    if not path.exists():
        return foreign(specs)
    where = str(path)
    try:
        # Never blocks: a FIFO or a device is refused before any read.
        data = tomllib.loads(inputs.read_regular(path, MAX_CONFIG_BYTES).decode("utf-8"))
    except IsADirectoryError:
        raise ConfigError(f"{where}: is a folder; presubmit.toml must be a file") from None
    except OSError as exc:
        raise ConfigError(f"{where}: {inputs.read_error(exc, CONFIG_NAME)}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{where}: {exc}") from None
    known = {s.id for s in specs}
    defaults = frozenset(s.id for s in specs if s.default)
    rules = _toggle(data, defaults, known, where)
    next_id = _table(data, "next_id", where)
    go_package = _table(data, "go_package", where)
    python = _table(data, "python", where)
    gomod = _table(data, "gomod", where)
    annotations = _table(data, "data_annotations", where)
    annotation_option = _str(annotations, "option", "data_annotations", where)
    license_table = _table(data, "license", where)
    presence = _table(data, "field_presence", where)
    header = _str(license_table, "header", "license", where)
    require = _bool(next_id, "required", False, where)
    raw_trees = data.get("trees", {})
    if not isinstance(raw_trees, dict):
        raise ConfigError(f"{where}: [trees] must be a table of folders")
    # Less specific trees first, so each one toggles what encloses it.
    trees: list[Tree] = []
    for tree_path in sorted(raw_trees, key=lambda p: len(p.strip("/"))):
        table = raw_trees[tree_path]
        tw = f'{where} [trees."{tree_path}"]'
        if not isinstance(table, dict):
            raise ConfigError(f"{tw}: must be a table")
        clean = tree_path.strip("/") or "."
        parent = Config(rules=rules, require_next_id=require, trees=tuple(trees)).tree_for(clean)
        trees.append(
            Tree(
                clean,
                _toggle(table, parent.rules, known, tw),
                _bool(table, "require_next_id", parent.require_next_id, tw),
            )
        )
    gomod_path = _str(gomod, "path", "gomod", where) or None
    if gomod_path is not None:
        _inside(gomod_path, "[gomod] path", where)
    prefix = _str(go_package, "prefix", "go_package", where)
    package_root = _str(go_package, "package_root", "go_package", where)
    max_bytes = data.get("max_file_bytes", DEFAULT_MAX_BYTES)
    # bool is an int in Python; `true` is no size.
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes <= 0:
        raise ConfigError(f"{where}: 'max_file_bytes' must be a positive integer")
    config = Config(
        protos=tuple(_top_path(p, "protos", where) for p in _strs(data, "protos", (".",), where)),
        include_only=_strs(data, "include_only", (), where),
        exclude=_strs(data, "exclude", (), where),
        rules=rules,
        require_next_id=require,
        trees=tuple(trees),
        go_package_prefix=prefix.rstrip("/"),
        package_root=package_root,
        python=_bool(python, "enabled", False, where),
        python_exclude=_strs(python, "exclude", DEFAULT_PYTHON_EXCLUDE, where),
        gomod=gomod_path,
        gomod_first_party=_strs(gomod, "first_party", DEFAULT_FIRST_PARTY, where),
        max_file_bytes=max_bytes,
        data_annotation_option=annotation_option.lstrip("."),
        data_annotation_packages=_strs(annotations, "packages", (), where),
        presence_messages=_bool(presence, "messages", False, where),
        go_package_exempt=_strs(go_package, "exempt", (), where),
        license_header=header.strip(),
        license_include=_strs(license_table, "include", DEFAULT_LICENSE_INCLUDE, where),
        license_exclude=_strs(license_table, "exclude", (), where),
        source=path,
    )
    for spec in specs:
        if config.any_enabled(spec.id):
            missing = missing_settings(config, spec)
            if missing:
                raise ConfigError(
                    f"{where}: {spec.id} is on but {', '.join(missing)} is not set; "
                    f"set it or disable {spec.id}"
                )
    return config


def missing_settings(config: Config, spec: RuleSpec) -> list[str]:
    """The settings `spec` requires that `config` leaves empty."""
    return [key for key in spec.requires if not config.value(key)]
