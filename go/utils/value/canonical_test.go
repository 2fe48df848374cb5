// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

package value_test

import (
	"encoding/hex"
	"errors"
	"math"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	testpb "go.chromium.org/turboci/proto/go/data/test/v1"
	"go.chromium.org/turboci/proto/go/utils/value"
)

func canonicalHex(t *testing.T, m proto.Message) string {
	t.Helper()
	b, err := value.Canonical(m)
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// Bytes worked out by hand from digest.proto: a prefix sorts first.
func TestPrefixKeysByHand(t *testing.T) {
	m := testpb.TestCheckOptions_builder{Variant: map[string]string{"os_version": "b", "os": "a"}}.Build()
	want := "1207" + "0a026f73" + "120161" + "120f" + "0a0a6f735f76657273696f6e" + "120162"
	if got := canonicalHex(t, m); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestNegativeInt32IsTenBytesByHand(t *testing.T) {
	if got := canonicalHex(t, wrapperspb.Int32(-1)); got != "08ffffffffffffffffff01" {
		t.Errorf("got %s", got)
	}
	// Implicit presence: zero is not written, -0.0 is.
	if got := canonicalHex(t, wrapperspb.Int32(0)); got != "" {
		t.Errorf("zero written: %s", got)
	}
	if got := canonicalHex(t, wrapperspb.Double(math.Copysign(0, -1))); got != "090000000000000080" {
		t.Errorf("-0.0: %s", got)
	}
}

// For generated types without Anys, the canonical encoding is what Go's
// own deterministic marshaling writes: an independent check of the field,
// scalar and map rules.
func TestMatchesGoDeterministicMarshal(t *testing.T) {
	msgs := []proto.Message{
		testpb.TestCheckOptions_builder{
			Suites:  []string{"a", "", "b"},
			Variant: map[string]string{"os": "1", "os_version": "2", "": "3", "é": "4", "z": "5"},
		}.Build(),
		mustStruct(t, map[string]any{"os": map[string]any{"n": -1.5, "l": []any{true, nil, "x"}}, "": 0}),
	}
	for _, m := range msgs {
		want, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if got := canonicalHex(t, m); got != hex.EncodeToString(want) {
			t.Errorf("%v:\n got %s\nwant %x", m, got, want)
		}
	}
}

func mustStruct(t *testing.T, v map[string]any) *structpb.Struct {
	t.Helper()
	s, err := structpb.NewStruct(v)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestUnknownFieldsAreRefused(t *testing.T) {
	m := &testpb.TestCheckOptions{}
	if err := proto.Unmarshal([]byte{0x0a, 0x01, 'a', 0xf8, 0x06, 0x01}, m); err != nil {
		t.Fatal(err)
	}
	if _, err := value.Canonical(m); !errors.Is(err, value.ErrUnknownFields) {
		t.Errorf("Canonical = %v; want ErrUnknownFields", err)
	}
	if _, err := value.Digest(m); !errors.Is(err, value.ErrUnknownFields) {
		t.Errorf("Digest = %v; want ErrUnknownFields", err)
	}
}

func TestInvalidUTF8IsRefused(t *testing.T) {
	m := testpb.TestCheckOptions_builder{Suites: []string{"\xff"}}.Build()
	if _, err := value.Canonical(m); !errors.Is(err, value.ErrInvalidString) {
		t.Errorf("Canonical = %v; want ErrInvalidString", err)
	}
}

// Digest takes an Any as the packed value: the same digest as its message.
func TestDigestOfAnyIsDigestOfItsMessage(t *testing.T) {
	m := testpb.TestCheckOptions_builder{Variant: map[string]string{"os": "1", "os_version": "2"}}.Build()
	packed, err := anypb.New(m) // Go's own, not canonical, bytes
	if err != nil {
		t.Fatal(err)
	}
	a, err := value.Digest(m)
	if err != nil {
		t.Fatal(err)
	}
	b, err := value.Digest(packed)
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(a, b) {
		t.Errorf("Digest(m) = %v, Digest(Any(m)) = %v", a, b)
	}
	if _, err := value.Canonical(nil); err == nil {
		t.Error("Canonical(nil) should fail")
	}
}
