// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

package executor

import (
	"context"
	cryptorand "crypto/rand"
	"fmt"
	mathrand "math/rand/v2"
	"strings"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	orchestratorpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1"
	orchestratorgrpcpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1/grpcpb"
)

const errorDomain = "turboci.graph.orchestrator.v1"

// reasonOf is the ErrorReason of an orchestrator's refusal, without its
// "ERROR_REASON_" prefix; "" when err carries none.
func reasonOf(err error) string {
	st, ok := status.FromError(err)
	if !ok {
		return ""
	}
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok && info.GetDomain() == errorDomain {
			return strings.TrimPrefix(info.GetReason(), "ERROR_REASON_")
		}
	}
	return ""
}

// losesAttempt tells whether a refusal means the attempt is no longer this
// process's: write nothing more for it.
func losesAttempt(err error) bool {
	switch reasonOf(err) {
	case "TOKEN_EXPIRED", "CLAIMED_BY_ANOTHER_PROCESS":
		return true
	}
	return false
}

// retryable is the orchestrator's own trouble: the same request may be
// sent again with the same request_id.
func retryable(err error) bool {
	switch status.Code(err) {
	case codes.Unavailable, codes.Internal:
		return true
	}
	return false
}

// newRequestID is a random UUID4 in canonical lowercase text.
func newRequestID() string {
	var b [16]byte
	_, _ = cryptorand.Read(b[:]) // never fails (crypto/rand's contract since Go 1.24)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// writeNodes sends req through conn, retrying UNAVAILABLE and INTERNAL
// within ctx's deadline with backoff (0.1 s doubled up to 5 s, each sleep
// uniform in [d/2, d]) and the same request_id; no retry starts whose sleep
// would pass the deadline.
func writeNodes(ctx context.Context, conn grpc.ClientConnInterface, req *orchestratorpb.WriteNodesRequest) (*orchestratorpb.WriteNodesResponse, error) {
	if !req.HasRequestId() {
		req.SetRequestId(newRequestID())
	}
	client := orchestratorgrpcpb.NewTurboCIOrchestratorClient(conn)
	delay := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		resp, err := client.WriteNodes(ctx, req)
		if err == nil || !retryable(err) {
			return resp, err
		}
		sleep := delay/2 + time.Duration(mathrand.Int64N(int64(delay/2)+1))
		if dl, ok := ctx.Deadline(); ok && time.Now().Add(sleep).After(dl) {
			return nil, fmt.Errorf("after %d attempts: %w", attempt, err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("after %d attempts: %w", attempt, err)
		case <-time.After(sleep):
		}
		delay = min(2*delay, 5*time.Second)
	}
}
