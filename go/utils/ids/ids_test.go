// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

package ids_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	idspb "go.chromium.org/turboci/proto/go/graph/ids/v1"
	"go.chromium.org/turboci/proto/go/internal/vectors"
	"go.chromium.org/turboci/proto/go/utils/ids"
)

func wp() *idspb.WorkPlanId {
	return idspb.WorkPlanId_builder{Id: proto.String("20260302-ps-4f1c")}.Build()
}
func check() *idspb.CheckId {
	return idspb.CheckId_builder{WorkPlan: wp(), Id: proto.String("build/linux")}.Build()
}
func stage() *idspb.StageId {
	return idspb.StageId_builder{WorkPlan: wp(), Id: proto.String("build-linux")}.Build()
}

// Every kind of ID with its documented compact form.
var cases = []struct {
	id   proto.Message
	text string
}{
	{wp(), "W20260302-ps-4f1c"},
	{check(), "W20260302-ps-4f1c:Cbuild/linux"},
	{idspb.CheckResultId_builder{Check: check(), Number: proto.Int32(1)}.Build(), "W20260302-ps-4f1c:Cbuild/linux:R1"},
	{idspb.CheckEditId_builder{Check: check(), Number: proto.Int32(3)}.Build(), "W20260302-ps-4f1c:Cbuild/linux:E3"},
	{stage(), "W20260302-ps-4f1c:Sbuild-linux"},
	{idspb.StageAttemptId_builder{Stage: stage(), Number: proto.Int32(2)}.Build(), "W20260302-ps-4f1c:Sbuild-linux:A2"},
	{idspb.StageEditId_builder{Stage: stage(), Number: proto.Int32(12)}.Build(), "W20260302-ps-4f1c:Sbuild-linux:E12"},
}

func TestRoundTrip(t *testing.T) {
	for _, c := range cases {
		got, err := ids.Format(c.id)
		if err != nil || got != c.text {
			t.Errorf("Format(%v) = %q, %v; want %q", c.id, got, err, c.text)
		}
		parsed, err := ids.Parse(c.text)
		if err != nil {
			t.Fatalf("Parse(%q): %v", c.text, err)
		}
		if inner := ids.Unwrap(parsed); !proto.Equal(inner, c.id) {
			t.Errorf("Parse(%q) = %v; want %v", c.text, inner, c.id)
		}
		if again := ids.MustFormat(parsed); again != c.text {
			t.Errorf("Format(Parse(%q)) = %q", c.text, again)
		}
	}
}

func TestParseAs(t *testing.T) {
	a, err := ids.ParseAs[*idspb.StageAttemptId]("Wx:Sa:A2147483647")
	if err != nil || a.GetNumber() != math.MaxInt32 || a.GetStage().GetId() != "a" {
		t.Errorf("ParseAs = %v, %v", a, err)
	}
	_, err = ids.ParseAs[*idspb.CheckId]("Wx:Sbuild")
	if err == nil || !strings.Contains(err.Error(), "is a StageId, not a CheckId") || !errors.Is(err, ids.ErrInvalid) {
		t.Errorf("ParseAs of a stage as a check: %v", err)
	}
}

func TestMustFormatPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustFormat of an empty ID did not panic")
		}
	}()
	ids.MustFormat(&idspb.WorkPlanId{})
}

func TestUnwrapEmpty(t *testing.T) {
	if got := ids.Unwrap(&idspb.Identifier{}); got != nil {
		t.Errorf("Unwrap(empty) = %v", got)
	}
}

// The shared vectors: Go parses and formats as Python does.
func TestVectors(t *testing.T) {
	f, err := vectors.Load("../..")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.IDs.Valid) == 0 || len(f.IDs.Malformed) == 0 || len(f.IDs.Unformattable) == 0 {
		t.Fatal("vectors.json holds no IDs")
	}
	for _, v := range f.IDs.Valid {
		want := &idspb.Identifier{}
		if err := protojson.Unmarshal(v.ID, want); err != nil {
			t.Fatalf("%s: %v", v.Text, err)
		}
		got, err := ids.Parse(v.Text)
		if err != nil || !proto.Equal(got, want) {
			t.Errorf("Parse(%q) = %v, %v; want %v", v.Text, got, err, want)
			continue
		}
		if kind := got.WhichType().String(); kind != v.Kind {
			t.Errorf("Parse(%q) is a %s; want %s", v.Text, kind, v.Kind)
		}
		if s, err := ids.Format(want); err != nil || s != v.Text {
			t.Errorf("Format(%v) = %q, %v; want %q", want, s, err, v.Text)
		}
	}
	for _, v := range f.IDs.Malformed {
		id, err := ids.Parse(v.Text)
		if err == nil || !strings.Contains(err.Error(), v.Error) || !errors.Is(err, ids.ErrInvalid) {
			t.Errorf("Parse(%q) = %v, %v; want an error with %q", v.Text, id, err, v.Error)
		}
	}
	for _, v := range f.IDs.Unformattable {
		id := &idspb.Identifier{}
		if err := protojson.Unmarshal(v.ID, id); err != nil {
			t.Fatalf("%s: %v", v.ID, err)
		}
		s, err := ids.Format(id)
		if err == nil || !strings.Contains(err.Error(), v.Error) {
			t.Errorf("Format(%v) = %q, %v; want an error with %q", id, s, err, v.Error)
		}
	}
}

func TestFormatRejectsWhatWouldNotParseBack(t *testing.T) {
	for _, id := range []proto.Message{
		&idspb.WorkPlanId{},
		idspb.CheckId_builder{Id: proto.String("a")}.Build(),
		idspb.CheckId_builder{WorkPlan: wp(), Id: proto.String("a:b")}.Build(),
		idspb.StageAttemptId_builder{Stage: stage()}.Build(),
		idspb.CheckResultId_builder{Check: check(), Number: proto.Int32(-1)}.Build(),
		&idspb.Identifier{},
		idspb.WorkPlanId_builder{Id: proto.String(strings.Repeat("a", 129))}.Build(),
		idspb.Identifier_builder{CheckResult: &idspb.CheckResultId{}}.Build(),
	} {
		if s, err := ids.Format(id); err == nil || !errors.Is(err, ids.ErrInvalid) {
			t.Errorf("Format(%v) = %q, %v; want an error", id, s, err)
		}
	}
}
