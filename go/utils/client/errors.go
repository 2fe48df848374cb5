// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

package client

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	orchestratorpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1"
)

// ErrorDomain is the ErrorInfo domain of the orchestrator's own refusals;
// ErrorInfos of other domains leave Error.Reason empty.
const ErrorDomain = "turboci.graph.orchestrator.v1"

// Error is every error a call of this package returns for a refusal of the
// orchestrator, or for a call that could not be made: reach it with
// errors.As. The details come from the status the server sent (the
// grpc-status-details-bin trailer).
type Error struct {
	// Method is the RPC, e.g. "WriteNodes".
	Method string
	// Code is the gRPC status code.
	Code codes.Code
	// Message is the status message.
	Message string
	// Reason is the ErrorReason name without its "ERROR_REASON_" prefix,
	// e.g. "WRITE_CONFLICT", when the status carries an ErrorInfo of
	// ErrorDomain; else empty.
	Reason string
	// Metadata is that ErrorInfo's metadata (nil without one).
	Metadata map[string]string
	// WriteConflict is the WriteConflict detail, when present.
	WriteConflict *orchestratorpb.WriteConflict
	// BadRequest holds the field violations of a BadRequest detail.
	BadRequest []*errdetails.BadRequest_FieldViolation
	// Attempts is how many times the call was sent (1 when it was not
	// retried; 0 when it was never sent).
	Attempts int

	status *status.Status
	cause  error // a context error, when that is what ended the call
}

// Error formats the error in one line: method, code, message, reason and
// the number of attempts when there were several.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("turboci: ")
	if e.Method != "" {
		b.WriteString(e.Method + ": ")
	}
	b.WriteString(codeName(e.Code))
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.Reason != "" {
		b.WriteString(" [" + e.Reason)
		for _, k := range slices.Sorted(maps.Keys(e.Metadata)) {
			fmt.Fprintf(&b, " %s=%q", k, e.Metadata[k])
		}
		b.WriteString("]")
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	return b.String()
}

// Retryable reports whether the error is the orchestrator's own trouble
// (UNAVAILABLE or INTERNAL), which a call retries with the same request_id.
func (e *Error) Retryable() bool {
	return retryableCode(e.Code)
}

// GRPCStatus returns the status the error was made from, so that
// status.FromError and status.Code see through it.
func (e *Error) GRPCStatus() *status.Status {
	if e.status == nil {
		return status.New(e.Code, e.Message)
	}
	return e.status
}

// Unwrap returns the context's error when the context ended the call, so
// errors.Is(err, context.DeadlineExceeded) holds.
func (e *Error) Unwrap() error {
	return e.cause
}

// codeName is the code as gRPC's spec and the other languages spell it
// (INVALID_ARGUMENT, not InvalidArgument).
func codeName(c codes.Code) string {
	var b strings.Builder
	for i, r := range c.String() {
		if i > 0 && 'A' <= r && r <= 'Z' {
			b.WriteByte('_')
		}
		b.WriteRune(r)
	}
	return strings.ToUpper(b.String())
}

func retryableCode(c codes.Code) bool {
	return c == codes.Unavailable || c == codes.Internal
}

// IsConflict reports whether err is a WRITE_CONFLICT refusal (see
// Transact, which re-runs on it).
func IsConflict(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == codes.Aborted && e.Reason == "WRITE_CONFLICT"
}

// newError turns what a call returned into an *Error; an *Error passes
// through with its attempts updated.
func newError(method string, err error, attempts int) *Error {
	var e *Error
	if errors.As(err, &e) {
		c := *e
		c.Attempts = attempts
		if c.Method == "" {
			c.Method = method
		}
		return &c
	}
	st, ok := status.FromError(err)
	if !ok {
		// Not a status: a context error raised before the call was sent, or
		// something of the transport's.
		st = status.FromContextError(err)
	}
	e = &Error{Method: method, Code: st.Code(), Message: st.Message(), Attempts: attempts, status: st}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		e.cause = err
	}
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.ErrorInfo:
			if d.GetDomain() == ErrorDomain && e.Reason == "" {
				e.Reason = d.GetReason()
				e.Metadata = d.GetMetadata()
			}
		case *orchestratorpb.WriteConflict:
			e.WriteConflict = d
		case *errdetails.BadRequest:
			e.BadRequest = append(e.BadRequest, d.GetFieldViolations()...)
		}
	}
	return e
}
