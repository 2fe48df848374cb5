// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

package client_test

import (
	"fmt"
	"slices"
	"testing"

	"google.golang.org/protobuf/proto"

	orchestratorpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1"
	"go.chromium.org/turboci/proto/go/utils/client"
)

func TestPagesReadOneSnapshot(t *testing.T) {
	f := &faults{method: "QueryNodes"}
	c, _ := newClient(t, nil, f.intercept)
	wp := createPlan(t, c, "c1", "c2", "c3", "c4", "c5")
	req := orchestratorpb.QueryNodesRequest_builder{
		Query:    orchestratorpb.NodeQuery_builder{WorkPlan: wp}.Build(),
		PageSize: proto.Int32(2),
	}.Build()
	var names []string
	var revisions []int64
	n := 0
	for node, err := range client.Nodes(c.QueryPages(testCtx(t), req)) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, node.Check.GetId().GetId())
		revisions = append(revisions, node.Page.GetRevision().GetNumber())
		if n++; n == 1 {
			// The workplan moves on while the pages are read: a new check
			// sorted among the others, and a changed one.
			if _, err := c.WriteNodes(testCtx(t), orchestratorpb.WriteNodesRequest_builder{
				WorkPlan: wp, Checks: []*orchestratorpb.CheckWrite{newCheck("c0"), newCheck("c35")},
			}.Build()); err != nil {
				t.Fatal(err)
			}
		}
	}
	if want := []string{"c1", "c2", "c3", "c4", "c5"}; !slices.Equal(names, want) {
		t.Errorf("nodes %v, want the snapshot's %v", names, want)
	}
	for _, r := range revisions {
		if r != revisions[0] {
			t.Errorf("pages of revisions %v, want one", revisions)
			break
		}
	}
	if sent := len(f.requests()); sent != 3 {
		t.Errorf("%d pages fetched, want 3", sent)
	}
	for i, r := range f.requests() {
		if q := r.(*orchestratorpb.QueryNodesRequest); (i == 0) == q.HasPageToken() {
			t.Errorf("page %d: page token %q", i+1, q.GetPageToken())
		}
	}
	if req.HasPageToken() {
		t.Error("the caller's request was changed")
	}

	// Leaving the loop fetches no more pages.
	before := len(f.requests())
	for _, err := range c.QueryPages(testCtx(t), req) {
		if err != nil {
			t.Fatal(err)
		}
		break
	}
	if got := len(f.requests()) - before; got != 1 {
		t.Errorf("%d pages fetched for one read, want 1", got)
	}

	// ReadWorkPlan pages the same way; Merge joins them, now 7 checks.
	whole, err := client.Merge(c.ReadWorkPlanPages(testCtx(t), orchestratorpb.ReadWorkPlanRequest_builder{
		WorkPlan: wp, PageSize: proto.Int32(3),
	}.Build()))
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, ch := range whole.GetChecks() {
		all = append(all, ch.GetId().GetId())
	}
	if len(all) != 7 {
		t.Errorf("ReadWorkPlan pages hold %v, want 7 checks", all)
	}
}

func TestAFailedPageEndsTheLoopWithItsError(t *testing.T) {
	f := &faults{method: "ReadWorkPlan"}
	c, _ := newClient(t, []client.Option{client.WithRetry(client.RetryPolicy{MaxAttempts: 1})}, f.intercept)
	wp := createPlan(t, c, "a", "b", "c")
	var got []string
	for p, err := range c.ReadWorkPlanPages(testCtx(t), orchestratorpb.ReadWorkPlanRequest_builder{WorkPlan: wp, PageSize: proto.Int32(1)}.Build()) {
		if err != nil {
			got = append(got, fmt.Sprintf("error %v", err != nil))
			continue // the iterator must end by itself
		}
		got = append(got, p.GetWorkPlan().GetChecks()[0].GetId().GetId())
		f.mu.Lock()
		f.before = 1
		f.mu.Unlock()
	}
	if want := []string{"a", "error true"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
