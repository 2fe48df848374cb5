"""The registry: every rule module listed once, each rule well-formed."""

from __future__ import annotations

import importlib
import pkgutil

from presubmit import registry
from presubmit import rules


def test_every_rule_module_is_registered_once() -> None:
    modules = [m.name for m in pkgutil.iter_modules(rules.__path__)]
    registered = [importlib.import_module(f"presubmit.rules.{m}").RULE for m in modules]
    assert sorted(r.id for r in registered) == sorted(r.id for r in registry.RULES)
    assert len(registry.BY_ID) == len(registry.RULES) == 7


def test_rules_are_well_formed() -> None:
    for rule in registry.RULES:
        assert rule.id.isupper() and " " not in rule.id
        assert rule.purpose and "\n" not in rule.purpose and len(rule.purpose) < 100
        assert isinstance(rule.per_file, bool)
