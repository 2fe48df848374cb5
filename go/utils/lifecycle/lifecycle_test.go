// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

package lifecycle

import (
	"slices"
	"testing"

	orchestratorpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1"
)

// What the generated tables answer is checked against the proto comments
// by tests/api/test_lifecycle.py (through go/internal/cmd/lifecycles); here,
// that the generic functions agree with each other on every value.
func TestFunctionsAgree(t *testing.T) {
	checkAgree[orchestratorpb.CheckState](t, orchestratorpb.CheckState(0).Descriptor().Values().Len())
	checkAgree[orchestratorpb.StageState](t, orchestratorpb.StageState(0).Descriptor().Values().Len())
	checkAgree[orchestratorpb.StageAttemptState](t, orchestratorpb.StageAttemptState(0).Descriptor().Values().Len())
}

func checkAgree[S State](t *testing.T, values int) {
	t.Helper()
	// Every declared number and one past them, which is no state.
	for i := range values + 1 {
		from := S(i)
		next := NextStates(from)
		for j := range values + 1 {
			to := S(j)
			if got, want := CanTransition(from, to), slices.Contains(next, to); got != want {
				t.Errorf("CanTransition(%v, %v) = %v, NextStates says %v", from, to, got, want)
			}
		}
		if IsFinal(from) && len(next) != 0 {
			t.Errorf("%v is final but leads to %v", from, next)
		}
	}
	if IsFinal(S(0)) || IsInitial(S(0)) || NextStates(S(0)) != nil {
		t.Errorf("the zero value of %T is treated as a state", S(0))
	}
}

func TestSlicesAreTheCallers(t *testing.T) {
	pending := orchestratorpb.StageAttemptState_STAGE_ATTEMPT_STATE_PENDING
	NextStates(pending)[0] = pending
	InitialStates[orchestratorpb.StageAttemptState]()[0] = 0
	if NextStates(pending)[0] == pending || !IsInitial(pending) {
		t.Error("changing a returned slice changed the lifecycle")
	}
}
