// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

package client

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestBackoffDoublesFromATenthOfASecondToFiveWithJitter(t *testing.T) {
	var slept []time.Duration
	c := New(nil, WithRetry(RetryPolicy{MaxAttempts: 10}))
	c.sleep = func(_ context.Context, d time.Duration) error {
		slept = append(slept, d)
		return nil
	}
	calls := 0
	_, err := retry(context.Background(), c, "Test", func(context.Context) (int, error) {
		calls++
		return 0, status.Error(codes.Internal, "again")
	})
	if e, ok := err.(*Error); !ok || e.Attempts != 10 || calls != 10 || e.Code != codes.Internal {
		t.Fatalf("err %v after %d calls, want INTERNAL after 10", err, calls)
	}
	want := []time.Duration{100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000}
	if len(slept) != len(want) {
		t.Fatalf("slept %v, want %d sleeps", slept, len(want))
	}
	for i, d := range slept {
		hi := want[i] * time.Millisecond
		if d < hi/2 || d > hi {
			t.Errorf("sleep %d is %v, want within [%v, %v]", i+1, d, hi/2, hi)
		}
	}
}

func TestOnlyUnavailableAndInternalAreRetried(t *testing.T) {
	for code, retried := range map[codes.Code]bool{
		codes.Unavailable: true, codes.Internal: true, codes.Aborted: false, codes.DeadlineExceeded: false,
		codes.ResourceExhausted: false, codes.Unknown: false, codes.FailedPrecondition: false,
	} {
		c := New(nil, WithRetry(RetryPolicy{MaxAttempts: 2}))
		c.sleep = func(context.Context, time.Duration) error { return nil }
		calls := 0
		_, err := retry(context.Background(), c, "Test", func(context.Context) (int, error) {
			calls++
			return 0, status.Error(code, "no")
		})
		if want := map[bool]int{true: 2, false: 1}[retried]; calls != want {
			t.Errorf("%v: %d calls, want %d", code, calls, want)
		}
		if e := err.(*Error); e.Retryable() != retried {
			t.Errorf("%v: Retryable() = %v", code, e.Retryable())
		}
	}
}

func TestNoRetryStartsWhoseSleepWouldPassTheDeadline(t *testing.T) {
	c := New(nil, WithRetry(RetryPolicy{Initial: time.Second}))
	c.sleep = func(context.Context, time.Duration) error {
		t.Error("slept although the sleep would pass the deadline")
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	calls := 0
	_, err := retry(ctx, c, "Test", func(context.Context) (int, error) {
		calls++
		return 0, status.Error(codes.Unavailable, "down")
	})
	// The first sleep is at least 500ms: past the deadline, so one attempt.
	if e := err.(*Error); calls != 1 || e.Attempts != 1 || e.Code != codes.Unavailable {
		t.Errorf("%d calls, err %v; want one UNAVAILABLE attempt", calls, err)
	}
}

func TestRequestIDsAreUUID4s(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		id := newRequestID()
		if len(id) != 36 || id[14] != '4' || !(id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b') || seen[id] {
			t.Fatalf("request id %q is not a fresh UUID4", id)
		}
		seen[id] = true
	}
}
