// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

// Package executor serves a TurboCI stage executor around one function.
//
// The author writes what one attempt of a stage does, for one stage args
// type T:
//
//	func run(ctx context.Context, a *executor.Attempt[*buildpb.BuildStageArgs]) error
//
// and New turns it into a TurboCIStageExecutorServer that the orchestrator
// calls:
//
//   - ValidateStage refuses args of another type (INVALID_ARGUMENT) and
//     accepts the requested policy, unless a WithValidate hook refuses the
//     stage or narrows the policy.
//   - RunStage answers at once and starts the attempt's work in a
//     goroutine. An attempt this process already runs or ran is answered OK
//     and runs nothing.
//   - CancelStage cancels the run's context (ctx.Done(); context.Cause is
//     ErrCancelled or ErrRunTimeout).
//
// The work claims the attempt (RUNNING with the process ID), heartbeats at
// the policy's heartbeat.running interval, retrying an unreachable
// orchestrator until two intervals have passed since the last accepted
// heartbeat, and ends the attempt when run returns:
//
//   - nil: COMPLETE;
//   - an error: INCOMPLETE, FAILURE_KIND_CRASHED (or the kind Fail or
//     Reject wrapped it with), with the error's text;
//   - a panic: INCOMPLETE, FAILURE_KIND_CRASHED, "panic: ...";
//   - after the policy's run timeout: INCOMPLETE, FAILURE_KIND_RUN_TIMEOUT;
//   - after a cancel: INCOMPLETE, with the cancel's cause.
//
// When the orchestrator answers a write with ERROR_REASON_TOKEN_EXPIRED or
// ERROR_REASON_CLAIMED_BY_ANOTHER_PROCESS, or heartbeats fail for two
// intervals, the attempt belongs to this process no more: the run's context
// is cancelled (cause ErrStopped) and nothing more is written.
//
// The server trusts whoever calls it: guard its gRPC server as the
// orchestrator's registration says (ExecutorRegistration.service_account).
// By default each attempt reports to the orchestrator_host its RunStage
// names, over TLS; WithOrchestrator pins one connection instead, so a
// request can send reports nowhere else.
package executor

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	executorpb "go.chromium.org/turboci/proto/go/graph/executor/v1"
	executorgrpcpb "go.chromium.org/turboci/proto/go/graph/executor/v1/grpcpb"
	orchestratorpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1"
	"go.chromium.org/turboci/proto/go/utils/client"
	"go.chromium.org/turboci/proto/go/utils/ids"
	"go.chromium.org/turboci/proto/go/utils/value"
)

// RunFunc does the work of one attempt. It should return soon after ctx is
// done; the attempt ends when it returns (see the package documentation
// for how each outcome is reported).
type RunFunc[T proto.Message] func(ctx context.Context, a *Attempt[T]) error

// ValidateFunc vets a stage that is being written: its args and the policy
// the writer asked for (nil when the writer left it to the executor). It
// returns the policy the executor will honour (nil: the one asked for), or
// an error that refuses the stage (sent as INVALID_ARGUMENT, unless it is
// a gRPC status error, which is sent as it is).
type ValidateFunc[T proto.Message] func(ctx context.Context, args T, requested *orchestratorpb.ExecutionPolicy) (*orchestratorpb.ExecutionPolicy, error)

// Server is the TurboCIStageExecutorServer for stages with args of type T.
// Register it on a gRPC server with Register (or
// executorgrpcpb.RegisterTurboCIStageExecutorServer).
type Server[T proto.Message] struct {
	executorgrpcpb.UnimplementedTurboCIStageExecutorServer

	run      RunFunc[T]
	validate ValidateFunc[T]
	cfg      config
	typeURL  string

	mu      sync.Mutex
	seen    map[string]*attemptState // by compact attempt ID
	ended   []string                 // the seen attempts that ended, oldest first
	conns   map[string]*grpc.ClientConn
	running sync.WaitGroup
}

// New returns the server of run, for stages whose args are of type T (a
// pointer to a generated message, e.g. *buildpb.BuildStageArgs).
func New[T proto.Message](run RunFunc[T], opts ...Option) *Server[T] {
	if run == nil {
		panic("executor.New: run is nil")
	}
	s := &Server[T]{
		run:   run,
		cfg:   defaults(),
		seen:  map[string]*attemptState{},
		conns: map[string]*grpc.ClientConn{},
	}
	var zero T
	s.typeURL = value.TypeURL(zero.ProtoReflect().Type().Zero().Interface())
	for _, o := range opts {
		o(&s.cfg)
	}
	if s.cfg.validate != nil {
		v, ok := s.cfg.validate.(ValidateFunc[T])
		if !ok {
			panic(fmt.Sprintf("executor.New: WithValidate takes a ValidateFunc of the args type %T", zero))
		}
		s.validate = v
	}
	return s
}

// Register registers s on a gRPC server.
func (s *Server[T]) Register(r grpc.ServiceRegistrar) {
	executorgrpcpb.RegisterTurboCIStageExecutorServer(r, s)
}

// ArgsType is the type URL of the stage args s serves, as an
// ExecutorRegistration (or `--executor` of the reference orchestrator)
// names it.
func (s *Server[T]) ArgsType() string { return s.typeURL }

// Wait blocks until the work of every attempt started so far has ended:
// its run returned (a run that ignores ctx keeps Wait waiting) and its
// final report was written or given up.
func (s *Server[T]) Wait() { s.running.Wait() }

// Close closes the connections s opened to orchestrators. Call it after
// the gRPC server has stopped and Wait has returned.
func (s *Server[T]) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for host, c := range s.conns {
		errs = append(errs, c.Close())
		delete(s.conns, host)
	}
	return errors.Join(errs...)
}

// args decodes the args a request carries, refusing another type.
func (s *Server[T]) args(ref *orchestratorpb.ValueRef, data map[string]*orchestratorpb.ValueData) (T, error) {
	var zero T
	if ref == nil {
		return zero, status.Error(codes.InvalidArgument, "args: required")
	}
	if got := ref.GetTypeUrl(); got != s.typeURL {
		return zero, status.Errorf(codes.InvalidArgument, "args: this executor serves %s, not %s", s.typeURL, got)
	}
	args, err := value.Lookup[T](ref, data)
	if err != nil {
		return zero, status.Errorf(codes.InvalidArgument, "args: %v", err)
	}
	return args, nil
}

// ValidateStage implements TurboCIStageExecutorServer.
func (s *Server[T]) ValidateStage(ctx context.Context, req *executorpb.ValidateStageRequest) (*executorpb.ValidateStageResponse, error) {
	args, err := s.args(req.GetArgs(), req.GetValueData())
	if err != nil {
		return nil, err
	}
	if s.validate == nil {
		return &executorpb.ValidateStageResponse{}, nil
	}
	var requested *orchestratorpb.ExecutionPolicy
	if req.HasExecutionPolicy() {
		requested = req.GetExecutionPolicy()
	}
	policy, err := s.validate(ctx, args, requested)
	if err != nil {
		if _, ok := status.FromError(err); ok {
			return nil, err
		}
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	resp := &executorpb.ValidateStageResponse{}
	if policy != nil {
		resp.SetExecutionPolicy(policy)
	}
	return resp, nil
}

// RunStage implements TurboCIStageExecutorServer: it checks the request,
// starts the work in the background and answers at once.
func (s *Server[T]) RunStage(_ context.Context, req *executorpb.RunStageRequest) (*executorpb.RunStageResponse, error) {
	key, err := ids.Format(req.GetAttempt())
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "attempt: %v", err)
	}
	if req.GetStageAttemptToken() == "" {
		return nil, status.Error(codes.InvalidArgument, "stage_attempt_token: required")
	}
	args, err := s.args(req.GetArgs(), req.GetValueData())
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if _, ok := s.seen[key]; ok {
		s.mu.Unlock()
		s.cfg.logger.Info("RunStage of an attempt this process already runs or ran: nothing more is started", "attempt", key)
		return &executorpb.RunStageResponse{}, nil
	}
	orch, err := s.orchestrator(req.GetOrchestratorHost())
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	st := newAttemptState()
	s.seen[key] = st
	s.running.Add(1)
	s.mu.Unlock()

	c := client.New(orch, append([]client.Option{client.WithDeadline(s.cfg.callTimeout)}, s.cfg.clientOptions...)...)
	a := &Attempt[T]{req: req, args: args, key: key, cfg: &s.cfg, orch: c, st: st}
	go func() {
		defer s.running.Done()
		work(a, s.run)
		s.forgetOld(key)
	}()
	return &executorpb.RunStageResponse{}, nil
}

// remembered is how many ended attempts a server remembers, so that a
// RunStage sent again after the end runs nothing (as in the Python library);
// an older one would fail its claim (TOKEN_EXPIRED) once the orchestrator
// has recorded its end. A variable for the tests.
var remembered = 100_000

// forgetOld records that key's work ended, and forgets the oldest ended
// attempts beyond remembered: a long-lived executor's memory stays bounded.
func (s *Server[T]) forgetOld(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ended = append(s.ended, key)
	for len(s.ended) > remembered {
		delete(s.seen, s.ended[0])
		s.ended = s.ended[1:]
	}
}

// CancelStage implements TurboCIStageExecutorServer.
func (s *Server[T]) CancelStage(_ context.Context, req *executorpb.CancelStageRequest) (*executorpb.CancelStageResponse, error) {
	key, err := ids.Format(req.GetAttempt())
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "attempt: %v", err)
	}
	s.mu.Lock()
	st, ok := s.seen[key]
	s.mu.Unlock()
	if !ok {
		// The orchestrator then ends the attempt itself (CancelStageRequest).
		return nil, status.Errorf(codes.NotFound, "attempt %s never ran in this process", key)
	}
	st.cancel(cancelCause(req.GetCause()))
	return &executorpb.CancelStageResponse{}, nil
}

// orchestrator is the connection that reports go through; called with s.mu held.
func (s *Server[T]) orchestrator(host string) (grpc.ClientConnInterface, error) {
	if s.cfg.conn != nil {
		return s.cfg.conn, nil
	}
	if host == "" {
		return nil, status.Error(codes.InvalidArgument, "orchestrator_host: required (this executor has no WithOrchestrator connection)")
	}
	if c, ok := s.conns[host]; ok {
		return c, nil
	}
	c, err := grpc.NewClient(host, s.cfg.dialOptions...)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "orchestrator_host %q: %v", host, err)
	}
	s.conns[host] = c
	return c, nil
}
