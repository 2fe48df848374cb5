// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

package client_test

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	idspb "go.chromium.org/turboci/proto/go/graph/ids/v1"
	orchestratorpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1"
	"go.chromium.org/turboci/proto/go/utils/client"
)

var uuid4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestARetriedWriteKeepsItsRequestID(t *testing.T) {
	f := &faults{method: "WriteNodes", after: 1}
	c, _ := newClient(t, nil, f.intercept)
	wp := createPlan(t, c, "a")
	// create_only: a second write without the first's request_id would
	// conflict (the check exists); with it, the server answers the repeat.
	w := newCheck("b")
	w.SetCreateOnly(true)
	req := orchestratorpb.WriteNodesRequest_builder{WorkPlan: wp, Checks: []*orchestratorpb.CheckWrite{w}}.Build()
	resp, err := c.WriteNodes(testCtx(t), req)
	if err != nil {
		t.Fatalf("WriteNodes: %v", err)
	}
	seen := f.requests()
	if len(seen) != 2 {
		t.Fatalf("WriteNodes was sent %d times, want 2", len(seen))
	}
	first, second := seen[0].(*orchestratorpb.WriteNodesRequest), seen[1].(*orchestratorpb.WriteNodesRequest)
	if !uuid4.MatchString(first.GetRequestId()) || first.GetRequestId() != second.GetRequestId() {
		t.Errorf("request ids %q then %q, want one UUID4 twice", first.GetRequestId(), second.GetRequestId())
	}
	if req.HasRequestId() {
		t.Error("the caller's request was changed")
	}
	// The repeat was answered with the first write's revision.
	wpNow, err := c.QueryNodes(testCtx(t), orchestratorpb.QueryNodesRequest_builder{
		Query: orchestratorpb.NodeQuery_builder{WorkPlan: wp, Nodes: []*idspb.Identifier{checkNode("b")}}.Build(),
	}.Build())
	if err != nil {
		t.Fatal(err)
	}
	if got := wpNow.GetWorkPlan().GetChecks()[0].GetCreateRevision().GetNumber(); got != resp.GetRevision().GetNumber() {
		t.Errorf("check b created at revision %d, the write answered %d", got, resp.GetRevision().GetNumber())
	}

	// A caller's own request_id is kept.
	own := orchestratorpb.WriteNodesRequest_builder{
		WorkPlan: wp, Checks: []*orchestratorpb.CheckWrite{newCheck("c")}, RequestId: proto.String("mine"),
	}.Build()
	if _, err := c.WriteNodes(testCtx(t), own); err != nil {
		t.Fatal(err)
	}
	if got := f.requests()[2].(*orchestratorpb.WriteNodesRequest).GetRequestId(); got != "mine" {
		t.Errorf("request_id %q, want the caller's", got)
	}
}

func TestRetriesExhausted(t *testing.T) {
	f := &faults{method: "QueryNodes", before: 1000}
	c, _ := newClient(t, []client.Option{client.WithRetry(client.RetryPolicy{Initial: time.Millisecond, MaxAttempts: 3})}, f.intercept)
	wp := createPlan(t, c, "a")
	_, err := c.QueryNodes(testCtx(t), orchestratorpb.QueryNodesRequest_builder{
		Query: orchestratorpb.NodeQuery_builder{WorkPlan: wp}.Build(),
	}.Build())
	var e *client.Error
	if !errors.As(err, &e) {
		t.Fatalf("err %v (%T), want a *client.Error", err, err)
	}
	if e.Code != codes.Unavailable || !e.Retryable() || e.Attempts != 3 || len(f.requests()) != 3 {
		t.Errorf("got %v: code %v, retryable %v, %d attempts, %d sent; want UNAVAILABLE, retryable, 3, 3",
			err, e.Code, e.Retryable(), e.Attempts, len(f.requests()))
	}
	if want := "turboci: QueryNodes: UNAVAILABLE: injected before sending (after 3 attempts)"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	if status.Code(err) != codes.Unavailable {
		t.Errorf("status.Code(err) = %v", status.Code(err))
	}
}

func TestRetriesStopBeforeTheDeadline(t *testing.T) {
	f := &faults{method: "QueryNodes", before: 1000}
	// Backoffs 100ms (50-100), 200ms (100-200), 400ms...: within 600ms at
	// most 4 attempts fit, and no sleep may run past the deadline.
	c, _ := newClient(t, []client.Option{client.WithDeadline(600 * time.Millisecond)}, f.intercept)
	wp := createPlan(t, c, "a")
	start := time.Now()
	_, err := c.QueryNodes(context.Background(), orchestratorpb.QueryNodesRequest_builder{
		Query: orchestratorpb.NodeQuery_builder{WorkPlan: wp}.Build(),
	}.Build())
	took := time.Since(start)
	var e *client.Error
	if !errors.As(err, &e) || e.Code != codes.Unavailable {
		t.Fatalf("err %v, want UNAVAILABLE", err)
	}
	if e.Attempts < 2 || e.Attempts > 4 || took > 800*time.Millisecond { // slack for a loaded machine
		t.Errorf("%d attempts in %v, want 2 to 4 within the 600ms deadline", e.Attempts, took)
	}
}

func TestRefusalsAreNotRetriedAndCarryTheirDetails(t *testing.T) {
	f := &faults{method: "CreateWorkPlan"}
	c, _ := newClient(t, nil, f.intercept)
	_, err := c.CreateWorkPlan(testCtx(t), orchestratorpb.CreateWorkPlanRequest_builder{
		Realm: proto.String("test:ci"), Checks: []*orchestratorpb.CheckWrite{newCheck("a")},
	}.Build())
	var e *client.Error
	if !errors.As(err, &e) {
		t.Fatalf("err %v, want a *client.Error", err)
	}
	if e.Code != codes.InvalidArgument || e.Retryable() || e.Attempts != 1 || len(f.requests()) != 1 {
		t.Errorf("got %v (attempts %d, sent %d), want INVALID_ARGUMENT once", err, e.Attempts, len(f.requests()))
	}
	if len(e.BadRequest) != 1 || e.BadRequest[0].GetField() != "workflow" {
		t.Errorf("BadRequest %v, want the field workflow", e.BadRequest)
	}

	// A conflict: ABORTED with the reason and the WriteConflict detail.
	wp := createPlan(t, c, "a")
	w := newCheck("a")
	w.SetCreateOnly(true)
	_, err = c.WriteNodes(testCtx(t), orchestratorpb.WriteNodesRequest_builder{WorkPlan: wp, Checks: []*orchestratorpb.CheckWrite{w}}.Build())
	if !errors.As(err, &e) || !client.IsConflict(err) {
		t.Fatalf("err %v, want a WRITE_CONFLICT", err)
	}
	conflicts := e.WriteConflict.GetConflicts()
	if e.Code != codes.Aborted || e.Attempts != 1 || len(conflicts) != 1 ||
		conflicts[0].GetReason() != orchestratorpb.WriteConflict_Conflict_REASON_EXISTS ||
		conflicts[0].GetNode().GetCheck().GetId() != "a" {
		t.Errorf("got %v, conflicts %v", err, conflicts)
	}
}

func TestMetadataOfTheClientAndOfTheCall(t *testing.T) {
	var got []metadata.MD
	spy := func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		md, _ := metadata.FromOutgoingContext(ctx)
		got = append(got, md)
		return invoker(ctx, method, req, reply, cc, opts...)
	}
	c, _ := newClient(t, []client.Option{client.WithMetadata(metadata.Pairs("turboci-user", "a@example.com", "x-team", "ci"))}, spy)
	wp := createPlan(t, c, "a")
	ctx := metadata.AppendToOutgoingContext(testCtx(t), "turboci-user", "b@example.com")
	if _, err := c.ReadWorkPlan(ctx, orchestratorpb.ReadWorkPlanRequest_builder{WorkPlan: wp}.Build()); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d calls seen, want 2", len(got))
	}
	for i, want := range []string{"a@example.com", "b@example.com"} {
		if u := got[i].Get("turboci-user"); len(u) != 1 || u[0] != want {
			t.Errorf("call %d: turboci-user %v, want only %s", i, u, want)
		}
		if team := got[i].Get("x-team"); len(team) != 1 || team[0] != "ci" {
			t.Errorf("call %d: x-team %v, want ci", i, team)
		}
	}
}

func TestARetriedAllocationKeepsItsRequestID(t *testing.T) {
	f := &faults{method: "AllocateNodeIds", after: 1}
	c, _ := newClient(t, nil, f.intercept)
	wp := createPlan(t, c, "a")
	resp, err := c.AllocateNodeIds(testCtx(t), orchestratorpb.AllocateNodeIdsRequest_builder{
		WorkPlan: wp, CheckCount: proto.Int32(2),
	}.Build())
	if err != nil {
		t.Fatalf("AllocateNodeIds: %v", err)
	}
	seen := f.requests()
	if len(seen) != 2 {
		t.Fatalf("AllocateNodeIds was sent %d times, want 2", len(seen))
	}
	first, second := seen[0].(*orchestratorpb.AllocateNodeIdsRequest), seen[1].(*orchestratorpb.AllocateNodeIdsRequest)
	if !uuid4.MatchString(first.GetRequestId()) || first.GetRequestId() != second.GetRequestId() {
		t.Errorf("request ids %q then %q, want one UUID4 twice", first.GetRequestId(), second.GetRequestId())
	}
	// The repeat got the first call's IDs, not two more: the next
	// allocation continues right after them.
	again, err := c.AllocateNodeIds(testCtx(t), orchestratorpb.AllocateNodeIdsRequest_builder{
		WorkPlan: wp, CheckCount: proto.Int32(2),
	}.Build())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := again.GetChecks()[0].GetId(), "3"; resp.GetChecks()[1].GetId() != "2" || got != want {
		t.Errorf("allocated %v then %v; want 1, 2 then 3, 4", resp.GetChecks(), again.GetChecks())
	}
}
