# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""One workplan in memory: its nodes, their versions by revision, and the
transaction that turns one write into one revision."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from dataclasses import field

from google.protobuf.any_pb2 import Any
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from turboci.graph.ids.v1.check_edit_id_pb2 import CheckEditId
from turboci.graph.ids.v1.check_id_pb2 import CheckId
from turboci.graph.ids.v1.stage_edit_id_pb2 import StageEditId
from turboci.graph.ids.v1.stage_id_pb2 import StageId
from turboci.graph.ids.v1.work_plan_id_pb2 import WorkPlanId
from turboci.graph.orchestrator.v1.actor_pb2 import Actor
from turboci.graph.orchestrator.v1.check_edit_pb2 import CheckEdit
from turboci.graph.orchestrator.v1.check_pb2 import Check
from turboci.graph.orchestrator.v1.check_state_pb2 import CheckState
from turboci.graph.orchestrator.v1.revision_pb2 import Revision
from turboci.graph.orchestrator.v1.stage_edit_pb2 import StageEdit
from turboci.graph.orchestrator.v1.stage_pb2 import Stage
from turboci.graph.orchestrator.v1.value_ref_pb2 import ValueRef
from turboci.graph.orchestrator.v1.work_plan_pb2 import WorkPlan

# Node keys: ("C", name) for a check, ("S", name) for a stage.
Key = tuple[str, str]


def timestamp(seconds: float) -> Timestamp:
    out = Timestamp()
    out.FromNanoseconds(round(seconds * 1e9))
    return out


def seconds(ts: Timestamp) -> float:
    return ts.ToNanoseconds() / 1e9


@dataclass
class Plan:
    """A workplan: the latest nodes, and every version of each by revision."""

    name: str
    header: WorkPlan
    checks: dict[str, Check] = field(default_factory=dict)
    stages: dict[str, Stage] = field(default_factory=dict)
    versions: dict[Key, list[tuple[int, Message]]] = field(default_factory=dict)
    header_versions: list[tuple[int, WorkPlan]] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    # Allocated but unwritten IDs: key -> owner ("stage:<name>" or a principal).
    allocations: dict[Key, str] = field(default_factory=dict)
    allocated: int = 0
    # (scope, request_id) -> (the request's bytes, the answer's bytes).
    request_ids: dict[tuple[str, str], tuple[bytes, bytes]] = field(default_factory=dict)
    # Attempts ("<stage>:<n>") whose RunStage the executor accepted.
    sent: set[str] = field(default_factory=set)
    # Attempts whose CancelStage the executor acknowledged.
    cancel_sent: set[str] = field(default_factory=set)
    # Attempt ("<stage>:<n>") -> the checks it opened a result in.
    results_of: dict[str, set[str]] = field(default_factory=dict)
    # Check -> {stage assigned it: goal state}, kept at each commit.
    assigned: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def id(self) -> WorkPlanId:
        return WorkPlanId(id=self.name)

    @property
    def latest(self) -> int:
        return self.header.revision.number

    def finished(self) -> bool:
        return self.header.HasField("finish_revision")

    def cancelled(self) -> bool:
        return self.header.HasField("cancellation")

    def node(self, key: Key) -> Check | Stage | None:
        return (self.checks if key[0] == "C" else self.stages).get(key[1])

    def at(self, key: Key, revision: int) -> Message | None:
        """The node as it was at revision, or None if it did not exist yet."""
        history = self.versions.get(key, [])
        i = bisect.bisect_right([r for r, _ in history], revision)
        return history[i - 1][1] if i else None

    def header_at(self, revision: int) -> WorkPlan:
        i = bisect.bisect_right([r for r, _ in self.header_versions], revision)
        return self.header_versions[max(i - 1, 0)][1]


class Txn:
    """The changes of one write, on copies, until commit makes them a revision."""

    def __init__(
        self, plan: Plan, revision: Revision, actor: Actor, reasons: list[ValueRef]
    ) -> None:
        self.plan = plan
        self.revision = revision
        self.actor = actor
        self.reasons = reasons
        self.checks: dict[str, Check] = {}
        self.stages: dict[str, Stage] = {}
        self.changed: dict[Key, list[str]] = {}
        # Nodes changed without an edit: a single edge resolved while its
        # group stays pending (see CheckEdit and StageEdit).
        self.quiet: set[Key] = set()
        self.header = WorkPlan()
        self.header.CopyFrom(plan.header)
        self.header_changed = False
        self.values: dict[str, Any] = {}
        self.new_tokens: list[tuple[str, int]] = []
        # Stages created or given assignments here: where `Plan.assigned` is stale.
        self.reassigned: set[str] = set()

    @property
    def number(self) -> int:
        return self.revision.number

    @property
    def now(self) -> float:
        return seconds(self.revision.commit_time)

    def check(self, name: str) -> Check | None:
        if name not in self.checks:
            old = self.plan.checks.get(name)
            if old is None:
                return None
            self.checks[name] = Check()
            self.checks[name].CopyFrom(old)
        return self.checks[name]

    def stage(self, name: str) -> Stage | None:
        if name not in self.stages:
            old = self.plan.stages.get(name)
            if old is None:
                return None
            self.stages[name] = Stage()
            self.stages[name].CopyFrom(old)
        return self.stages[name]

    def peek_check(self, name: str) -> Check | None:
        """The check as this transaction sees it, not to be changed."""
        return self.checks.get(name) or self.plan.checks.get(name)

    def peek_stage(self, name: str) -> Stage | None:
        """The stage as this transaction sees it, not to be changed."""
        return self.stages.get(name) or self.plan.stages.get(name)

    def check_names(self) -> list[str]:
        return list(self.plan.checks) + [n for n in self.checks if n not in self.plan.checks]

    def stage_names(self) -> list[str]:
        return list(self.plan.stages) + [n for n in self.stages if n not in self.plan.stages]

    def exists(self, key: Key) -> bool:
        return (self.peek_check(key[1]) if key[0] == "C" else self.peek_stage(key[1])) is not None

    def release(self, key: Key) -> None:
        """Drop the copy of a node this transaction only looked at."""
        if key not in self.changed and key not in self.quiet:
            (self.checks if key[0] == "C" else self.stages).pop(key[1], None)

    def mark(self, key: Key, *fields: str) -> None:
        if key[0] == "S" and ("assignments" in fields or "realm" in fields):
            self.reassigned.add(key[1])
        have = self.changed.setdefault(key, [])
        have.extend(f for f in fields if f not in have)

    def touch(self, key: Key) -> None:
        """Keep a change of the node that is no edit of its own."""
        self.quiet.add(key)

    def empty(self) -> bool:
        return not self.changed and not self.header_changed and not self.quiet

    def commit(self) -> None:
        plan, rev = self.plan, self.revision
        for key, fields in self.changed.items():
            kind, name = key
            if kind == "C":
                check = self.checks[name]
                check.update_revision.CopyFrom(rev)
                edit = CheckEdit(
                    id=CheckEditId(
                        check=CheckId(work_plan=plan.id, id=name), number=len(check.edits) + 1
                    ),
                    actor=self.actor,
                    revision=rev,
                    reasons=self.reasons,
                    state=check.state,
                )
                edit.changed_fields.paths.extend(fields)
                check.edits.append(edit)
                plan.checks[name] = check
                node: Message = check
            else:
                stage = self.stages[name]
                stage.update_revision.CopyFrom(rev)
                old = plan.stages.get(name)
                for a in old.assignments if old is not None else ():
                    plan.assigned.get(a.check.id, {}).pop(name, None)
                for a in stage.assignments:
                    plan.assigned.setdefault(a.check.id, {})[name] = (
                        a.goal_state or CheckState.CHECK_STATE_FINAL
                    )
                sedit = StageEdit(
                    id=StageEditId(
                        stage=StageId(work_plan=plan.id, id=name), number=len(stage.edits) + 1
                    ),
                    actor=self.actor,
                    revision=rev,
                    reasons=self.reasons,
                    state=stage.state,
                )
                sedit.changed_fields.paths.extend(fields)
                stage.edits.append(sedit)
                plan.stages[name] = stage
                node = stage
            plan.versions.setdefault(key, []).append((rev.number, node))
        for key in self.quiet - set(self.changed):
            kind, name = key
            quiet: Message = self.checks[name] if kind == "C" else self.stages[name]
            if kind == "C":
                plan.checks[name] = self.checks[name]
            else:
                plan.stages[name] = self.stages[name]
            plan.versions.setdefault(key, []).append((rev.number, quiet))
        plan.values.update(self.values)
        self.header.revision.CopyFrom(rev)
        plan.header = self.header
        plan.header_versions.append((rev.number, self.header))
