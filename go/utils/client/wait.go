// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"google.golang.org/protobuf/proto"

	idspb "go.chromium.org/turboci/proto/go/graph/ids/v1"
	orchestratorpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1"
)

// Condition decides from an answer of the waited-for query (every page,
// merged) whether the wait is over.
type Condition func(answer *orchestratorpb.WorkPlan) bool

// ChecksIn is true when the answer holds checks and every one is in one of
// these states.
func ChecksIn(states ...orchestratorpb.CheckState) Condition {
	return func(wp *orchestratorpb.WorkPlan) bool {
		checks := wp.GetChecks()
		return len(checks) > 0 && !slices.ContainsFunc(checks, func(c *orchestratorpb.Check) bool {
			return !slices.Contains(states, c.GetState())
		})
	}
}

// StagesIn is true when the answer holds stages and every one is in one
// of these states.
func StagesIn(states ...orchestratorpb.StageState) Condition {
	return func(wp *orchestratorpb.WorkPlan) bool {
		stages := wp.GetStages()
		return len(stages) > 0 && !slices.ContainsFunc(stages, func(s *orchestratorpb.Stage) bool {
			return !slices.Contains(states, s.GetState())
		})
	}
}

// ErrWorkPlanFinished is wrapped by WaitFor's error when the workplan
// finished before the condition held: nothing will change any more.
var ErrWorkPlanFinished = errors.New("turboci: the workplan finished before the condition held")

// WaitFor waits until the answer to req (read again whenever a node it
// names changes; whenever any node changes if it names none or follows
// edges) satisfies
// done, and returns that answer. It follows WatchWorkPlan; a stream that
// drops (UNAVAILABLE, INTERNAL, or an end before the workplan finished) is
// resumed from the last revision seen, after the client's backoff. It
// waits as long as ctx allows: give ctx a deadline. When the workplan
// finishes first, it returns the last answer and an error wrapping
// ErrWorkPlanFinished.
//
//	answer, err := c.WaitFor(ctx, orchestratorpb.QueryNodesRequest_builder{
//		Query: orchestratorpb.NodeQuery_builder{WorkPlan: wp, Nodes: ...}.Build(),
//	}.Build(), client.ChecksIn(orchestratorpb.CheckState_CHECK_STATE_FINAL))
func (c *Client) WaitFor(ctx context.Context, req *orchestratorpb.QueryNodesRequest, done Condition) (*orchestratorpb.WorkPlan, error) {
	ctx = c.outgoing(ctx)
	wp := req.GetQuery().GetWorkPlan()
	watched := req.GetQuery().GetNodes()
	if f := req.GetQuery().GetFollow(); f != orchestratorpb.NodeQuery_FOLLOW_UNKNOWN && f != orchestratorpb.NodeQuery_FOLLOW_NONE {
		watched = nil // the answer reaches nodes the query does not name
	}
	read := func() (*orchestratorpb.WorkPlan, error) {
		r := proto.Clone(req).(*orchestratorpb.QueryNodesRequest)
		r.ClearSnapshotRevision() // the latest
		return Merge(c.QueryPages(ctx, r))
	}
	answer, err := read()
	if err != nil {
		return nil, err
	}
	if done(answer) {
		return answer, nil
	}
	after := answer.GetRevision().GetNumber()
	b := newBackoff(c.opts.retry)
	attempts := 0
	for {
		attempts++
		finished, err := c.watch(ctx, wp, &after, func(changes []*orchestratorpb.WatchWorkPlanResponse_Change, finish bool) (bool, error) {
			attempts = 0 // the stream works: a later drop starts the backoff over
			b = newBackoff(c.opts.retry)
			if !finish && !touches(changes, watched) {
				return false, nil
			}
			if answer, err = read(); err != nil {
				return true, err
			}
			return done(answer), nil
		})
		switch {
		case err != nil:
			return nil, err
		case finished && done(answer):
			return answer, nil
		case finished:
			return answer, newFinished(answer)
		}
		// The stream dropped: resume after a pause, within ctx's deadline.
		d := b.pause()
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= d {
			return nil, newError("WatchWorkPlan", context.DeadlineExceeded, attempts)
		}
		if err := c.sleep(ctx, d); err != nil {
			return nil, newError("WatchWorkPlan", err, attempts)
		}
	}
}

func newFinished(answer *orchestratorpb.WorkPlan) error {
	return fmt.Errorf("%w (workplan %s finished at revision %d)", ErrWorkPlanFinished,
		answer.GetId().GetId(), answer.GetFinishRevision().GetNumber())
}

// touches reports whether a change names one of the watched nodes (every
// change does when none are watched).
func touches(changes []*orchestratorpb.WatchWorkPlanResponse_Change, watched []*idspb.Identifier) bool {
	if len(watched) == 0 {
		return len(changes) > 0
	}
	for _, ch := range changes {
		for _, w := range watched {
			if sameNode(ch.GetNode(), w) {
				return true
			}
		}
	}
	return false
}

// sameNode compares two check or stage identifiers by name; a watched ID
// may leave its workplan unset.
func sameNode(a, b *idspb.Identifier) bool {
	switch {
	case a.HasCheck() && b.HasCheck():
		return a.GetCheck().GetId() == b.GetCheck().GetId()
	case a.HasStage() && b.HasStage():
		return a.GetStage().GetId() == b.GetStage().GetId()
	}
	return false
}

// watch follows one WatchWorkPlan stream from *after, moving *after to
// each message's revision once on handled. It returns (true, nil) when
// on says the wait is over or the workplan finished, (false, nil) when the
// stream dropped in a way worth resuming, and an *Error otherwise.
func (c *Client) watch(ctx context.Context, wp *idspb.WorkPlanId, after *int64, on func([]*orchestratorpb.WatchWorkPlanResponse_Change, bool) (bool, error)) (bool, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := c.stub.WatchWorkPlan(ctx, orchestratorpb.WatchWorkPlanRequest_builder{
		WorkPlan: wp, AfterRevision: proto.Int64(*after),
	}.Build())
	if err != nil {
		return false, resumable(ctx, err)
	}
	for {
		msg, err := stream.Recv()
		if err != nil {
			return false, resumable(ctx, err)
		}
		finish := msg.HasFinishRevision()
		over, err := on(msg.GetChanges(), finish)
		if err != nil {
			return true, err
		}
		*after = max(*after, msg.GetRevision().GetNumber())
		if over || finish {
			return true, nil
		}
	}
}

// resumable is nil for a stream error that resuming may cure (the end of
// the stream, UNAVAILABLE, INTERNAL), else the *Error to return.
func resumable(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		e := newError("WatchWorkPlan", err, 1)
		e.cause = ctx.Err()
		return e
	}
	if errors.Is(err, io.EOF) {
		return nil
	}
	if e := newError("WatchWorkPlan", err, 1); !e.Retryable() {
		return e
	}
	return nil
}
