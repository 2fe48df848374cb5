// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

package client_test

import (
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	idspb "go.chromium.org/turboci/proto/go/graph/ids/v1"
	orchestratorpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1"
	"go.chromium.org/turboci/proto/go/internal/reftest"
	"go.chromium.org/turboci/proto/go/utils/client"
)

// cutter ends the first WatchWorkPlan stream after its first message, with
// err (UNAVAILABLE, or io.EOF for a stream that just ends), and records the
// after_revision of every watch opened.
type cutter struct {
	err    error
	mu     sync.Mutex
	afters []int64
	cut    chan struct{}
}

type cutStream struct {
	grpc.ClientStream
	c      *cutter
	cancel context.CancelFunc
	first  bool
	got    int
}

func (s *cutStream) RecvMsg(m any) error {
	if s.first && s.got == 1 {
		s.cancel() // the real stream goes away too
		close(s.c.cut)
		return s.c.err
	}
	err := s.ClientStream.RecvMsg(m)
	s.got++
	return err
}

func (s *cutStream) SendMsg(m any) error {
	if r, ok := m.(*orchestratorpb.WatchWorkPlanRequest); ok {
		s.c.mu.Lock()
		s.c.afters = append(s.c.afters, r.GetAfterRevision())
		s.first = len(s.c.afters) == 1
		s.c.mu.Unlock()
	}
	return s.ClientStream.SendMsg(m)
}

func (c *cutter) intercept(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	if method != "/turboci.graph.orchestrator.v1.TurboCIOrchestrator/WatchWorkPlan" {
		return streamer(ctx, desc, cc, method, opts...)
	}
	ctx, cancel := context.WithCancel(ctx)
	s, err := streamer(ctx, desc, cc, method, opts...)
	if err != nil {
		cancel()
		return nil, err
	}
	return &cutStream{ClientStream: s, c: c, cancel: cancel}, nil
}

func (c *cutter) opened() []int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]int64(nil), c.afters...)
}

func TestWaitForResumesADroppedWatch(t *testing.T) {
	for name, drop := range map[string]error{
		"unavailable": status.Error(codes.Unavailable, "connection reset"),
		"end":         io.EOF,
	} {
		t.Run(name, func(t *testing.T) {
			cut := &cutter{err: drop, cut: make(chan struct{})}
			srv := reftest.Start(t)
			c := client.New(srv.Dial(t, grpc.WithStreamInterceptor(cut.intercept)))
			wp := createPlan(t, c, "a", "b")
			// Once the stream is cut, check a moves on: the resumed watch
			// must see it.
			writeErr := make(chan error, 1)
			go func() {
				<-cut.cut
				_, err := c.WriteNodes(context.Background(), orchestratorpb.WriteNodesRequest_builder{
					WorkPlan: wp, Checks: []*orchestratorpb.CheckWrite{orchestratorpb.CheckWrite_builder{
						Id: checkID("a"), State: orchestratorpb.CheckState_CHECK_STATE_PLANNED.Enum(),
					}.Build()},
				}.Build())
				writeErr <- err
			}()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			answer, err := c.WaitFor(ctx, orchestratorpb.QueryNodesRequest_builder{
				Query: orchestratorpb.NodeQuery_builder{WorkPlan: wp, Nodes: []*idspb.Identifier{checkNode("a")}}.Build(),
			}.Build(), func(wp *orchestratorpb.WorkPlan) bool {
				return wp.GetChecks()[0].GetState() != orchestratorpb.CheckState_CHECK_STATE_PLANNING
			})
			if err != nil {
				t.Fatalf("WaitFor: %v", err)
			}
			if err := <-writeErr; err != nil {
				t.Fatal(err)
			}
			if got := answer.GetChecks()[0]; got.GetId().GetId() != "a" || got.GetState() == orchestratorpb.CheckState_CHECK_STATE_PLANNING {
				t.Errorf("answer %v, want check a past PLANNING", got)
			}
			afters := cut.opened()
			if len(afters) != 2 || afters[0] == 0 || afters[1] != afters[0] {
				t.Errorf("watches opened after revisions %v, want two from the first read's revision", afters)
			}
		})
	}
}

func TestWaitForEndsAtTheDeadlineOrWhenTheWorkPlanFinishes(t *testing.T) {
	c, _ := newClient(t, nil)
	wp := createPlan(t, c, "a")
	q := orchestratorpb.QueryNodesRequest_builder{
		Query: orchestratorpb.NodeQuery_builder{WorkPlan: wp, Nodes: []*idspb.Identifier{checkNode("a")}}.Build(),
	}.Build()
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_, err := c.WaitFor(ctx, q, client.ChecksIn(orchestratorpb.CheckState_CHECK_STATE_FINAL))
	var e *client.Error
	if !errors.As(err, &e) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err %v, want a *client.Error of the deadline", err)
	}

	// A cancelled workplan finishes: a condition that never holds ends
	// with ErrWorkPlanFinished and the last answer.
	if _, err := c.CancelWorkPlan(testCtx(t), orchestratorpb.CancelWorkPlanRequest_builder{WorkPlan: wp}.Build()); err != nil {
		t.Fatal(err)
	}
	answer, err := c.WaitFor(testCtx(t), q, func(*orchestratorpb.WorkPlan) bool { return false })
	if !errors.Is(err, client.ErrWorkPlanFinished) || len(answer.GetChecks()) != 1 {
		t.Errorf("got %v, %v; want the last answer and ErrWorkPlanFinished", answer, err)
	}
}
