// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

package executor

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	orchestratorpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1"
)

// Why a run's context is done (context.Cause(ctx) wraps one of these).
var (
	// ErrCancelled: the orchestrator cancelled the attempt (CancelStage, or
	// CANCELLING in the answer to a write), for a cancel of the stage or
	// the workplan.
	ErrCancelled = errors.New("the attempt was cancelled")

	// ErrRunTimeout: the policy's run timeout passed, here or as the
	// orchestrator's cancel cause.
	ErrRunTimeout = errors.New("the attempt's run timeout passed")

	// ErrStopped: the attempt is no longer this process's to run: its token
	// expired, another process claimed it, or heartbeats could not reach
	// the orchestrator for two intervals (the orchestrator ends it LOST).
	// Nothing more is written for it.
	ErrStopped = errors.New("the attempt is no longer this process's to run")
)

// failed is an error that names the failure kind its attempt ends with.
type failed struct {
	kind orchestratorpb.FailureKind
	err  error
}

func (f *failed) Error() string { return f.err.Error() }
func (f *failed) Unwrap() error { return f.err }

// Fail wraps err so that the attempt ends with this failure kind instead
// of FAILURE_KIND_CRASHED, the kind of any other error. The kind picks the
// retry budget the policy charges (see failure_kind.proto). Fail(k, nil)
// is nil.
func Fail(kind orchestratorpb.FailureKind, err error) error {
	if err == nil {
		return nil
	}
	return &failed{kind, err}
}

// Reject is Fail(FAILURE_KIND_REJECTED, err): the attempt ends with a
// failure that is never retried (the args cannot work, a permission will
// not be granted).
func Reject(err error) error {
	return Fail(orchestratorpb.FailureKind_FAILURE_KIND_REJECTED, err)
}

// cancelCause is the error a cancel of this failure cancels the run with.
func cancelCause(f *orchestratorpb.StageAttemptFailure) error {
	cause := ErrCancelled
	if f.GetKind() == orchestratorpb.FailureKind_FAILURE_KIND_RUN_TIMEOUT {
		cause = ErrRunTimeout
	}
	if m := f.GetMessage(); m != "" {
		return fmt.Errorf("%w: %s", cause, m)
	}
	return cause
}

// maxMessage bounds a failure message: it is for people, and a run may
// return an error that carries a whole log.
const maxMessage = 1024

func failure(kind orchestratorpb.FailureKind, msg string) *orchestratorpb.StageAttemptFailure {
	if len(msg) > maxMessage {
		cut := maxMessage
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = strings.ToValidUTF8(msg[:cut], "") + "…"
	}
	f := &orchestratorpb.StageAttemptFailure{}
	f.SetKind(kind)
	if msg != "" {
		f.SetMessage(strings.ToValidUTF8(msg, "?"))
	}
	return f
}
