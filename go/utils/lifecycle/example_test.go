// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

package lifecycle_test

import (
	"fmt"

	orchestratorpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1"
	"go.chromium.org/turboci/proto/go/utils/lifecycle"
)

func ExampleCanTransition() {
	running := orchestratorpb.StageAttemptState_STAGE_ATTEMPT_STATE_RUNNING
	tearingDown := orchestratorpb.StageAttemptState_STAGE_ATTEMPT_STATE_TEARING_DOWN
	fmt.Println(lifecycle.CanTransition(running, tearingDown))
	fmt.Println(lifecycle.CanTransition(tearingDown, running))
	// Output:
	// true
	// false
}

func ExampleIsFinal() {
	check := orchestratorpb.Check_builder{State: orchestratorpb.CheckState_CHECK_STATE_FINAL.Enum()}.Build()
	fmt.Println(lifecycle.IsFinal(check.GetState()))
	fmt.Println(lifecycle.IsFinal(orchestratorpb.StageState_STAGE_STATE_ATTEMPTING))
	// Output:
	// true
	// false
}

func ExampleNextStates() {
	for _, s := range lifecycle.NextStates(orchestratorpb.StageState_STAGE_STATE_ATTEMPTING) {
		fmt.Println(s)
	}
	// Output:
	// STAGE_STATE_AWAITING_GROUP
	// STAGE_STATE_FINAL
}

func ExampleInitialStates() {
	// The first attempt of a stage starts PENDING; a retry starts AWAITING_RETRY.
	fmt.Println(lifecycle.InitialStates[orchestratorpb.StageAttemptState]())
	// Output: [STAGE_ATTEMPT_STATE_PENDING STAGE_ATTEMPT_STATE_AWAITING_RETRY]
}
