// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

package client

import (
	"context"
	"fmt"
	"iter"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	orchestratorpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1"
)

// pageRequest is a request of QueryNodes or ReadWorkPlan.
type pageRequest interface {
	proto.Message
	SetPageToken(string)
}

// page is an answer of QueryNodes or ReadWorkPlan.
type page interface {
	GetWorkPlan() *orchestratorpb.WorkPlan
	GetNextPageToken() string
}

// pages follows next_page_token lazily: each page is fetched (with the
// client's retries) only when the loop asks for it. Every page must read
// the revision the first one fixed; one that does not ends the loop with
// an error rather than mix two snapshots.
func pages[Req pageRequest, Resp page](ctx context.Context, c *Client, method string, req Req, call func(context.Context, Req) (Resp, error)) iter.Seq2[Resp, error] {
	return func(yield func(Resp, error) bool) {
		var zero Resp
		next := proto.Clone(req).(Req) // the caller's request is left alone
		var snapshot int64
		current := ""
		for n := 0; ; n++ {
			resp, err := call(ctx, next)
			if err != nil {
				yield(zero, err)
				return
			}
			rev := resp.GetWorkPlan().GetRevision().GetNumber()
			if n == 0 {
				snapshot = rev
			} else if rev != snapshot {
				yield(zero, &Error{Method: method, Code: codes.Internal, Attempts: 1, Message: fmt.Sprintf(
					"page %d reads revision %d, the first page read %d", n+1, rev, snapshot)})
				return
			}
			if !yield(resp, nil) {
				return
			}
			token := resp.GetNextPageToken()
			if token == "" {
				return
			}
			if token == current {
				// A server that hands back the token it was given would
				// keep the loop going forever.
				yield(zero, &Error{Method: method, Code: codes.Internal, Attempts: 1,
					Message: fmt.Sprintf("page %d gave back its own page token", n+1)})
				return
			}
			current = token
			next.SetPageToken(token)
		}
	}
}

// QueryPages returns the pages of a query, all of one snapshot (the page
// token carries it). Stop the loop early to fetch no more pages:
//
//	for page, err := range c.QueryPages(ctx, req) {
//		if err != nil {
//			return err
//		}
//		for _, check := range page.GetWorkPlan().GetChecks() { ... }
//	}
func (c *Client) QueryPages(ctx context.Context, req *orchestratorpb.QueryNodesRequest) iter.Seq2[*orchestratorpb.QueryNodesResponse, error] {
	return pages(ctx, c, "QueryNodes", req, c.QueryNodes)
}

// ReadWorkPlanPages returns the pages of a workplan, all of one snapshot.
func (c *Client) ReadWorkPlanPages(ctx context.Context, req *orchestratorpb.ReadWorkPlanRequest) iter.Seq2[*orchestratorpb.ReadWorkPlanResponse, error] {
	return pages(ctx, c, "ReadWorkPlan", req, c.ReadWorkPlan)
}

// Node is one check or stage of a page (exactly one of Check and Stage is
// set), with the page's WorkPlan, whose value_data holds the data of the
// node's values (see value.Lookup) and whose revision is the snapshot's.
type Node struct {
	Check *orchestratorpb.Check
	Stage *orchestratorpb.Stage
	Page  *orchestratorpb.WorkPlan
}

// Nodes yields the checks and then the stages of each page of pages, e.g.
// client.Nodes(c.QueryPages(ctx, req)), fetching a page only when the
// nodes before it are consumed.
func Nodes[P page](pages iter.Seq2[P, error]) iter.Seq2[Node, error] {
	return func(yield func(Node, error) bool) {
		for p, err := range pages {
			if err != nil {
				yield(Node{}, err)
				return
			}
			wp := p.GetWorkPlan()
			for _, ch := range wp.GetChecks() {
				if !yield(Node{Check: ch, Page: wp}, nil) {
					return
				}
			}
			for _, st := range wp.GetStages() {
				if !yield(Node{Stage: st, Page: wp}, nil) {
					return
				}
			}
		}
	}
}

// Merge gathers every page of pages into one WorkPlan: the first page's
// fields, every page's checks and stages, and their value data.
func Merge[P page](pages iter.Seq2[P, error]) (*orchestratorpb.WorkPlan, error) {
	var out *orchestratorpb.WorkPlan
	for p, err := range pages {
		if err != nil {
			return nil, err
		}
		wp := p.GetWorkPlan()
		if out == nil {
			out = proto.Clone(wp).(*orchestratorpb.WorkPlan)
			continue
		}
		out.SetChecks(append(out.GetChecks(), wp.GetChecks()...))
		out.SetStages(append(out.GetStages(), wp.GetStages()...))
		data := out.GetValueData()
		if data == nil {
			data = map[string]*orchestratorpb.ValueData{}
		}
		for k, v := range wp.GetValueData() {
			data[k] = v
		}
		out.SetValueData(data)
	}
	return out, nil
}
