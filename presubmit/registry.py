"""The one list of rules. A new rule is a module in presubmit/rules/ plus a line here."""

from __future__ import annotations

from presubmit.rule import Rule
from presubmit.rules import field_explicit_presence
from presubmit.rules import go_package
from presubmit.rules import gomod_first_party
from presubmit.rules import import_one_per_line
from presubmit.rules import next_id
from presubmit.rules import one_service_per_package
from presubmit.rules import service_file_alone

RULES: tuple[Rule, ...] = (
    go_package.RULE,
    service_file_alone.RULE,
    one_service_per_package.RULE,
    next_id.RULE,
    import_one_per_line.RULE,
    field_explicit_presence.RULE,
    gomod_first_party.RULE,
)

BY_ID: dict[str, Rule] = {r.id: r for r in RULES}


def ids() -> set[str]:
    return set(BY_ID)
