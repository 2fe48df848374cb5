// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

// Package client is a client of the TurboCI orchestrator
// (turboci.graph.orchestrator.v1.TurboCIOrchestrator) with what every
// caller needs on top of the generated stub:
//
//   - a deadline for every unary call (30s by default, or the context's own),
//     covering its retries;
//   - retries of the orchestrator's own trouble (UNAVAILABLE, INTERNAL) with
//     exponential backoff and jitter, the same request_id on every attempt
//     (set automatically on CreateWorkPlan, WriteNodes and AllocateNodeIds);
//   - one error type, *Error, with the status details unpacked;
//   - iterators over the pages of QueryNodes and ReadWorkPlan, all of one
//     snapshot;
//   - transactions: the nodes a function read become the preconditions of
//     its write, and Transact re-runs it on a conflict;
//   - WaitFor, on WatchWorkPlan, resuming a dropped stream;
//   - values fetched by digest, verified, and decoded even when their Go
//     type is not linked into the program.
//
// Per-call metadata goes on the context
// (metadata.AppendToOutgoingContext); WithMetadata sets metadata for every
// call, and a key the context sets wins. The behaviour is the same as the
// Python client's (turboci.utils.client).
package client

import (
	"context"
	crand "crypto/rand"
	"fmt"
	"math/rand/v2"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"

	orchestratorpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1"
	orchestratorgrpcpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1/grpcpb"
)

// DefaultDeadline bounds a unary call and all its retries when the context
// has no deadline of its own.
const DefaultDeadline = 30 * time.Second

// DefaultTransactAttempts is how many times Transact runs its function
// before it gives up on conflicts.
const DefaultTransactAttempts = 5

// RetryPolicy says how calls are retried on UNAVAILABLE and INTERNAL.
// Before retry n (n = 1, 2, ...) the call sleeps a uniformly random time in
// [d/2, d], where d = min(Initial * 2^(n-1), Max); no retry starts if its
// sleep would pass the deadline.
type RetryPolicy struct {
	// Initial is the first backoff (default 100ms).
	Initial time.Duration
	// Max caps the backoff (default 5s).
	Max time.Duration
	// MaxAttempts bounds the attempts of one call, the first included;
	// 0 means only the deadline bounds them. 1 turns retries off.
	MaxAttempts int
}

// DefaultRetry is the policy of a client made without WithRetry.
var DefaultRetry = RetryPolicy{Initial: 100 * time.Millisecond, Max: 5 * time.Second}

// Option configures a Client (see New and Dial).
type Option func(*options)

type options struct {
	deadline         time.Duration
	md               metadata.MD
	retry            RetryPolicy
	transactAttempts int
	dial             []grpc.DialOption
}

// WithDeadline sets the deadline of unary calls whose context has none
// (default DefaultDeadline; 0 or less leaves them without one). It covers
// every retry of the call.
func WithDeadline(d time.Duration) Option {
	return func(o *options) { o.deadline = d }
}

// WithMetadata adds metadata to every call (e.g. "turboci-user"); keys the
// call's context sets take precedence.
func WithMetadata(md metadata.MD) Option {
	return func(o *options) { o.md = metadata.Join(o.md, md) }
}

// WithRetry sets the retry policy; zero fields take DefaultRetry's values.
func WithRetry(p RetryPolicy) Option {
	return func(o *options) {
		if p.Initial <= 0 {
			p.Initial = DefaultRetry.Initial
		}
		if p.Max <= 0 {
			p.Max = DefaultRetry.Max
		}
		o.retry = p
	}
}

// WithTransactAttempts sets how many times Transact runs its function
// before giving up on conflicts (default DefaultTransactAttempts).
func WithTransactAttempts(n int) Option {
	return func(o *options) { o.transactAttempts = max(n, 1) }
}

// WithDialOptions adds gRPC dial options for Dial (interceptors, keepalive,
// per-RPC credentials); New ignores them.
func WithDialOptions(opts ...grpc.DialOption) Option {
	return func(o *options) { o.dial = append(o.dial, opts...) }
}

// Client calls the orchestrator. It is safe for concurrent use.
type Client struct {
	conn  grpc.ClientConnInterface
	stub  orchestratorgrpcpb.TurboCIOrchestratorClient
	opts  options
	close func() error
	sleep func(ctx context.Context, d time.Duration) error // replaced in tests
}

// New returns a client calling the orchestrator over conn, which the caller
// keeps and closes.
func New(conn grpc.ClientConnInterface, opts ...Option) *Client {
	o := options{deadline: DefaultDeadline, retry: DefaultRetry, transactAttempts: DefaultTransactAttempts}
	for _, opt := range opts {
		opt(&o)
	}
	return &Client{
		conn:  conn,
		stub:  orchestratorgrpcpb.NewTurboCIOrchestratorClient(conn),
		opts:  o,
		close: func() error { return nil },
		sleep: sleepCtx,
	}
}

// Dial connects to the orchestrator at target ("host:port", or any target
// grpc.NewClient takes) with these transport credentials
// (insecure.NewCredentials() for a local reference orchestrator). The
// connection is made lazily; Close closes it.
func Dial(target string, creds credentials.TransportCredentials, opts ...Option) (*Client, error) {
	if creds == nil {
		return nil, fmt.Errorf("turboci: Dial %q: no transport credentials (insecure.NewCredentials() for a plaintext local orchestrator)", target)
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	conn, err := grpc.NewClient(target, append([]grpc.DialOption{grpc.WithTransportCredentials(creds)}, o.dial...)...)
	if err != nil {
		return nil, fmt.Errorf("turboci: cannot connect to %q: %w", target, err)
	}
	c := New(conn, opts...)
	c.close = conn.Close
	return c, nil
}

// Close closes the connection Dial made; a client from New leaves its
// connection alone.
func (c *Client) Close() error {
	return c.close()
}

// Stub returns the generated stub on the client's connection, for calls
// without this package's retries and deadline.
func (c *Client) Stub() orchestratorgrpcpb.TurboCIOrchestratorClient {
	return c.stub
}

// outgoing adds the client-wide metadata to ctx, under the keys ctx does
// not set itself.
func (c *Client) outgoing(ctx context.Context) context.Context {
	if len(c.opts.md) == 0 {
		return ctx
	}
	have, _ := metadata.FromOutgoingContext(ctx)
	var kv []string
	for k, vs := range c.opts.md {
		if len(have.Get(k)) > 0 {
			continue
		}
		for _, v := range vs {
			kv = append(kv, k, v)
		}
	}
	return metadata.AppendToOutgoingContext(ctx, kv...)
}

// withDeadline gives ctx the client's default deadline when it has none.
func (c *Client) withDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok || c.opts.deadline <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, c.opts.deadline)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// backoff is the retry schedule of one call (or one watch).
type backoff struct {
	policy RetryPolicy
	next   time.Duration
}

func newBackoff(p RetryPolicy) *backoff {
	return &backoff{policy: p, next: p.Initial}
}

// pause returns the next sleep, uniform in [d/2, d], and doubles d.
func (b *backoff) pause() time.Duration {
	d := b.next
	b.next = min(2*b.next, b.policy.Max)
	half := d / 2
	return half + rand.N(d-half+1)
}

// retry runs call until it succeeds, fails with a code that is not
// retried, runs out of attempts, or the next sleep would pass ctx's
// deadline. Every error it returns is an *Error.
func retry[T any](ctx context.Context, c *Client, method string, call func(context.Context) (T, error)) (T, error) {
	ctx, cancel := c.withDeadline(ctx)
	defer cancel()
	ctx = c.outgoing(ctx)
	b := newBackoff(c.opts.retry)
	var zero T
	for attempt := 1; ; attempt++ {
		resp, err := call(ctx)
		if err == nil {
			return resp, nil
		}
		e := newError(method, err, attempt)
		if ctx.Err() != nil {
			e.cause = ctx.Err()
		}
		if !e.Retryable() || (c.opts.retry.MaxAttempts > 0 && attempt >= c.opts.retry.MaxAttempts) {
			return zero, e
		}
		d := b.pause()
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= d {
			return zero, e
		}
		if err := c.sleep(ctx, d); err != nil {
			e.cause = err
			return zero, e
		}
	}
}

// newRequestID returns a random UUID4 in canonical lowercase text.
func newRequestID() string {
	var u [16]byte
	_, _ = crand.Read(u[:]) // never fails (crypto/rand panics instead)
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// requestIDed is a mutating request with a request_id.
type requestIDed interface {
	proto.Message
	GetRequestId() string
	SetRequestId(string)
}

// withRequestID returns req, or a copy of it given a fresh request_id when
// it has none; the caller's message is never changed.
func withRequestID[R requestIDed](req R) R {
	if req.GetRequestId() != "" {
		return req
	}
	out := proto.Clone(req).(R)
	out.SetRequestId(newRequestID())
	return out
}

// CreateWorkPlan creates a workplan. A request without a request_id gets
// one, which every retry repeats.
func (c *Client) CreateWorkPlan(ctx context.Context, req *orchestratorpb.CreateWorkPlanRequest) (*orchestratorpb.CreateWorkPlanResponse, error) {
	req = withRequestID(req)
	return retry(ctx, c, "CreateWorkPlan", func(ctx context.Context) (*orchestratorpb.CreateWorkPlanResponse, error) {
		return c.stub.CreateWorkPlan(ctx, req)
	})
}

// WriteNodes writes checks, stages and the calling attempt's progress. A
// request without a request_id gets one, which every retry repeats. A
// conflict is returned at once (see Transact and IsConflict).
func (c *Client) WriteNodes(ctx context.Context, req *orchestratorpb.WriteNodesRequest) (*orchestratorpb.WriteNodesResponse, error) {
	req = withRequestID(req)
	return retry(ctx, c, "WriteNodes", func(ctx context.Context) (*orchestratorpb.WriteNodesResponse, error) {
		return c.stub.WriteNodes(ctx, req)
	})
}

// AllocateNodeIds reserves check and stage IDs. A request without a
// request_id gets one, which every retry repeats.
func (c *Client) AllocateNodeIds(ctx context.Context, req *orchestratorpb.AllocateNodeIdsRequest) (*orchestratorpb.AllocateNodeIdsResponse, error) {
	req = withRequestID(req)
	return retry(ctx, c, "AllocateNodeIds", func(ctx context.Context) (*orchestratorpb.AllocateNodeIdsResponse, error) {
		return c.stub.AllocateNodeIds(ctx, req)
	})
}

// CancelWorkPlan stops a workplan; it is idempotent, so it is retried
// without a request_id (the request has none).
func (c *Client) CancelWorkPlan(ctx context.Context, req *orchestratorpb.CancelWorkPlanRequest) (*orchestratorpb.CancelWorkPlanResponse, error) {
	return retry(ctx, c, "CancelWorkPlan", func(ctx context.Context) (*orchestratorpb.CancelWorkPlanResponse, error) {
		return c.stub.CancelWorkPlan(ctx, req)
	})
}

// QueryNodes returns one page of a query; QueryPages follows the pages.
func (c *Client) QueryNodes(ctx context.Context, req *orchestratorpb.QueryNodesRequest) (*orchestratorpb.QueryNodesResponse, error) {
	return retry(ctx, c, "QueryNodes", func(ctx context.Context) (*orchestratorpb.QueryNodesResponse, error) {
		return c.stub.QueryNodes(ctx, req)
	})
}

// ReadWorkPlan returns one page of a workplan; ReadWorkPlanPages follows
// the pages.
func (c *Client) ReadWorkPlan(ctx context.Context, req *orchestratorpb.ReadWorkPlanRequest) (*orchestratorpb.ReadWorkPlanResponse, error) {
	return retry(ctx, c, "ReadWorkPlan", func(ctx context.Context) (*orchestratorpb.ReadWorkPlanResponse, error) {
		return c.stub.ReadWorkPlan(ctx, req)
	})
}
