# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The one place that knows the rules: every module in presubmit/rules/ declares one.

Adding a rule is adding a module there; nothing here changes.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil

from presubmit import rules as rules_package
from presubmit.rule import Rule


@functools.cache
def all_rules() -> tuple[Rule, ...]:
    """Every declared rule, sorted by ID."""
    found: list[Rule] = []
    for module_info in pkgutil.iter_modules(rules_package.__path__):
        module = importlib.import_module(f"{rules_package.__name__}.{module_info.name}")
        found += [v for v in vars(module).values() if isinstance(v, Rule)]
    ids = [r.id for r in found]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise RuntimeError(f"rule declared twice: {', '.join(twice)}")
    return tuple(sorted(found, key=lambda r: r.id))


def by_id() -> dict[str, Rule]:
    return {r.id: r for r in all_rules()}
