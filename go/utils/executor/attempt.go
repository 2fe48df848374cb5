// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

package executor

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"

	executorpb "go.chromium.org/turboci/proto/go/graph/executor/v1"
	idspb "go.chromium.org/turboci/proto/go/graph/ids/v1"
	orchestratorpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1"
	"go.chromium.org/turboci/proto/go/utils/client"
	"go.chromium.org/turboci/proto/go/utils/value"
)

// Attempt is one attempt of a stage, as its RunFunc sees it: what to do
// (the args and the request), and how to report (progress and results).
// Its methods are safe for concurrent use.
type Attempt[T proto.Message] struct {
	req  *executorpb.RunStageRequest
	args T
	key  string
	cfg  *config
	orch *client.Client
	st   *attemptState
}

// Args returns the stage's args.
func (a *Attempt[T]) Args() T { return a.args }

// ID returns the attempt's ID.
func (a *Attempt[T]) ID() *idspb.StageAttemptId { return a.req.GetAttempt() }

// Request returns the RunStageRequest as the orchestrator sent it: the
// assigned checks with their options (value_data), the realm, the
// snapshot revision. Do not change it.
func (a *Attempt[T]) Request() *executorpb.RunStageRequest { return a.req }

// Policy returns the execution policy the attempt runs under.
func (a *Attempt[T]) Policy() *orchestratorpb.ExecutionPolicy { return a.req.GetExecutionPolicy() }

// Token returns the attempt's stage_attempt_token, for the author's own
// calls (QueryNodes, ReadValues, AllocateNodeIds, WriteNodes).
func (a *Attempt[T]) Token() string { return a.req.GetStageAttemptToken() }

// Client returns the client of the orchestrator the attempt reports to,
// the one the library uses, for the author's own calls (with Token).
func (a *Attempt[T]) Client() *client.Client { return a.orch }

// Logger returns the library's logger with the attempt's ID attached.
func (a *Attempt[T]) Logger() *slog.Logger { return a.cfg.logger.With("attempt", a.key) }

// ReportProgress records details on the attempt (StageAttempt.details),
// each replacing the detail of the same type, for people and tools to
// follow the work. Like every write of Attempt, it is also a heartbeat.
//
// Writes honour ctx: after a cancel, the run's own context is done, so
// write what remains with context.WithoutCancel(ctx).
func (a *Attempt[T]) ReportProgress(ctx context.Context, details ...proto.Message) error {
	cur := &orchestratorpb.StageAttemptWrite{}
	for _, d := range details {
		w, err := value.Write(d, "")
		if err != nil {
			return fmt.Errorf("progress: %w", err)
		}
		cur.SetDetails(append(cur.GetDetails(), w))
	}
	_, err := a.write(ctx, cur, nil)
	return err
}

// WriteResults adds results to the attempt's own result of every check
// assigned to it to be answered (goal state FINAL), each replacing the
// value of the same type. The results are closed when the attempt ends.
func (a *Attempt[T]) WriteResults(ctx context.Context, results ...proto.Message) error {
	var checks []*idspb.CheckId
	for _, as := range a.req.GetAssignments() {
		if g := as.GetGoalState(); g == orchestratorpb.CheckState_CHECK_STATE_UNKNOWN || g == orchestratorpb.CheckState_CHECK_STATE_FINAL {
			checks = append(checks, as.GetCheck())
		}
	}
	return a.writeResults(ctx, checks, results)
}

// WriteCheckResults is WriteResults for one check.
func (a *Attempt[T]) WriteCheckResults(ctx context.Context, check *idspb.CheckId, results ...proto.Message) error {
	return a.writeResults(ctx, []*idspb.CheckId{check}, results)
}

func (a *Attempt[T]) writeResults(ctx context.Context, checks []*idspb.CheckId, results []proto.Message) error {
	var values []*orchestratorpb.ValueWrite
	for _, r := range results {
		w, err := value.Write(r, "")
		if err != nil {
			return fmt.Errorf("results: %w", err)
		}
		values = append(values, w)
	}
	var writes []*orchestratorpb.CheckWrite
	for _, c := range checks {
		writes = append(writes, orchestratorpb.CheckWrite_builder{Id: c, Results: values}.Build())
	}
	if len(writes) == 0 {
		return nil
	}
	_, err := a.write(ctx, &orchestratorpb.StageAttemptWrite{}, writes)
	return err
}

// write sends one WriteNodes as the attempt, carrying cur (an empty
// report is a heartbeat), and acts on the answer: a CANCELLING attempt
// cancels the run; a lost one stops it.
func (a *Attempt[T]) write(ctx context.Context, cur *orchestratorpb.StageAttemptWrite, checks []*orchestratorpb.CheckWrite) (*orchestratorpb.WriteNodesResponse, error) {
	if err := a.st.stopped(); err != nil {
		return nil, err
	}
	req := orchestratorpb.WriteNodesRequest_builder{
		WorkPlan:          a.req.GetAttempt().GetStage().GetWorkPlan(),
		StageAttemptToken: proto.String(a.req.GetStageAttemptToken()),
		CurrentAttempt:    cur,
		Checks:            checks,
	}.Build()
	sent := time.Now()
	resp, err := a.orch.WriteNodes(ctx, req)
	if err != nil {
		if losesAttempt(err) {
			a.st.stop(err)
			a.Logger().Warn("the attempt is no longer this process's: its work is stopped", "error", err)
			if stop := a.st.stopped(); stop != nil {
				return nil, fmt.Errorf("%w: %w", stop, err)
			}
		}
		return nil, err
	}
	a.st.accepted(sent)
	switch cur := resp.GetCurrentAttempt(); cur.GetState() {
	case orchestratorpb.StageAttemptState_STAGE_ATTEMPT_STATE_CANCELLING:
		a.st.cancel(cancelCause(cur.GetCancelCause()))
	case orchestratorpb.StageAttemptState_STAGE_ATTEMPT_STATE_COMPLETE, orchestratorpb.StageAttemptState_STAGE_ATTEMPT_STATE_INCOMPLETE:
		if !a.st.ending() {
			a.st.stop(fmt.Errorf("the orchestrator ended the attempt %s", cur.GetState()))
		}
	}
	return resp, nil
}

// attemptState is what the server and the attempt's work share about one
// attempt: the run's context, the last heartbeat, and whether the attempt
// is still this process's to write for.
type attemptState struct {
	ctx      context.Context
	cancelFn context.CancelCauseFunc

	mu       sync.Mutex
	last     time.Time // when the last accepted write was sent
	lost     error     // set once the attempt is no longer ours
	finished bool      // the final report is being sent
}

func newAttemptState() *attemptState {
	ctx, cancel := context.WithCancelCause(context.Background())
	return &attemptState{ctx: ctx, cancelFn: cancel, last: time.Now()}
}

// cancel cancels the run; the first cause is the one it sees.
func (st *attemptState) cancel(cause error) { st.cancelFn(cause) }

// stop gives the attempt up: the run is cancelled and nothing more is
// written.
func (st *attemptState) stop(why error) {
	st.mu.Lock()
	if st.lost == nil {
		st.lost = fmt.Errorf("%w: %w", ErrStopped, why)
	}
	lost := st.lost
	st.mu.Unlock()
	st.cancelFn(lost)
}

func (st *attemptState) stopped() error {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.lost
}

func (st *attemptState) accepted(sent time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if sent.After(st.last) {
		st.last = sent
	}
}

func (st *attemptState) lastAccepted() time.Time {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.last
}

// finish marks the final report as sent, after which an ended attempt is
// the expected answer.
func (st *attemptState) finish() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.finished = true
}

func (st *attemptState) ending() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.finished
}
