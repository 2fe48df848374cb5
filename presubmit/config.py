# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The one config file of a lint root: presubmit.toml.

Which rules run comes from their specs: a tree with a presubmit.toml starts
from every rule's `default`, a foreign tree (none) from every rule that is
`portable`. The config then turns rules on or off with `enable` and
`disable`, at the top level and per tree (`[trees."dir"]`), each relative to
what encloses it: the most specific tree is applied last.

Every key is declared: the suite's own below (SUITE, TREE), each rule's in
its spec (`settings`). The file is read from those declarations, and a key
none declares is an error naming its line and the nearest known key.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from core import inputs
from core import toml_keys
from core.cached_compile import DEFAULT_MAX_BYTES
from core.errors import UserError
from presubmit.spec import Kind
from presubmit.spec import RuleSpec
from presubmit.spec import Setting
from presubmit.spec import Value

CONFIG_NAME = "presubmit.toml"

DEFAULT_PYTHON_EXCLUDE = ("tools/venv", ".cache", "bench/corpus")
# A config file is a few kilobytes; anything near this is not one.
MAX_CONFIG_BYTES = 1024 * 1024

# The suite's own settings: what is linted, which rules, how large a file may be.
SUITE = (
    Setting(key="protos", kind=Kind.STRINGS, default=(".",), help="proto folders linted"),
    Setting(
        key="include_only",
        kind=Kind.STRINGS,
        default=(),
        help="folders on the include path that are never linted (third-party protos)",
    ),
    Setting(key="exclude", kind=Kind.STRINGS, default=(), help="folders left out"),
    Setting(key="enable", kind=Kind.STRINGS, default=(), help="rules turned on"),
    Setting(key="disable", kind=Kind.STRINGS, default=(), help="rules turned off"),
    Setting(
        key="max_file_bytes",
        kind=Kind.INT,
        default=DEFAULT_MAX_BYTES,
        help="protos over this size are refused before compiling",
    ),
    Setting(
        key="python.enabled",
        kind=Kind.BOOL,
        default=False,
        help="also lint the hand-written Python (IMPORT_ONE_PER_LINE)",
    ),
    Setting(
        key="python.exclude",
        kind=Kind.STRINGS,
        default=DEFAULT_PYTHON_EXCLUDE,
        help="folders whose Python is not linted",
    ),
)
# The keys of a `[trees."dir"]` table.
TREE = (
    Setting(key="enable", kind=Kind.STRINGS, default=(), help="rules turned on under the folder"),
    Setting(key="disable", kind=Kind.STRINGS, default=(), help="rules turned off there"),
    Setting(
        key="require_next_id",
        kind=Kind.BOOL,
        default=False,
        help="every message there needs a Next ID comment (inherits [next_id] required)",
    ),
)
# The key that told the rules before enable/disable: refused with its own message.
_RETIRED = "rules"


class ConfigError(UserError):
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
    python: bool = False
    python_exclude: tuple[str, ...] = DEFAULT_PYTHON_EXCLUDE
    max_file_bytes: int = DEFAULT_MAX_BYTES
    # The rules' settings by key (`go_package.prefix`), each declared in a spec.
    settings: Mapping[str, Value] = field(default_factory=dict, compare=False)
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

    def value(self, key: str) -> Value:
        """A rule's setting by its presubmit.toml name (`go_package.prefix`)."""
        return self.settings[key]

    def text(self, key: str) -> str:
        value = self.value(key)
        assert isinstance(value, str), key  # load() checked the declared kind
        return value

    def flag(self, key: str) -> bool:
        value = self.value(key)
        assert isinstance(value, bool), key
        return value

    def number(self, key: str) -> int:
        value = self.value(key)
        assert isinstance(value, int) and not isinstance(value, bool), key
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.value(key)
        assert isinstance(value, tuple), key
        return value

    def path(self, key: str) -> str | None:
        value = self.value(key)
        assert value is None or isinstance(value, str), key
        return value


def declared(specs: Sequence[RuleSpec]) -> tuple[Setting, ...]:
    """Every key a presubmit.toml may hold outside [trees]: the suite's and the rules'."""
    return (*SUITE, *(s for spec in specs for s in spec.settings))


def defaults(specs: Sequence[RuleSpec]) -> dict[str, Value]:
    return {s.key: s.default for spec in specs for s in spec.settings}


# How a type error names the kind a setting must have.
_NOUN = {Kind.PATH: "string"}


def _where(setting: Setting) -> str:
    return f"[{setting.section}] {setting.name}" if setting.section else f"'{setting.name}'"


def _read(setting: Setting, table: Mapping[str, Any], where: str) -> Value:
    """The setting's value in `table` (its default when absent), of its declared kind."""
    if setting.name not in table:
        return setting.default
    value = table[setting.name]
    kind = setting.kind
    ok = {
        Kind.STRING: isinstance(value, str),
        Kind.PATH: isinstance(value, str),
        Kind.BOOL: isinstance(value, bool),
        # bool is an int in Python; `true` is no size.
        Kind.INT: isinstance(value, int) and not isinstance(value, bool) and value > 0,
        Kind.STRINGS: isinstance(value, list) and all(isinstance(v, str) for v in value),
    }[kind]
    if not ok:
        wanted = "true or false" if kind is Kind.BOOL else f"a {_NOUN.get(kind, kind.value)}"
        raise ConfigError(f"{where}: {_where(setting)} must be {wanted}")
    if kind is Kind.PATH and value:
        _inside(value, _where(setting), where)
    if kind is Kind.PATH:
        return value or None
    return tuple(value) if isinstance(value, list) else value


def _table(data: Mapping[str, Any], name: str, where: str) -> Mapping[str, Any]:
    table = data.get(name, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [{name}] must be a table")
    return table


def _check_keys(
    data: Mapping[str, Any], settings: Sequence[Setting], text: str, where: str
) -> None:
    """Every key of the file is declared (ConfigError at the first that is not)."""

    def refuse(table: tuple[str, ...], key: str, known: set[str], is_table: bool) -> None:
        line, col = toml_keys.locate(text, table, key)
        # A tree's folder is always quoted, as in `[trees."legacy"]`.
        name = ".".join(f'"{p}"' if i or "." in p else p for i, p in enumerate(table))
        message = toml_keys.unknown(key, known, table=is_table, inside=f"[{name}]" if table else "")
        raise ConfigError(f"{where}:{line}:{col}: {message}")

    sections: dict[str, set[str]] = {}
    for s in settings:
        if s.section:
            sections.setdefault(s.section, set()).add(s.name)
    top = {s.name for s in settings if not s.section} | set(sections) | {"trees", _RETIRED}
    tables = set(sections) | {"trees"}
    for key, value in data.items():
        if key not in top:
            is_table = isinstance(value, dict)
            refuse((), key, tables if is_table else top - {_RETIRED}, is_table)
        if key in sections and isinstance(value, dict):
            for name in value:
                if name not in sections[key]:
                    refuse((key,), name, sections[key], False)
    trees = data.get("trees", {})
    if isinstance(trees, dict):
        names = {s.name for s in TREE}
        for tree_path, table in trees.items():
            if isinstance(table, dict):
                for name in table:
                    if name not in names | {_RETIRED}:
                        refuse(("trees", tree_path), name, names, False)


def _toggle(
    table: Mapping[str, Any], base: frozenset[str], known: set[str], where: str
) -> frozenset[str]:
    """`base` with the table's `enable` added and its `disable` removed."""
    if _RETIRED in table:
        raise ConfigError(
            f"{where}: 'rules' is no longer read; use 'enable' and 'disable' "
            "(relative to each rule's default)"
        )
    enable = _read(TREE[0], table, where)
    disable = _read(TREE[1], table, where)
    assert isinstance(enable, tuple) and isinstance(disable, tuple)
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
    """The config of a tree without presubmit.toml: the portable rules, every default."""
    return Config(rules=frozenset(s.id for s in specs if s.portable), settings=defaults(specs))


def load(root: Path, specs: Sequence[RuleSpec]) -> Config:
    """Read root/presubmit.toml, or the foreign-tree defaults if there is none."""
    path = root / CONFIG_NAME
    if not path.exists():
        return foreign(specs)
    where = str(path)
    try:
        # Never blocks: a FIFO or a device is refused before any read.
        text = inputs.read_regular(path, MAX_CONFIG_BYTES).decode("utf-8")
        data = tomllib.loads(text)
    except IsADirectoryError:
        raise ConfigError(f"{where}: is a folder; presubmit.toml must be a file") from None
    except OSError as exc:
        raise ConfigError(f"{where}: {inputs.read_error(exc, CONFIG_NAME)}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{where}: {exc}") from None
    settings = declared(specs)
    # The known tables must be tables before their keys are looked at.
    for section in sorted({s.section for s in settings if s.section}):
        _table(data, section, where)
    _check_keys(data, settings, text, where)

    def at(table: tuple[str, ...], name: str) -> str:
        """`path:line:col` of a key that is there (of its table when written inline)."""
        line, col = toml_keys.locate(text, table, name)
        if (line, col) == (1, 1) and table:
            line, col = toml_keys.locate(text, table[:-1], table[-1])
        return f"{where}:{line}:{col}"

    def read(setting: Setting, table: Mapping[str, Any], place: tuple[str, ...]) -> Value:
        if setting.name not in table:
            return setting.default
        return _read(setting, table, at(place, setting.name))

    values = {
        s.key: read(s, _table(data, s.section, where), (s.section,))
        if s.section
        else read(s, data, ())
        for s in settings
        if s.key not in ("enable", "disable")
    }
    known = {s.id for s in specs}
    rules = _toggle(data, frozenset(s.id for s in specs if s.default), known, where)
    require = bool(values.get("next_id.required", False))
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
        own = read(TREE[2], table, ("trees", tree_path))
        trees.append(
            Tree(
                clean,
                _toggle(table, parent.rules, known, tw),
                parent.require_next_id if "require_next_id" not in table else bool(own),
            )
        )
    protos = values.pop("protos")
    assert isinstance(protos, tuple)
    suite = {s.key for s in SUITE}
    config = Config(
        protos=tuple(_top_path(p, "protos", at((), "protos")) for p in protos),
        include_only=_strings(values.pop("include_only")),
        exclude=_strings(values.pop("exclude")),
        rules=rules,
        require_next_id=require,
        trees=tuple(trees),
        python=bool(values.pop("python.enabled")),
        python_exclude=_strings(values.pop("python.exclude")),
        max_file_bytes=_int(values.pop("max_file_bytes")),
        settings={k: v for k, v in values.items() if k not in suite},
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


def _int(value: Value) -> int:
    assert isinstance(value, int)
    return value


def _strings(value: Value) -> tuple[str, ...]:
    assert isinstance(value, tuple)
    return value


def missing_settings(config: Config, spec: RuleSpec) -> list[str]:
    """The settings `spec` requires that `config` leaves empty."""
    return [key for key in spec.requires if not config.value(key)]
