// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

package client_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	idspb "go.chromium.org/turboci/proto/go/graph/ids/v1"
	orchestratorpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1"
	"go.chromium.org/turboci/proto/go/internal/reftest"
	"go.chromium.org/turboci/proto/go/utils/client"
)

// testCtx is bounded so that a hung test fails instead of waiting forever.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// newClient starts a reference orchestrator and returns a client of it,
// its calls going through the interceptors.
func newClient(t *testing.T, opts []client.Option, interceptors ...grpc.UnaryClientInterceptor) (*client.Client, *reftest.Server) {
	t.Helper()
	srv := reftest.Start(t)
	conn := srv.Dial(t, grpc.WithChainUnaryInterceptor(interceptors...))
	return client.New(conn, opts...), srv
}

func checkID(name string) *idspb.CheckId {
	return idspb.CheckId_builder{Id: proto.String(name)}.Build()
}

func checkNode(name string) *idspb.Identifier {
	return idspb.Identifier_builder{Check: checkID(name)}.Build()
}

// plannedCheck is a CheckWrite of a new BUILD check in PLANNING.
func newCheck(name string) *orchestratorpb.CheckWrite {
	return orchestratorpb.CheckWrite_builder{
		Id:    checkID(name),
		Kind:  orchestratorpb.CheckKind_CHECK_KIND_BUILD.Enum(),
		State: orchestratorpb.CheckState_CHECK_STATE_PLANNING.Enum(),
	}.Build()
}

// createPlan creates a workplan holding checks of these names.
func createPlan(t *testing.T, c *client.Client, checks ...string) *idspb.WorkPlanId {
	t.Helper()
	var writes []*orchestratorpb.CheckWrite
	for _, name := range checks {
		writes = append(writes, newCheck(name))
	}
	resp, err := c.CreateWorkPlan(testCtx(t), orchestratorpb.CreateWorkPlanRequest_builder{
		Workflow: proto.String("go/client-test"), Realm: proto.String("test:ci"), Checks: writes,
	}.Build())
	if err != nil {
		t.Fatalf("CreateWorkPlan: %v", err)
	}
	return resp.GetWorkPlan()
}

// faults makes a method's calls fail with UNAVAILABLE: the first `after`
// ones after the server answered them (the server applied them), and
// `before` more without sending them. It records each call's request.
type faults struct {
	method string
	mu     sync.Mutex
	after  int
	before int
	seen   []proto.Message
}

func (f *faults) intercept(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	if method != "/turboci.graph.orchestrator.v1.TurboCIOrchestrator/"+f.method {
		return invoker(ctx, method, req, reply, cc, opts...)
	}
	f.mu.Lock()
	f.seen = append(f.seen, proto.Clone(req.(proto.Message)))
	before := f.before > 0
	after := !before && f.after > 0
	if before {
		f.before--
	} else if after {
		f.after--
	}
	f.mu.Unlock()
	if before {
		return status.Error(codes.Unavailable, "injected before sending")
	}
	err := invoker(ctx, method, req, reply, cc, opts...)
	if after && err == nil {
		return status.Error(codes.Unavailable, "injected after the server answered")
	}
	return err
}

func (f *faults) requests() []proto.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]proto.Message(nil), f.seen...)
}
