// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

package executor

import (
	"errors"

	"go.chromium.org/turboci/proto/go/utils/client"
)

// losesAttempt tells whether a refusal means the attempt is no longer this
// process's: write nothing more for it.
func losesAttempt(err error) bool {
	var e *client.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Reason == "TOKEN_EXPIRED" || e.Reason == "CLAIMED_BY_ANOTHER_PROCESS"
}

// retryable is the orchestrator's own trouble, which a call retries.
func retryable(err error) bool {
	var e *client.Error
	return errors.As(err, &e) && e.Retryable()
}
