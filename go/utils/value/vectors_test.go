// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

package value_test

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"

	buildpb "go.chromium.org/turboci/proto/go/data/build/v1"
	orchestratorpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1"
	"go.chromium.org/turboci/proto/go/internal/vectors"
	"go.chromium.org/turboci/proto/go/utils/value"
)

func load(t *testing.T) (*vectors.File, value.Options, *vectors.Resolver) {
	t.Helper()
	f, err := vectors.Load("../..")
	if err != nil {
		t.Fatal(err)
	}
	r, err := f.NewResolver()
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Values) == 0 || len(f.ValueErrors) == 0 {
		t.Fatal("vectors.json holds no values")
	}
	return f, value.Options{Resolver: r}, r
}

// Every value vector: from its non-canonical input bytes, Go gives the
// canonical bytes and the digest that Python wrote down.
func TestVectorsCanonicalAndDigest(t *testing.T) {
	f, opts, _ := load(t)
	for _, v := range f.Values {
		raw, err := hex.DecodeString(v.InputHex)
		if err != nil {
			t.Fatal(err)
		}
		packed := &anypb.Any{}
		if err := proto.Unmarshal(raw, packed); err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		got, err := opts.Canonical(packed)
		if err != nil {
			t.Errorf("%s: %v", v.Name, err)
			continue
		}
		if hex.EncodeToString(got) != v.CanonicalHex {
			t.Errorf("%s: canonical\n got %x\nwant %s", v.Name, got, v.CanonicalHex)
		}
		d, err := opts.Digest(packed)
		if err != nil || d.GetSha256() != v.Sha256 || d.GetSizeBytes() != v.SizeBytes {
			t.Errorf("%s: Digest = %v, %v; want %s %d", v.Name, d, err, v.Sha256, v.SizeBytes)
		}
	}
}

// The text form of every value, parsed by Go's text parser, digests the
// same: the digest does not depend on how the message was built.
func TestVectorsFromText(t *testing.T) {
	f, opts, r := load(t)
	for _, v := range f.Values {
		mt, err := r.FindMessageByName(protoreflect.FullName(v.Type))
		if err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		m := mt.New().Interface()
		if err := (prototext.UnmarshalOptions{Resolver: r}).Unmarshal([]byte(v.Text), m); err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		packed, err := opts.Pack(m)
		if err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		d, err := opts.Digest(packed)
		if err != nil || d.GetSha256() != v.Sha256 {
			t.Errorf("%s: digest from text = %v, %v; want %s", v.Name, d.GetSha256(), err, v.Sha256)
		}
		// And through JSON and back.
		js, err := protojson.MarshalOptions{Resolver: r}.Marshal(m)
		if err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		back := mt.New().Interface()
		if err := (protojson.UnmarshalOptions{Resolver: r}).Unmarshal(js, back); err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		if d2, err := opts.Digest(mustPack(t, opts, back)); err != nil || d2.GetSha256() != v.Sha256 {
			t.Errorf("%s: digest after a JSON round trip = %v, %v", v.Name, d2.GetSha256(), err)
		}
	}
}

func mustPack(t *testing.T, opts value.Options, m proto.Message) *anypb.Any {
	t.Helper()
	p, err := opts.Pack(m)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var errorKinds = map[string]error{
	"unknown_fields":    value.ErrUnknownFields,
	"unresolvable_type": value.ErrUnresolvableType,
	"malformed_any":     value.ErrMalformedAny,
}

func TestVectorsWithoutCanonicalEncoding(t *testing.T) {
	f, opts, _ := load(t)
	for _, v := range f.ValueErrors {
		want, ok := errorKinds[v.Error]
		if !ok {
			t.Fatalf("%s: unknown error kind %q", v.Name, v.Error)
		}
		raw, _ := hex.DecodeString(v.InputHex)
		packed := &anypb.Any{}
		if err := proto.Unmarshal(raw, packed); err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		if b, err := opts.Canonical(packed); !errors.Is(err, want) {
			t.Errorf("%s: Canonical = %x, %v; want %v", v.Name, b, err, want)
		}
		if _, err := opts.Digest(packed); !errors.Is(err, want) {
			t.Errorf("%s: Digest error = %v; want %v", v.Name, err, want)
		}
	}
}

// Values fetched as JSON, some written by a newer schema: Lookup ignores
// the fields the reader lacks, IgnoredFields names them, IsComplete and
// DataDigest agree with what Python wrote down.
func TestVectorsJSONForwardCompatible(t *testing.T) {
	f, _, _ := load(t)
	if len(f.JSONValues) == 0 {
		t.Fatal("vectors.json holds no json_values")
	}
	for _, v := range f.JSONValues {
		if v.Type != "turboci.data.build.v1.BuildCheckResult" {
			t.Fatalf("%s: a vector of type %s", v.Name, v.Type)
		}
		ref := orchestratorpb.ValueRef_builder{
			TypeUrl: proto.String(value.TypeURLPrefix + v.Type),
			Digest:  orchestratorpb.Digest_builder{Sha256: proto.String(strings.Repeat("ab", 32))}.Build(),
		}.Build()
		data := map[string]*orchestratorpb.ValueData{ref.GetDigest().GetSha256(): orchestratorpb.ValueData_builder{
			Json:             orchestratorpb.JsonValue_builder{TypeUrl: proto.String(ref.GetTypeUrl()), Json: proto.String(v.JSON)}.Build(),
			HasUnknownFields: proto.Bool(v.HasUnknownFields),
		}.Build()}
		got, err := value.Lookup[*buildpb.BuildCheckResult](ref, data)
		if err != nil {
			t.Fatalf("%s: Lookup: %v", v.Name, err)
		}
		want := &buildpb.BuildCheckResult{}
		if err := prototext.Unmarshal([]byte(v.Text), want); err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(got, want) {
			t.Errorf("%s: Lookup = %v, want %v", v.Name, got, want)
		}
		ignored, err := value.IgnoredFields[*buildpb.BuildCheckResult](ref, data)
		if err != nil || strings.Join(ignored, ",") != strings.Join(v.Ignored, ",") {
			t.Errorf("%s: IgnoredFields = %q, %v; want %q", v.Name, ignored, err, v.Ignored)
		}
		complete, err := value.IsComplete[*buildpb.BuildCheckResult](ref, data)
		if err != nil || complete != v.Complete {
			t.Errorf("%s: IsComplete = %v, %v; want %v", v.Name, complete, err, v.Complete)
		}
		d, err := value.DataDigest[*buildpb.BuildCheckResult](ref, data)
		switch {
		case v.Sha256 == nil && !errors.Is(err, value.ErrIncomplete):
			t.Errorf("%s: DataDigest = %v, %v; want ErrIncomplete", v.Name, d, err)
		case v.Sha256 != nil && (err != nil || d.GetSha256() != *v.Sha256):
			t.Errorf("%s: DataDigest = %v, %v; want %s", v.Name, d, err, *v.Sha256)
		}
	}
}
