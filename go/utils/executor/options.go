// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

package executor

import (
	"fmt"
	"log/slog"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/protobuf/proto"

	"go.chromium.org/turboci/proto/go/utils/client"
)

// Option configures New.
type Option func(*config)

type config struct {
	processID     string
	logger        *slog.Logger
	conn          grpc.ClientConnInterface
	dialOptions   []grpc.DialOption
	validate      any // a ValidateFunc[T]; New checks T
	callTimeout   time.Duration
	clientOptions []client.Option
}

// started is when this process started, near enough: the third part of the
// default process ID, so a restarted process on the same host and PID
// claims as another process.
var started = time.Now()

// DefaultProcessID is the process ID attempts are claimed with unless
// WithProcessID says otherwise: "<host>:<pid>:<unix start time>".
func DefaultProcessID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown-host"
	}
	return fmt.Sprintf("%s:%d:%d", host, os.Getpid(), started.Unix())
}

func defaults() config {
	return config{
		processID: DefaultProcessID(),
		logger:    slog.Default(),
		// The orchestrator gets the attempt's token: never in plain text
		// unless the caller says so (WithDialOptions, WithOrchestrator).
		dialOptions: []grpc.DialOption{grpc.WithTransportCredentials(credentials.NewTLS(nil))},
		callTimeout: 30 * time.Second,
	}
}

// WithProcessID sets the ID that claims each attempt
// (StageAttemptWrite.process_id); it must be unique to this process.
// The default is DefaultProcessID().
func WithProcessID(id string) Option {
	return func(c *config) {
		if id != "" {
			c.processID = id
		}
	}
}

// WithLogger sets where the library logs what it does with each attempt
// (claims, heartbeat trouble, ends, panics). The default is slog.Default().
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.logger = l
		}
	}
}

// WithOrchestrator makes every attempt report through conn, whatever the
// RunStageRequest's orchestrator_host says.
func WithOrchestrator(conn grpc.ClientConnInterface) Option {
	return func(c *config) { c.conn = conn }
}

// WithDialOptions sets the options used to connect to each
// RunStageRequest's orchestrator_host (one connection per host, kept until
// Close). The default is TLS with the system's roots; the reference
// orchestrator needs grpc.WithTransportCredentials(insecure.NewCredentials()).
func WithDialOptions(opts ...grpc.DialOption) Option {
	return func(c *config) { c.dialOptions = append([]grpc.DialOption(nil), opts...) }
}

// WithCallTimeout sets the deadline of each call to the orchestrator whose
// context has none, all its retries included: the claim, the final report,
// and the author's calls through Attempt and Attempt.Client. Heartbeats
// have their own (two intervals). The default is 30 s.
func WithCallTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.callTimeout = d
		}
	}
}

// WithClientOptions sets options of the client each attempt reports
// through (see Attempt.Client), e.g. client.WithMetadata for credentials
// carried in metadata, or client.WithRetry. The deadline is
// WithCallTimeout's.
func WithClientOptions(opts ...client.Option) Option {
	return func(c *config) { c.clientOptions = append(c.clientOptions, opts...) }
}

// WithValidate sets the hook that vets each stage in ValidateStage, after
// the args' type is checked. Its T must be New's.
func WithValidate[T proto.Message](f ValidateFunc[T]) Option {
	return func(c *config) {
		if f != nil {
			c.validate = f
		}
	}
}
