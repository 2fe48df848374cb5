// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

package client

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"google.golang.org/protobuf/proto"

	idspb "go.chromium.org/turboci/proto/go/graph/ids/v1"
	orchestratorpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1"
	"go.chromium.org/turboci/proto/go/utils/ids"
)

// NodeSet records what a caller read, the nodes with the revisions it saw
// them at, the nodes it found absent, and the snapshot revision, and turns
// that into the Transaction of a write: the write then applies only if
// none of it changed (else WRITE_CONFLICT). Safe for concurrent use.
type NodeSet struct {
	mu       sync.Mutex
	snapshot int64
	reads    map[string]*orchestratorpb.Transaction_Read
	absent   map[string]*idspb.Identifier
	order    []string // first-seen order, so Transaction is deterministic
}

// NewNodeSet returns an empty node set.
func NewNodeSet() *NodeSet {
	return &NodeSet{reads: map[string]*orchestratorpb.Transaction_Read{}, absent: map[string]*idspb.Identifier{}}
}

func key(id *idspb.Identifier) string {
	if s, err := ids.Format(id); err == nil {
		return s
	}
	b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(id)
	return string(b)
}

// Snapshot is the revision of the first answer the set recorded (0 before
// any); later reads of the same transaction should read it too.
func (s *NodeSet) Snapshot() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snapshot
}

// Add records the checks and stages of an answer's WorkPlan at their
// update revisions, and the answer's revision as the snapshot if none is
// set yet.
func (s *NodeSet) Add(wp *orchestratorpb.WorkPlan) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.snapshot == 0 {
		s.snapshot = wp.GetRevision().GetNumber()
	}
	for _, c := range wp.GetChecks() {
		s.addLocked(idspb.Identifier_builder{Check: c.GetId()}.Build(), c.GetUpdateRevision().GetNumber())
	}
	for _, st := range wp.GetStages() {
		s.addLocked(idspb.Identifier_builder{Stage: st.GetId()}.Build(), st.GetUpdateRevision().GetNumber())
	}
}

func (s *NodeSet) addLocked(id *idspb.Identifier, rev int64) {
	k := key(id)
	if _, ok := s.reads[k]; !ok {
		if _, ok := s.absent[k]; !ok {
			s.order = append(s.order, k)
		}
	}
	delete(s.absent, k)
	s.reads[k] = orchestratorpb.Transaction_Read_builder{Node: id, UpdateRevision: proto.Int64(rev)}.Build()
}

// AddAbsent records nodes the caller looked for and did not find
// (QueryNodesResponse.absent_nodes): the write conflicts if one appears.
func (s *NodeSet) AddAbsent(nodes ...*idspb.Identifier) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range nodes {
		k := key(id)
		if _, ok := s.reads[k]; ok {
			continue
		}
		if _, ok := s.absent[k]; !ok {
			s.order = append(s.order, k)
		}
		s.absent[k] = id
	}
}

// Transaction returns the preconditions of a write based on what the set
// recorded.
func (s *NodeSet) Transaction() *orchestratorpb.Transaction {
	s.mu.Lock()
	defer s.mu.Unlock()
	var reads []*orchestratorpb.Transaction_Read
	var absent []*idspb.Identifier
	for _, k := range s.order {
		if r, ok := s.reads[k]; ok {
			reads = append(reads, r)
		} else if a, ok := s.absent[k]; ok {
			absent = append(absent, a)
		}
	}
	tx := orchestratorpb.Transaction_builder{Reads: reads, AbsentNodes: absent}.Build()
	if s.snapshot != 0 {
		tx.SetSnapshotRevision(s.snapshot)
	}
	return tx
}

// Txn is one run of a Transact function: its reads go into Reads, its
// writes into Request, and Transact sends them together.
type Txn struct {
	c  *Client
	wp *idspb.WorkPlanId
	// Reads holds what the function read through Query (it may add more).
	Reads *NodeSet
	// Request is the write, sent when the function returns nil; fill in
	// checks, stages and reasons (the workplan, the transaction and the
	// request_id are set by Transact).
	Request *orchestratorpb.WriteNodesRequest
	// Attempt counts the runs of the function, from 1.
	Attempt int
}

// Query reads the nodes req selects (every page) at the transaction's
// snapshot, records them and the absent ones in Reads, and returns them in
// one WorkPlan. The query's workplan defaults to the transaction's; the
// caller's request is left alone.
func (t *Txn) Query(ctx context.Context, req *orchestratorpb.QueryNodesRequest) (*orchestratorpb.WorkPlan, error) {
	req = proto.Clone(req).(*orchestratorpb.QueryNodesRequest)
	if !req.GetQuery().HasWorkPlan() {
		q := proto.Clone(req.GetQuery()).(*orchestratorpb.NodeQuery)
		q.SetWorkPlan(t.wp)
		req.SetQuery(q)
	}
	if snap := t.Reads.Snapshot(); snap != 0 {
		req.SetSnapshotRevision(snap)
	}
	var absent []*idspb.Identifier
	wp, err := Merge(func(yield func(*orchestratorpb.QueryNodesResponse, error) bool) {
		for p, err := range t.c.QueryPages(ctx, req) {
			if err == nil {
				absent = append(absent, p.GetAbsentNodes()...)
			}
			if !yield(p, err) {
				return
			}
		}
	})
	if err != nil {
		return nil, err
	}
	t.Reads.Add(wp)
	t.Reads.AddAbsent(absent...)
	return wp, nil
}

// ErrNothingToWrite may be returned by a Transact function that decided
// not to write: Transact then returns (nil, nil) without calling
// WriteNodes. A function that leaves Request without checks, stages,
// reasons and attempt does the same.
var ErrNothingToWrite = errors.New("turboci: nothing to write")

// Transact runs fn and writes what it put in txn.Request with what it read
// as the preconditions (txn.Reads.Transaction()). On WRITE_CONFLICT it
// starts over with a fresh Txn, fn reading again and deciding again, up to
// the client's transact attempts (default 5); then the error says "gave up
// after N attempts" and wraps the last conflict (an *Error). An error fn
// returns ends Transact at once and is returned as is.
func (c *Client) Transact(ctx context.Context, workPlan *idspb.WorkPlanId, fn func(ctx context.Context, txn *Txn) error) (*orchestratorpb.WriteNodesResponse, error) {
	var last error
	for attempt := 1; attempt <= c.opts.transactAttempts; attempt++ {
		txn := &Txn{
			c: c, wp: workPlan, Reads: NewNodeSet(), Attempt: attempt,
			Request: orchestratorpb.WriteNodesRequest_builder{WorkPlan: workPlan}.Build(),
		}
		if err := fn(ctx, txn); err != nil {
			if errors.Is(err, ErrNothingToWrite) {
				return nil, nil
			}
			return nil, err
		}
		req := txn.Request
		if len(req.GetChecks()) == 0 && len(req.GetStages()) == 0 && len(req.GetReasons()) == 0 && !req.HasCurrentAttempt() {
			return nil, nil
		}
		req.SetWorkPlan(workPlan)
		req.SetTransaction(txn.Reads.Transaction())
		req.ClearRequestId() // one per attempt: each is another write
		resp, err := c.WriteNodes(ctx, req)
		if err == nil {
			return resp, nil
		}
		if !IsConflict(err) {
			return nil, err
		}
		last = err
	}
	return nil, fmt.Errorf("turboci: transaction gave up after %d attempts: %w", c.opts.transactAttempts, last)
}
