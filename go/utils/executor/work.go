// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

package executor

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"google.golang.org/protobuf/proto"

	orchestratorpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1"
)

const (
	stateRunning    = orchestratorpb.StageAttemptState_STAGE_ATTEMPT_STATE_RUNNING
	stateComplete   = orchestratorpb.StageAttemptState_STAGE_ATTEMPT_STATE_COMPLETE
	stateIncomplete = orchestratorpb.StageAttemptState_STAGE_ATTEMPT_STATE_INCOMPLETE
)

// work is one attempt's whole life in this process: claim, run with
// heartbeats and the run timeout, report the end.
func work[T proto.Message](a *Attempt[T], run RunFunc[T]) {
	st := a.st
	log := a.Logger()
	defer st.cancelFn(context.Canceled) // releases the context; a no-op once cancelled

	if st.ctx.Err() == nil {
		claim := orchestratorpb.StageAttemptWrite_builder{State: stateRunning.Enum(), ProcessId: proto.String(a.cfg.processID)}.Build()
		if _, err := a.write(context.Background(), claim, nil); err != nil {
			if st.stopped() != nil {
				return
			}
			log.Error("cannot claim the attempt: nothing runs", "error", err)
			a.end(failure(orchestratorpb.FailureKind_FAILURE_KIND_CRASHED, "cannot claim the attempt: "+err.Error()))
			return
		}
		log.Info("claimed", "process_id", a.cfg.processID)
	}

	if d := a.Policy().GetTimeouts().GetRun().AsDuration(); d > 0 {
		timer := time.AfterFunc(d, func() { st.cancel(fmt.Errorf("%w (%v)", ErrRunTimeout, d)) })
		defer timer.Stop()
	}
	beats := make(chan struct{})
	beating := make(chan struct{})
	go func() {
		defer close(beating)
		a.heartbeat(beats)
	}()

	var runErr error
	var panicked any
	if st.ctx.Err() == nil {
		runErr, panicked = call(st.ctx, a, run)
	}
	close(beats)
	<-beating

	if st.stopped() != nil {
		log.Warn("the attempt was given up: nothing more is written", "cause", context.Cause(st.ctx), "run_error", runErr)
		return
	}
	cause := context.Cause(st.ctx)
	message := func(prefix string) string {
		// A run that returns its context's error adds nothing to the cause.
		if runErr != nil && !errors.Is(runErr, context.Canceled) && !errors.Is(runErr, cause) {
			return prefix + ": " + runErr.Error()
		}
		return prefix
	}
	var f *failed
	switch {
	case errors.Is(cause, ErrRunTimeout):
		a.end(failure(orchestratorpb.FailureKind_FAILURE_KIND_RUN_TIMEOUT, message(cause.Error())))
	case errors.Is(cause, ErrCancelled):
		a.end(failure(orchestratorpb.FailureKind_FAILURE_KIND_CANCELLED, message(cause.Error())))
	case panicked != nil:
		a.end(failure(orchestratorpb.FailureKind_FAILURE_KIND_CRASHED, fmt.Sprintf("panic: %v", panicked)))
	case errors.As(runErr, &f):
		a.end(failure(f.kind, runErr.Error()))
	case runErr != nil:
		a.end(failure(orchestratorpb.FailureKind_FAILURE_KIND_CRASHED, runErr.Error()))
	default:
		a.end(nil)
	}
}

// call runs run, turning a panic into a value.
func call[T proto.Message](ctx context.Context, a *Attempt[T], run RunFunc[T]) (err error, panicked any) {
	defer func() {
		if p := recover(); p != nil {
			a.Logger().Error("run panicked", "panic", p, "stack", string(debug.Stack()))
			panicked = p
		}
	}()
	return run(ctx, a), nil
}

// end reports the attempt COMPLETE (f nil) or INCOMPLETE with f.
func (a *Attempt[T]) end(f *orchestratorpb.StageAttemptFailure) {
	report := orchestratorpb.StageAttemptWrite_builder{State: stateComplete.Enum()}.Build()
	if f != nil {
		report.SetState(stateIncomplete)
		report.SetFailure(f)
	}
	a.st.finish()
	ctx := context.Background()
	if interval := a.Policy().GetHeartbeat().GetRunning().AsDuration(); interval > 0 {
		// Two intervals after the last accepted write, the orchestrator
		// has ended the attempt LOST: trying longer is pointless.
		deadline := a.st.lastAccepted().Add(2 * interval)
		if time.Until(deadline) < time.Second {
			deadline = time.Now().Add(time.Second)
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	if _, err := a.write(ctx, report, nil); err != nil {
		if a.st.stopped() == nil {
			a.Logger().Error("cannot report the attempt's end", "state", report.GetState(), "error", err)
		}
		return
	}
	if f == nil {
		a.Logger().Info("ended", "state", report.GetState())
	} else {
		a.Logger().Info("ended", "state", report.GetState(), "failure", f.GetKind(), "message", f.GetMessage())
	}
}

// heartbeat reports the attempt at the policy's RUNNING interval until
// done is closed. A heartbeat that meets the orchestrator's own trouble
// (a retryable code) is tried again until two intervals have passed since
// the last accepted one; then the orchestrator has ended the attempt LOST,
// and the work is stopped. A refusal stops the work at once.
func (a *Attempt[T]) heartbeat(done <-chan struct{}) {
	interval := a.Policy().GetHeartbeat().GetRunning().AsDuration()
	if interval <= 0 {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-done
		cancel()
	}()
	wait := func(d time.Duration) bool {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
			return true
		}
	}
	for ctx.Err() == nil {
		// Any accepted write is a heartbeat: count from the last one.
		if due := time.Until(a.st.lastAccepted().Add(interval)); due > 0 {
			if !wait(due) {
				return
			}
			continue
		}
		deadline := a.st.lastAccepted().Add(2 * interval)
		for {
			callCtx, cancelCall := context.WithDeadline(ctx, deadline)
			_, err := a.write(callCtx, &orchestratorpb.StageAttemptWrite{}, nil)
			cancelCall()
			if err == nil || ctx.Err() != nil || a.st.stopped() != nil {
				break
			}
			if !retryable(err) {
				// A refusal is an answer: trying again within the budget would
				// only repeat it. Stop, as the Python library does.
				a.Logger().Error("heartbeat refused: the work is stopped", "error", err)
				a.st.stop(fmt.Errorf("heartbeat refused: %w", err))
				return
			}
			if !time.Now().Before(deadline) {
				a.Logger().Error("no heartbeat reached the orchestrator for two intervals: the work is stopped", "interval", interval, "error", err)
				a.st.stop(fmt.Errorf("no heartbeat accepted in %v: %w", 2*interval, err))
				return
			}
			// The call gave up early (its next backoff would pass the
			// deadline): try again, last just before the deadline.
			if !wait(min(interval/10, time.Until(deadline))) {
				return
			}
		}
		if a.st.stopped() != nil {
			return
		}
	}
}
