# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The registry: every rule module declares one rule, each spec well-formed."""

from __future__ import annotations

import importlib
import pkgutil

from presubmit import config
from presubmit import registry
from presubmit import rules
from presubmit.rule import Rule
from presubmit.spec import Scope


def test_every_rule_module_declares_exactly_one_rule() -> None:
    modules = [m.name for m in pkgutil.iter_modules(rules.__path__)]
    declared = []
    for name in modules:
        module = importlib.import_module(f"presubmit.rules.{name}")
        found = [v for v in vars(module).values() if isinstance(v, Rule)]
        assert len(found) == 1, name
        # The module is named for its rule, so the rule is easy to find.
        assert found[0].id.lower() == name, name
        declared += found
    assert sorted(r.id for r in declared) == [r.id for r in registry.all_rules()]
    assert len(registry.by_id()) == len(modules)


def test_specs_are_well_formed() -> None:
    for rule in registry.all_rules():
        spec = rule.spec
        assert spec.id.isupper() and " " not in spec.id
        assert spec.purpose and "\n" not in spec.purpose and len(spec.purpose) < 100
        assert isinstance(spec.scope, Scope)
        assert isinstance(spec.default, bool) and isinstance(spec.portable, bool)
        # A rule that needs a setting cannot run on a tree without a config.
        assert not (spec.portable and spec.requires), spec.id
        assert set(spec.requires) <= set(spec.keys), spec.id
        for setting in spec.settings:
            assert setting.section and setting.help and "\n" not in setting.help, setting.key


def test_every_key_is_declared_once() -> None:
    keys = [s.key for s in config.declared([r.spec for r in registry.all_rules()])]
    assert len(keys) == len(set(keys))
