# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The behaviour of the generated lifecycles in turboci.utils.lifecycle.

A `Lifecycle` holds what one state enum documents: the states a node may
start in and, for each state, the states that may follow it. Go's
go/utils/lifecycle answers the same questions from the same comments.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from typing import Generic
from typing import TypeVar

S = TypeVar("S", bound=int)


class Lifecycle(Generic[S]):
    """The documented lifecycle of one state enum (`enum` is its full name).

    A value that is no state of the lifecycle (the zero value, or a number
    the enum does not declare) is neither initial nor final and leads
    nowhere.
    """

    __slots__ = ("_initial", "_next", "enum")

    def __init__(self, enum: str, *, initial: Sequence[S], next: Mapping[S, Sequence[S]]) -> None:
        unknown = [s for s in (*initial, *(t for ts in next.values() for t in ts)) if s not in next]
        if unknown:
            raise ValueError(f"{enum}: {unknown[0]} is named but is no state of the lifecycle")
        self.enum = enum
        self._initial = tuple(initial)
        self._next = {state: tuple(targets) for state, targets in next.items()}

    @property
    def states(self) -> tuple[S, ...]:
        """Every state, in declaration order."""
        return tuple(self._next)

    @property
    def initial_states(self) -> tuple[S, ...]:
        """The states a node may start in."""
        return self._initial

    def is_initial(self, state: S) -> bool:
        return state in self._initial

    def is_final(self, state: S) -> bool:
        """Whether no state may follow `state` (False for a value that is no state)."""
        return state in self._next and not self._next[state]

    def next_states(self, state: S) -> tuple[S, ...]:
        """The states that may follow `state`, in the documented order."""
        return self._next.get(state, ())

    def can_transition(self, state: S, next_state: S, /) -> bool:
        """Whether a node in `state` may move to `next_state`."""
        return next_state in self._next.get(state, ())

    def __repr__(self) -> str:
        return f"Lifecycle({self.enum!r}, {len(self._next)} states)"
