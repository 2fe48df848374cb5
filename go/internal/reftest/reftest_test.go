// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

package reftest_test

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	idspb "go.chromium.org/turboci/proto/go/graph/ids/v1"
	orchestratorpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1"
	orchestratorgrpcpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1/grpcpb"
	"go.chromium.org/turboci/proto/go/internal/reftest"
)

func TestStartServesTheOrchestrator(t *testing.T) {
	srv := reftest.Start(t)
	stub := orchestratorgrpcpb.NewTurboCIOrchestratorClient(srv.Dial(t))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := stub.ReadWorkPlan(ctx, orchestratorpb.ReadWorkPlanRequest_builder{
		WorkPlan: idspb.WorkPlanId_builder{Id: proto.String("nowhere")}.Build(),
	}.Build())
	if status.Code(err) != codes.NotFound {
		t.Fatalf("ReadWorkPlan of an unknown workplan: %v, want NOT_FOUND", err)
	}
}

func TestWithoutTheInterpreterTheTestSkips(t *testing.T) {
	var inner *testing.T
	t.Run("inner", func(t *testing.T) {
		inner = t
		t.Setenv("TURBOCI_PYTHON", "")
		reftest.Start(t)
		t.Error("Start returned without TURBOCI_PYTHON")
	})
	if !inner.Skipped() {
		t.Fatal("the test was not skipped")
	}
}
