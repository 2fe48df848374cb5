// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

package client_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	buildpb "go.chromium.org/turboci/proto/go/data/build/v1"
	idspb "go.chromium.org/turboci/proto/go/graph/ids/v1"
	orchestratorpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1"
	"go.chromium.org/turboci/proto/go/utils/client"
	"go.chromium.org/turboci/proto/go/utils/value"
)

// setPlatform writes check a's options with this platform.
func setPlatform(t *testing.T, platform string) *orchestratorpb.CheckWrite {
	t.Helper()
	opts, err := value.Write(buildpb.BuildCheckOptions_builder{Platform: &platform}.Build(), "")
	if err != nil {
		t.Fatal(err)
	}
	return orchestratorpb.CheckWrite_builder{Id: checkID("a"), Options: []*orchestratorpb.ValueWrite{opts}}.Build()
}

// buildOptions asks for the data of BuildCheckOptions values.
var buildOptions = orchestratorpb.ValueSelection_builder{
	Types: []string{value.TypeURL(&buildpb.BuildCheckOptions{})},
}.Build()

func platformOf(t *testing.T, wp *orchestratorpb.WorkPlan) string {
	t.Helper()
	for _, ch := range wp.GetChecks() {
		if ch.GetId().GetId() == "a" {
			o, found, err := value.Find[*buildpb.BuildCheckOptions](ch.GetOptions(), wp.GetValueData())
			if err != nil {
				t.Fatal(err)
			}
			if !found {
				return ""
			}
			return o.GetPlatform()
		}
	}
	t.Fatal("no check a")
	return ""
}

// appendPlatform is a transaction: read check a's platform and write it
// back with suffix appended; interfere runs between the read and the write.
func appendPlatform(t *testing.T, suffix string, interfere func(attempt int)) func(context.Context, *client.Txn) error {
	return func(ctx context.Context, txn *client.Txn) error {
		wp, err := txn.Query(ctx, orchestratorpb.QueryNodesRequest_builder{
			Query: orchestratorpb.NodeQuery_builder{
				Nodes:   []*idspb.Identifier{checkNode("a"), checkNode("nope")},
				Include: orchestratorpb.NodeQuery_Include_builder{Inputs: proto.Bool(true)}.Build(),
			}.Build(),
			Values: buildOptions,
		}.Build())
		if err != nil {
			return err
		}
		current := platformOf(t, wp)
		interfere(txn.Attempt)
		txn.Request.SetChecks([]*orchestratorpb.CheckWrite{setPlatform(t, current+suffix)})
		return nil
	}
}

func TestTransactRerunsOnAConflict(t *testing.T) {
	c, _ := newClient(t, nil)
	wp := createPlan(t, c, "a")
	other := func(attempt int) {
		if attempt == 1 { // another writer changes a after the first read
			if _, err := c.WriteNodes(testCtx(t), orchestratorpb.WriteNodesRequest_builder{
				WorkPlan: wp, Checks: []*orchestratorpb.CheckWrite{setPlatform(t, "other")},
			}.Build()); err != nil {
				t.Fatal(err)
			}
		}
	}
	runs := 0
	fn := appendPlatform(t, "+mine", other)
	if _, err := c.Transact(testCtx(t), wp, func(ctx context.Context, txn *client.Txn) error {
		runs++
		err := fn(ctx, txn)
		if tx := txn.Reads.Transaction(); len(tx.GetReads()) != 1 || len(tx.GetAbsentNodes()) != 1 || !tx.HasSnapshotRevision() {
			t.Errorf("transaction %v: want one read, one absent node and the snapshot", tx)
		}
		return err
	}); err != nil {
		t.Fatalf("Transact: %v", err)
	}
	if runs != 2 {
		t.Errorf("the function ran %d times, want 2", runs)
	}
	read, err := client.Merge(c.ReadWorkPlanPages(testCtx(t), orchestratorpb.ReadWorkPlanRequest_builder{WorkPlan: wp, Values: buildOptions}.Build()))
	if err != nil {
		t.Fatal(err)
	}
	// The second run read the other writer's value: nothing was lost.
	if got := platformOf(t, read); got != "other+mine" {
		t.Errorf("platform %q, want other+mine", got)
	}
}

func TestTransactGivesUp(t *testing.T) {
	c, _ := newClient(t, []client.Option{client.WithTransactAttempts(3)})
	wp := createPlan(t, c, "a")
	runs := 0
	always := func(int) {
		runs++
		if _, err := c.WriteNodes(testCtx(t), orchestratorpb.WriteNodesRequest_builder{
			WorkPlan: wp, Checks: []*orchestratorpb.CheckWrite{setPlatform(t, strings.Repeat("x", runs))},
		}.Build()); err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.Transact(testCtx(t), wp, appendPlatform(t, "+mine", always))
	if err == nil || !strings.Contains(err.Error(), "gave up after 3 attempts") {
		t.Fatalf("err %v, want one that gave up after 3 attempts", err)
	}
	var e *client.Error
	if !errors.As(err, &e) || e.Code != codes.Aborted || e.Reason != "WRITE_CONFLICT" ||
		e.WriteConflict.GetConflicts()[0].GetNode().GetCheck().GetId() != "a" {
		t.Errorf("err %v does not carry the last conflict on check a", err)
	}
	if runs != 3 {
		t.Errorf("the function ran %d times, want 3", runs)
	}
}

func TestTransactStopsOnTheFunctionsErrorAndWritesNothingWhenAskedTo(t *testing.T) {
	f := &faults{method: "WriteNodes"}
	c, _ := newClient(t, nil, f.intercept)
	wp := createPlan(t, c, "a")
	boom := errors.New("boom")
	if _, err := c.Transact(testCtx(t), wp, func(context.Context, *client.Txn) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("err %v, want the function's", err)
	}
	resp, err := c.Transact(testCtx(t), wp, func(context.Context, *client.Txn) error { return client.ErrNothingToWrite })
	if resp != nil || err != nil {
		t.Errorf("got %v, %v; want nothing", resp, err)
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d writes sent, want none", n)
	}
}
