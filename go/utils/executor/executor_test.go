// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

package executor_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	buildpb "go.chromium.org/turboci/proto/go/data/build/v1"
	commonpb "go.chromium.org/turboci/proto/go/data/common/v1"
	executorpb "go.chromium.org/turboci/proto/go/graph/executor/v1"
	idspb "go.chromium.org/turboci/proto/go/graph/ids/v1"
	orchestratorpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1"
	orchestratorgrpcpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1/grpcpb"
	"go.chromium.org/turboci/proto/go/internal/reftest"
	buildstagespb "go.chromium.org/turboci/proto/go/stages/build/v1"
	testpb "go.chromium.org/turboci/proto/go/stages/test/v1"
	"go.chromium.org/turboci/proto/go/utils/executor"
	"go.chromium.org/turboci/proto/go/utils/value"
)

type args = *buildstagespb.BuildStageArgs

// heartbeat is short: the standalone reference runs on the wall clock.
const heartbeat = time.Second

// rig is a Go executor served on 127.0.0.1 and the reference orchestrator
// routing BuildStageArgs (and, for the refusal test, TestStageArgs) to it.
type rig struct {
	t    *testing.T
	srv  *executor.Server[args]
	stub orchestratorgrpcpb.TurboCIOrchestratorClient
}

// start serves run; opts come after the rig's own (a plaintext connection
// to the reference), so a test may add interceptors.
// untilStopped is a run that closes started, waits for its context to end
// and hands over why.
func untilStopped(started chan<- struct{}, cause chan<- error) executor.RunFunc[args] {
	return func(ctx context.Context, a *executor.Attempt[args]) error {
		close(started)
		<-ctx.Done()
		cause <- context.Cause(ctx)
		return nil
	}
}

func start(t *testing.T, run executor.RunFunc[args], opts ...executor.Option) *rig {
	t.Helper()
	return startServing(t, nil, run, opts...)
}

// startServing is start with options of the executor's gRPC server.
func startServing(t *testing.T, serverOpts []grpc.ServerOption, run executor.RunFunc[args], opts ...executor.Option) *rig {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := executor.New(run, append([]executor.Option{
		executor.WithDialOptions(grpc.WithTransportCredentials(insecure.NewCredentials())),
		executor.WithProcessID("test-process"),
	}, opts...)...)
	gs := grpc.NewServer(serverOpts...)
	srv.Register(gs)
	go func() { _ = gs.Serve(lis) }()
	t.Cleanup(func() {
		gs.Stop()
		srv.Wait()
		_ = srv.Close()
	})
	ref := reftest.Start(t,
		reftest.WithExecutor(srv.ArgsType(), lis.Addr().String()),
		reftest.WithExecutor(value.TypeURL(&testpb.TestStageArgs{}), lis.Addr().String()))
	return &rig{t: t, srv: srv, stub: orchestratorgrpcpb.NewTurboCIOrchestratorClient(ref.Dial(t))}
}

// interceptor wraps the orchestrator connection's unary calls.
func interceptor(f func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error) executor.Option {
	return executor.WithDialOptions(grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithUnaryInterceptor(f))
}

// isHeartbeat tells a bare heartbeat from the attempt's other writes.
func isHeartbeat(req any) bool {
	w, ok := req.(*orchestratorpb.WriteNodesRequest)
	return ok && w.HasCurrentAttempt() && !w.GetCurrentAttempt().HasState() &&
		len(w.GetCurrentAttempt().GetDetails()) == 0 && len(w.GetChecks()) == 0
}

func policy(mutate ...func(*orchestratorpb.ExecutionPolicy)) *orchestratorpb.ExecutionPolicy {
	p := orchestratorpb.ExecutionPolicy_builder{
		Heartbeat: orchestratorpb.ExecutionPolicy_Heartbeat_builder{Running: durationpb.New(heartbeat)}.Build(),
	}.Build()
	for _, m := range mutate {
		m(p)
	}
	return p
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// plan creates a workplan with check "build" answered by stage "compile"
// whose args name the builder.
func (r *rig) plan(ctx context.Context, builder string, p *orchestratorpb.ExecutionPolicy) *idspb.WorkPlanId {
	r.t.Helper()
	a, err := value.Write(buildstagespb.BuildStageArgs_builder{Builder: proto.String(builder)}.Build(), "")
	if err != nil {
		r.t.Fatal(err)
	}
	check := idspb.CheckId_builder{Id: proto.String("build")}.Build()
	created, err := r.stub.CreateWorkPlan(ctx, orchestratorpb.CreateWorkPlanRequest_builder{
		Workflow: proto.String("go/executor"),
		Realm:    proto.String("go:test"),
		Checks: []*orchestratorpb.CheckWrite{orchestratorpb.CheckWrite_builder{
			Id: check, Kind: orchestratorpb.CheckKind_CHECK_KIND_BUILD.Enum(),
			State: orchestratorpb.CheckState_CHECK_STATE_PLANNED.Enum(),
		}.Build()},
		Stages: []*orchestratorpb.StageWrite{orchestratorpb.StageWrite_builder{
			Id:              idspb.StageId_builder{Id: proto.String("compile")}.Build(),
			Args:            a,
			ExecutionPolicy: p,
			Assignments:     []*orchestratorpb.Assignment{orchestratorpb.Assignment_builder{Check: check}.Build()},
		}.Build()},
	}.Build())
	if err != nil {
		r.t.Fatalf("CreateWorkPlan: %v", err)
	}
	return created.GetWorkPlan()
}

// query reads the workplan's nodes with their attempts and results.
func (r *rig) query(ctx context.Context, wp *idspb.WorkPlanId) *orchestratorpb.WorkPlan {
	r.t.Helper()
	answer, err := r.stub.QueryNodes(ctx, orchestratorpb.QueryNodesRequest_builder{Query: orchestratorpb.NodeQuery_builder{
		WorkPlan: wp,
		Include:  orchestratorpb.NodeQuery_Include_builder{Results: proto.Bool(true), Attempts: proto.Bool(true)}.Build(),
	}.Build(), Values: orchestratorpb.ValueSelection_builder{Types: []string{
		value.TypeURL(&buildpb.BuildCheckResult{}), value.TypeURL(&commonpb.Display{}),
	}}.Build()}.Build())
	if err != nil {
		r.t.Fatalf("QueryNodes: %v", err)
	}
	return answer.GetWorkPlan()
}

// attempt waits until the first attempt of stage "compile" satisfies ok.
func (r *rig) attempt(ctx context.Context, wp *idspb.WorkPlanId, ok func(*orchestratorpb.StageAttempt) bool) (*orchestratorpb.StageAttempt, *orchestratorpb.WorkPlan) {
	r.t.Helper()
	var last *orchestratorpb.StageAttempt
	for {
		plan := r.query(ctx, wp)
		for _, s := range plan.GetStages() {
			if at := s.GetAttempts(); len(at) > 0 {
				last = at[0]
				if ok(last) {
					return last, plan
				}
			}
		}
		select {
		case <-ctx.Done():
			r.t.Fatalf("the attempt did not get there; last seen: %v", last)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func ended(a *orchestratorpb.StageAttempt) bool {
	s := a.GetState()
	return s == orchestratorpb.StageAttemptState_STAGE_ATTEMPT_STATE_COMPLETE || s == orchestratorpb.StageAttemptState_STAGE_ATTEMPT_STATE_INCOMPLETE
}

func inState(want orchestratorpb.StageAttemptState) func(*orchestratorpb.StageAttempt) bool {
	return func(a *orchestratorpb.StageAttempt) bool { return a.GetState() == want }
}

func TestASucceedingRunWritesProgressAndResultsAndCompletes(t *testing.T) {
	ctx := ctxFor(t)
	r := start(t, func(ctx context.Context, a *executor.Attempt[args]) error {
		if a.Args().GetBuilder() != "go/try/linux" {
			return fmt.Errorf("args: got builder %q", a.Args().GetBuilder())
		}
		if err := a.ReportProgress(ctx, commonpb.Display_builder{Title: proto.String("compiling")}.Build()); err != nil {
			return err
		}
		return a.WriteResults(ctx, buildpb.BuildCheckResult_builder{Status: buildpb.BuildStatus_BUILD_STATUS_SUCCEEDED.Enum()}.Build())
	})
	wp := r.plan(ctx, "go/try/linux", policy())
	at, plan := r.attempt(ctx, wp, ended)
	if at.GetState() != orchestratorpb.StageAttemptState_STAGE_ATTEMPT_STATE_COMPLETE {
		t.Fatalf("attempt %v (%v), want COMPLETE", at.GetState(), at.GetFailure())
	}
	if at.GetProcessId() != "test-process" {
		t.Errorf("process_id %q, want the one given with WithProcessID", at.GetProcessId())
	}
	display, found, err := value.Find[*commonpb.Display](at.GetDetails(), plan.GetValueData())
	if err != nil || !found || display.GetTitle() != "compiling" {
		t.Errorf("progress detail: %v, found %v, %v", display, found, err)
	}
	results := plan.GetChecks()[0].GetResults()
	if len(results) != 1 {
		t.Fatalf("%d results, want 1", len(results))
	}
	got, found, err := value.Find[*buildpb.BuildCheckResult](results[0].GetData(), plan.GetValueData())
	if err != nil || !found || got.GetStatus() != buildpb.BuildStatus_BUILD_STATUS_SUCCEEDED {
		t.Errorf("result: %v, found %v, %v", got, found, err)
	}
}

func TestAnErrorOrAPanicEndsTheAttemptWithItsFailureKind(t *testing.T) {
	ctx := ctxFor(t)
	r := start(t, func(ctx context.Context, a *executor.Attempt[args]) error {
		switch a.Args().GetBuilder() {
		case "error":
			return errors.New("the compiler crashed")
		case "reject":
			return executor.Reject(errors.New("no such builder"))
		case "long":
			return errors.New(strings.Repeat("é", 3000)) // 6000 bytes
		case "panic":
			var m map[string]int
			m["boom"]++ // a nil map: a runtime panic
		}
		return nil
	})
	for _, c := range []struct {
		builder string
		kind    orchestratorpb.FailureKind
		message string
	}{
		{"error", orchestratorpb.FailureKind_FAILURE_KIND_CRASHED, "the compiler crashed"},
		{"reject", orchestratorpb.FailureKind_FAILURE_KIND_REJECTED, "no such builder"},
		{"panic", orchestratorpb.FailureKind_FAILURE_KIND_CRASHED, "panic: assignment to entry in nil map"},
		// A message is for people: cut at 1 KiB, on a character's edge.
		{"long", orchestratorpb.FailureKind_FAILURE_KIND_CRASHED, strings.Repeat("é", 512) + "…"},
	} {
		wp := r.plan(ctx, c.builder, policy())
		at, _ := r.attempt(ctx, wp, ended)
		f := at.GetFailure()
		if at.GetState() != orchestratorpb.StageAttemptState_STAGE_ATTEMPT_STATE_INCOMPLETE || f.GetKind() != c.kind || f.GetMessage() != c.message {
			t.Errorf("%s: attempt %v, failure %v %q; want INCOMPLETE, %v %q", c.builder, at.GetState(), f.GetKind(), f.GetMessage(), c.kind, c.message)
		}
	}
}

func TestACancelInTheMiddleOfRunCancelsItsContext(t *testing.T) {
	ctx := ctxFor(t)
	started := make(chan struct{})
	cause := make(chan error, 1)
	r := start(t, func(ctx context.Context, a *executor.Attempt[args]) error {
		close(started)
		<-ctx.Done()
		cause <- context.Cause(ctx)
		return ctx.Err()
	})
	wp := r.plan(ctx, "slow", policy())
	<-started
	if _, err := r.stub.CancelWorkPlan(ctx, orchestratorpb.CancelWorkPlanRequest_builder{WorkPlan: wp}.Build()); err != nil {
		t.Fatalf("CancelWorkPlan: %v", err)
	}
	select {
	case err := <-cause:
		if !errors.Is(err, executor.ErrCancelled) {
			t.Errorf("context.Cause = %v, want ErrCancelled", err)
		}
	case <-ctx.Done():
		t.Fatal("the run's context was not cancelled")
	}
	at, _ := r.attempt(ctx, wp, ended)
	if at.GetState() != orchestratorpb.StageAttemptState_STAGE_ATTEMPT_STATE_INCOMPLETE || at.GetFailure().GetKind() != orchestratorpb.FailureKind_FAILURE_KIND_CANCELLED {
		t.Errorf("attempt %v %v, want INCOMPLETE CANCELLED", at.GetState(), at.GetFailure())
	}
}

func TestACancelLearnedFromAHeartbeatsAnswerCancelsTheRun(t *testing.T) {
	ctx := ctxFor(t)
	started := make(chan struct{})
	cause := make(chan error, 1)
	// CancelStage never gets through: only the answers to the attempt's
	// heartbeats can tell it that it is CANCELLING.
	refuseCancel := grpc.UnaryInterceptor(func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		if strings.HasSuffix(info.FullMethod, "/CancelStage") {
			return nil, status.Error(codes.Unavailable, "not now")
		}
		return handler(ctx, req)
	})
	r := startServing(t, []grpc.ServerOption{refuseCancel}, untilStopped(started, cause))
	wp := r.plan(ctx, "slow", policy())
	<-started
	if _, err := r.stub.CancelWorkPlan(ctx, orchestratorpb.CancelWorkPlanRequest_builder{WorkPlan: wp}.Build()); err != nil {
		t.Fatalf("CancelWorkPlan: %v", err)
	}
	select {
	case err := <-cause:
		if !errors.Is(err, executor.ErrCancelled) {
			t.Errorf("context.Cause = %v, want ErrCancelled", err)
		}
	case <-ctx.Done():
		t.Fatal("the run's context was not cancelled")
	}
	at, _ := r.attempt(ctx, wp, ended)
	if at.GetFailure().GetKind() != orchestratorpb.FailureKind_FAILURE_KIND_CANCELLED {
		t.Errorf("attempt %v %v, want INCOMPLETE CANCELLED", at.GetState(), at.GetFailure())
	}
}

func TestAnAttemptClaimedByAnotherProcessIsDropped(t *testing.T) {
	ctx := ctxFor(t)
	var runs, after atomic.Int32
	var refused atomic.Bool
	r := start(t, func(ctx context.Context, a *executor.Attempt[args]) error {
		runs.Add(1)
		return nil
	}, interceptor(func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		if refused.Load() {
			after.Add(1)
		}
		w, ok := req.(*orchestratorpb.WriteNodesRequest)
		if ok && w.GetCurrentAttempt().GetProcessId() == "test-process" {
			// A copy of the work elsewhere claims the attempt first.
			other := proto.Clone(w).(*orchestratorpb.WriteNodesRequest)
			other.GetCurrentAttempt().SetProcessId("other-process")
			other.SetRequestId("00000000-0000-4000-8000-000000000001")
			if err := invoker(ctx, method, other, &orchestratorpb.WriteNodesResponse{}, cc, opts...); err != nil {
				return fmt.Errorf("the other claim: %w", err)
			}
		}
		err := invoker(ctx, method, req, reply, cc, opts...)
		if err != nil {
			refused.Store(true)
		}
		return err
	}))
	wp := r.plan(ctx, "twice", policy())
	at, _ := r.attempt(ctx, wp, func(a *orchestratorpb.StageAttempt) bool { return a.GetProcessId() != "" })
	r.srv.Wait()
	if at.GetProcessId() != "other-process" {
		t.Errorf("process_id %q, want the other process's", at.GetProcessId())
	}
	if !refused.Load() {
		t.Fatal("the claim was not refused")
	}
	if n := runs.Load(); n != 0 {
		t.Errorf("run called %d times, want 0", n)
	}
	if n := after.Load(); n != 0 {
		t.Errorf("%d writes after the claim was refused, want none", n)
	}
}

func TestAttemptLostToMissedHeartbeatsIsStoppedWhenItsTokenExpires(t *testing.T) {
	ctx := ctxFor(t)
	var drop atomic.Bool
	var afterLoss atomic.Int32 // writes that reached the orchestrator once the attempt was lost
	var lost atomic.Bool
	cause := make(chan error, 1)
	started := make(chan struct{})
	r := start(t, untilStopped(started, cause), interceptor(func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		if drop.Load() && isHeartbeat(req) {
			return nil // swallowed: the orchestrator never hears it, the library thinks it did
		}
		if lost.Load() && !isHeartbeat(req) {
			afterLoss.Add(1)
		}
		return invoker(ctx, method, req, reply, cc, opts...)
	}))
	wp := r.plan(ctx, "hangs", policy())
	<-started
	drop.Store(true)
	at, _ := r.attempt(ctx, wp, ended)
	if at.GetFailure().GetKind() != orchestratorpb.FailureKind_FAILURE_KIND_LOST {
		t.Fatalf("attempt %v %v, want INCOMPLETE LOST", at.GetState(), at.GetFailure())
	}
	lost.Store(true)
	drop.Store(false) // the next heartbeat reaches it, and is refused TOKEN_EXPIRED
	select {
	case err := <-cause:
		if !errors.Is(err, executor.ErrStopped) || status.Code(err) != codes.Unauthenticated {
			t.Errorf("context.Cause = %v, want ErrStopped for the expired token", err)
		}
	case <-ctx.Done():
		t.Fatal("the run's context was not cancelled")
	}
	r.srv.Wait()
	if n := afterLoss.Load(); n != 0 {
		t.Errorf("%d writes other than heartbeats after the attempt was lost, want none", n)
	}
}

func TestHeartbeatsThatCannotReachTheOrchestratorStopTheWork(t *testing.T) {
	ctx := ctxFor(t)
	var down atomic.Bool
	cause := make(chan error, 1)
	started := make(chan struct{})
	r := start(t, untilStopped(started, cause), interceptor(func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		if down.Load() {
			return status.Error(codes.Unavailable, "the orchestrator is down")
		}
		return invoker(ctx, method, req, reply, cc, opts...)
	}))
	wp := r.plan(ctx, "hangs", policy())
	<-started
	down.Store(true)
	begin := time.Now()
	select {
	case err := <-cause:
		if !errors.Is(err, executor.ErrStopped) {
			t.Errorf("context.Cause = %v, want ErrStopped", err)
		}
		if took := time.Since(begin); took > 3*heartbeat+time.Second {
			t.Errorf("stopped after %v, want about two heartbeat intervals", took)
		}
	case <-ctx.Done():
		t.Fatal("the run's context was not cancelled")
	}
	at, _ := r.attempt(ctx, wp, ended)
	if at.GetFailure().GetKind() != orchestratorpb.FailureKind_FAILURE_KIND_LOST {
		t.Errorf("attempt %v %v, want INCOMPLETE LOST", at.GetState(), at.GetFailure())
	}
}

func TestARefusedHeartbeatStopsTheWorkAtOnce(t *testing.T) {
	ctx := ctxFor(t)
	var refuse atomic.Bool
	var refused atomic.Int32
	cause := make(chan error, 1)
	started := make(chan struct{})
	r := start(t, untilStopped(started, cause), interceptor(func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		if isHeartbeat(req) && refuse.Load() {
			refused.Add(1)
			return status.Error(codes.PermissionDenied, "not yours")
		}
		return invoker(ctx, method, req, reply, cc, opts...)
	}))
	r.plan(ctx, "refused", policy())
	<-started
	refuse.Store(true)
	begin := time.Now()
	select {
	case err := <-cause:
		if !errors.Is(err, executor.ErrStopped) {
			t.Errorf("context.Cause = %v, want ErrStopped", err)
		}
		// At the first heartbeat, not after two intervals of trying again.
		if took := time.Since(begin); took > heartbeat+heartbeat/2 {
			t.Errorf("stopped after %v, want at the first heartbeat (%v)", took, heartbeat)
		}
	case <-ctx.Done():
		t.Fatal("the run's context was not cancelled")
	}
	if n := refused.Load(); n != 1 {
		t.Errorf("%d heartbeats refused, want 1: a refusal is not retried", n)
	}
}

func TestABriefOutageDuringHeartbeatsIsRetriedAndTheAttemptCompletes(t *testing.T) {
	ctx := ctxFor(t)
	var outageUntil atomic.Int64 // unix nanoseconds
	var refused atomic.Int32
	r := start(t, func(ctx context.Context, a *executor.Attempt[args]) error {
		// Down for longer than an interval, from just after the claim: the
		// first heartbeat fails and is retried until the orchestrator is
		// back, before the two intervals it waits have passed.
		outageUntil.Store(time.Now().Add(heartbeat * 13 / 10).UnixNano())
		select {
		case <-time.After(4 * heartbeat):
		case <-ctx.Done():
			return ctx.Err()
		}
		return a.WriteResults(ctx, buildpb.BuildCheckResult_builder{Status: buildpb.BuildStatus_BUILD_STATUS_SUCCEEDED.Enum()}.Build())
	}, interceptor(func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		if isHeartbeat(req) && time.Now().UnixNano() < outageUntil.Load() {
			refused.Add(1)
			return status.Error(codes.Unavailable, "the orchestrator is briefly away")
		}
		return invoker(ctx, method, req, reply, cc, opts...)
	}))
	wp := r.plan(ctx, "steady", policy())
	at, _ := r.attempt(ctx, wp, ended)
	if at.GetState() != orchestratorpb.StageAttemptState_STAGE_ATTEMPT_STATE_COMPLETE {
		t.Errorf("attempt %v %v, want COMPLETE", at.GetState(), at.GetFailure())
	}
	if n := refused.Load(); n < 2 {
		t.Errorf("%d heartbeats refused, want several (the outage did not happen)", n)
	}
}

func TestADuplicateRunStageRunsTheAttemptOnce(t *testing.T) {
	ctx := ctxFor(t)
	var runs atomic.Int32
	release := make(chan struct{})
	requests := make(chan *executorpb.RunStageRequest, 1)
	r := start(t, func(ctx context.Context, a *executor.Attempt[args]) error {
		runs.Add(1)
		requests <- a.Request()
		<-release
		return nil
	})
	wp := r.plan(ctx, "once", policy())
	req := <-requests
	for i := 0; i < 2; i++ { // while it runs
		if _, err := r.srv.RunStage(ctx, req); err != nil {
			t.Fatalf("RunStage again: %v, want OK", err)
		}
	}
	close(release)
	at, _ := r.attempt(ctx, wp, ended)
	if _, err := r.srv.RunStage(ctx, req); err != nil { // and after it ran
		t.Fatalf("RunStage after the end: %v, want OK", err)
	}
	r.srv.Wait()
	if n := runs.Load(); n != 1 {
		t.Errorf("run called %d times, want 1", n)
	}
	if at.GetState() != orchestratorpb.StageAttemptState_STAGE_ATTEMPT_STATE_COMPLETE {
		t.Errorf("attempt %v, want COMPLETE", at.GetState())
	}
}

func TestAServerForgetsTheOldestEndedAttempts(t *testing.T) {
	defer executor.SetRemembered(executor.SetRemembered(1))
	ctx := ctxFor(t)
	requests := make(chan *executorpb.RunStageRequest, 2)
	r := start(t, func(ctx context.Context, a *executor.Attempt[args]) error {
		requests <- a.Request()
		return nil
	})
	var seen []*executorpb.RunStageRequest
	for _, name := range []string{"first", "second"} {
		wp := r.plan(ctx, name, policy())
		seen = append(seen, <-requests)
		r.attempt(ctx, wp, ended)
	}
	r.srv.Wait()
	cancel := func(req *executorpb.RunStageRequest) codes.Code {
		_, err := r.srv.CancelStage(ctx, executorpb.CancelStageRequest_builder{Attempt: req.GetAttempt()}.Build())
		return status.Code(err)
	}
	// One ended attempt is remembered: the newest. The memory of a
	// long-lived executor stays bounded.
	if got := cancel(seen[0]); got != codes.NotFound {
		t.Errorf("CancelStage of the first attempt: %v, want NotFound (forgotten)", got)
	}
	if got := cancel(seen[1]); got != codes.OK {
		t.Errorf("CancelStage of the second attempt: %v, want OK (remembered)", got)
	}
}

func TestTheRunTimeoutCancelsTheRunAndEndsTheAttempt(t *testing.T) {
	ctx := ctxFor(t)
	cause := make(chan error, 1)
	r := start(t, func(ctx context.Context, a *executor.Attempt[args]) error {
		<-ctx.Done()
		cause <- context.Cause(ctx)
		return ctx.Err()
	})
	wp := r.plan(ctx, "forever", policy(func(p *orchestratorpb.ExecutionPolicy) {
		p.SetTimeouts(orchestratorpb.ExecutionPolicy_Timeouts_builder{Run: durationpb.New(time.Second)}.Build())
	}))
	select {
	case err := <-cause:
		if !errors.Is(err, executor.ErrRunTimeout) {
			t.Errorf("context.Cause = %v, want ErrRunTimeout", err)
		}
	case <-ctx.Done():
		t.Fatal("the run's context was not cancelled")
	}
	at, _ := r.attempt(ctx, wp, ended)
	if at.GetState() != orchestratorpb.StageAttemptState_STAGE_ATTEMPT_STATE_INCOMPLETE || at.GetFailure().GetKind() != orchestratorpb.FailureKind_FAILURE_KIND_RUN_TIMEOUT {
		t.Errorf("attempt %v %v, want INCOMPLETE RUN_TIMEOUT", at.GetState(), at.GetFailure())
	}
}

func TestAStageWithArgsOfAnotherTypeIsRefused(t *testing.T) {
	ctx := ctxFor(t)
	var runs atomic.Int32
	r := start(t, func(ctx context.Context, a *executor.Attempt[args]) error {
		runs.Add(1)
		return nil
	})
	// The reference routes TestStageArgs to this executor too (see start).
	other, err := value.Write(testpb.TestStageArgs_builder{}.Build(), "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.stub.CreateWorkPlan(ctx, orchestratorpb.CreateWorkPlanRequest_builder{
		Workflow: proto.String("go/executor"),
		Realm:    proto.String("go:test"),
		Stages: []*orchestratorpb.StageWrite{orchestratorpb.StageWrite_builder{
			Id: idspb.StageId_builder{Id: proto.String("tests")}.Build(), Args: other,
		}.Build()},
	}.Build())
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "turboci.stages.build.v1.BuildStageArgs") {
		t.Errorf("CreateWorkPlan with TestStageArgs: %v, want INVALID_ARGUMENT naming the type served", err)
	}
	// RunStage refuses them too, so the attempt is REJECTED.
	ref, data, err := value.RefWithData(testpb.TestStageArgs_builder{}.Build(), "")
	if err != nil {
		t.Fatal(err)
	}
	attempt := idspb.StageAttemptId_builder{
		Stage: idspb.StageId_builder{
			WorkPlan: idspb.WorkPlanId_builder{Id: proto.String("wp")}.Build(), Id: proto.String("tests"),
		}.Build(),
		Number: proto.Int32(1),
	}.Build()
	_, err = r.srv.RunStage(ctx, executorpb.RunStageRequest_builder{
		Attempt: attempt, StageAttemptToken: proto.String("token"), Args: ref,
		ValueData: map[string]*orchestratorpb.ValueData{ref.GetDigest().GetSha256(): data},
	}.Build())
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("RunStage with TestStageArgs: %v, want INVALID_ARGUMENT", err)
	}
	if n := runs.Load(); n != 0 {
		t.Errorf("run called %d times, want 0", n)
	}
}

// The tests below call the server's methods directly: they need no
// orchestrator.

func buildArgs(t *testing.T, builder string) (*orchestratorpb.ValueRef, map[string]*orchestratorpb.ValueData) {
	t.Helper()
	ref, data, err := value.RefWithData(buildstagespb.BuildStageArgs_builder{Builder: proto.String(builder)}.Build(), "")
	if err != nil {
		t.Fatal(err)
	}
	return ref, map[string]*orchestratorpb.ValueData{ref.GetDigest().GetSha256(): data}
}

func TestTheValidateHookRefusesOrNarrowsThePolicy(t *testing.T) {
	capped := policy(func(p *orchestratorpb.ExecutionPolicy) {
		p.SetTimeouts(orchestratorpb.ExecutionPolicy_Timeouts_builder{Run: durationpb.New(time.Hour)}.Build())
	})
	srv := executor.New(func(context.Context, *executor.Attempt[args]) error { return nil },
		executor.WithValidate(func(_ context.Context, a args, requested *orchestratorpb.ExecutionPolicy) (*orchestratorpb.ExecutionPolicy, error) {
			switch a.GetBuilder() {
			case "unknown":
				return nil, fmt.Errorf("no builder %q", a.GetBuilder())
			case "busy":
				return nil, status.Error(codes.Unavailable, "the builder registry is down")
			case "long":
				return capped, nil
			}
			return nil, nil
		}))
	ctx := context.Background()
	validate := func(builder string) (*executorpb.ValidateStageResponse, error) {
		ref, data := buildArgs(t, builder)
		return srv.ValidateStage(ctx, executorpb.ValidateStageRequest_builder{Args: ref, ValueData: data}.Build())
	}
	if _, err := validate("unknown"); status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), `no builder "unknown"`) {
		t.Errorf("refused by the hook: %v, want INVALID_ARGUMENT with its message", err)
	}
	if _, err := validate("busy"); status.Code(err) != codes.Unavailable {
		t.Errorf("a status error of the hook: %v, want it as it is", err)
	}
	if resp, err := validate("long"); err != nil || !proto.Equal(resp.GetExecutionPolicy(), capped) {
		t.Errorf("narrowed: %v, %v; want the hook's policy", resp, err)
	}
	if resp, err := validate("fine"); err != nil || resp.HasExecutionPolicy() {
		t.Errorf("accepted: %v, %v; want the policy as asked (unset)", resp, err)
	}
}

func TestCancelOfAnAttemptNeverSeenIsNotFound(t *testing.T) {
	srv := executor.New(func(context.Context, *executor.Attempt[args]) error { return nil })
	attempt := idspb.StageAttemptId_builder{
		Stage: idspb.StageId_builder{
			WorkPlan: idspb.WorkPlanId_builder{Id: proto.String("wp")}.Build(), Id: proto.String("s"),
		}.Build(),
		Number: proto.Int32(1),
	}.Build()
	_, err := srv.CancelStage(context.Background(), executorpb.CancelStageRequest_builder{Attempt: attempt}.Build())
	if status.Code(err) != codes.NotFound {
		t.Errorf("CancelStage of an unknown attempt: %v, want NOT_FOUND", err)
	}
}

func TestRunStageRefusesAnIncompleteRequest(t *testing.T) {
	srv := executor.New(func(context.Context, *executor.Attempt[args]) error { return nil })
	ref, data := buildArgs(t, "x")
	attempt := idspb.StageAttemptId_builder{
		Stage: idspb.StageId_builder{
			WorkPlan: idspb.WorkPlanId_builder{Id: proto.String("wp")}.Build(), Id: proto.String("s"),
		}.Build(),
		Number: proto.Int32(1),
	}.Build()
	for name, req := range map[string]*executorpb.RunStageRequest{
		"no attempt": executorpb.RunStageRequest_builder{StageAttemptToken: proto.String("t"), Args: ref, ValueData: data}.Build(),
		"no token":   executorpb.RunStageRequest_builder{Attempt: attempt, Args: ref, ValueData: data}.Build(),
		"no args":    executorpb.RunStageRequest_builder{Attempt: attempt, StageAttemptToken: proto.String("t")}.Build(),
		"no data":    executorpb.RunStageRequest_builder{Attempt: attempt, StageAttemptToken: proto.String("t"), Args: ref}.Build(),
		// Without WithOrchestrator, a request must say where to report.
		"no orchestrator_host": executorpb.RunStageRequest_builder{Attempt: attempt, StageAttemptToken: proto.String("t"), Args: ref, ValueData: data}.Build(),
	} {
		if _, err := srv.RunStage(context.Background(), req); status.Code(err) != codes.InvalidArgument {
			t.Errorf("%s: %v, want INVALID_ARGUMENT", name, err)
		}
	}
	srv.Wait()
}

func TestWithOrchestratorPinsWhereReportsGoAndAnUnclaimedAttemptDoesNotRun(t *testing.T) {
	var sent atomic.Int32
	conn, err := grpc.NewClient("127.0.0.1:1", grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithUnaryInterceptor(func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
			sent.Add(1)
			return status.Error(codes.Unavailable, "nobody home")
		}))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var runs atomic.Int32
	srv := executor.New(func(context.Context, *executor.Attempt[args]) error {
		runs.Add(1)
		return nil
	}, executor.WithOrchestrator(conn), executor.WithCallTimeout(300*time.Millisecond))
	ref, data := buildArgs(t, "x")
	req := executorpb.RunStageRequest_builder{
		Attempt: idspb.StageAttemptId_builder{
			Stage: idspb.StageId_builder{
				WorkPlan: idspb.WorkPlanId_builder{Id: proto.String("wp")}.Build(), Id: proto.String("s"),
			}.Build(),
			Number: proto.Int32(1),
		}.Build(),
		StageAttemptToken: proto.String("t"), Args: ref, ValueData: data,
		OrchestratorHost: proto.String("elsewhere.example:443"),
	}.Build()
	if _, err := srv.RunStage(context.Background(), req); err != nil {
		t.Fatalf("RunStage: %v", err)
	}
	srv.Wait()
	// The claim and the report of the failed claim, each retried.
	if n := sent.Load(); n < 2 {
		t.Errorf("%d calls through the pinned connection, want the claim and the end report", n)
	}
	if n := runs.Load(); n != 0 {
		t.Errorf("run called %d times without a claim, want 0", n)
	}
}
