// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

package value_test

import (
	"errors"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	buildpb "go.chromium.org/turboci/proto/go/data/build/v1"
	testpb "go.chromium.org/turboci/proto/go/data/test/v1"
	orchestratorpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1"
	"go.chromium.org/turboci/proto/go/utils/value"
)

var (
	result  = buildpb.BuildCheckResult_builder{Status: buildpb.BuildStatus_BUILD_STATUS_SUCCEEDED.Enum()}.Build()
	options = testpb.TestCheckOptions_builder{Suites: []string{"base_unittests"}, Variant: map[string]string{"os": "linux", "cpu": "x86-64"}}.Build()
)

// answer builds references and a value_data map as the orchestrator sends
// them.
func answer(t *testing.T, msgs ...proto.Message) ([]*orchestratorpb.ValueRef, map[string]*orchestratorpb.ValueData) {
	t.Helper()
	var refs []*orchestratorpb.ValueRef
	data := map[string]*orchestratorpb.ValueData{}
	for _, m := range msgs {
		ref, vd, err := value.RefWithData(m, "")
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, ref)
		data[ref.GetDigest().GetSha256()] = vd
	}
	return refs, data
}

func TestRefWithDataMatches(t *testing.T) {
	ref, vd, err := value.RefWithData(options, "chromium:try")
	if err != nil {
		t.Fatal(err)
	}
	d, err := value.Digest(options)
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(ref.GetDigest(), d) || ref.GetRealm() != "chromium:try" || ref.GetTypeUrl() != value.TypeURL(options) {
		t.Errorf("ref = %v", ref)
	}
	if d2, _ := value.Digest(vd.GetBinary()); d2.GetSha256() != d.GetSha256() {
		t.Errorf("data digests to %s, ref says %s", d2.GetSha256(), d.GetSha256())
	}
	if d.GetAlgorithm() != orchestratorpb.DigestAlgorithm_DIGEST_ALGORITHM_CANONICAL_SHA256 || len(d.GetSha256()) != 64 {
		t.Errorf("digest = %v", d)
	}
}

func TestLookupReturnsTypedMessage(t *testing.T) {
	refs, data := answer(t, result, options)
	got, err := value.Lookup[*buildpb.BuildCheckResult](refs[0], data)
	if err != nil || !proto.Equal(got, result) {
		t.Errorf("Lookup = %v, %v", got, err)
	}
	opts, err := value.Lookup[*testpb.TestCheckOptions](refs[1], data)
	if err != nil || !proto.Equal(opts, options) {
		t.Errorf("Lookup = %v, %v", opts, err)
	}
}

func TestLookupReadsJSON(t *testing.T) {
	d, err := value.Digest(options)
	if err != nil {
		t.Fatal(err)
	}
	typeURL := value.TypeURL(options)
	js, err := protojson.Marshal(options)
	if err != nil {
		t.Fatal(err)
	}
	ref := orchestratorpb.ValueRef_builder{TypeUrl: proto.String(typeURL), Digest: d}.Build()
	data := map[string]*orchestratorpb.ValueData{d.GetSha256(): orchestratorpb.ValueData_builder{
		Json: orchestratorpb.JsonValue_builder{TypeUrl: proto.String(typeURL), Json: proto.String(string(js))}.Build(),
	}.Build()}
	got, err := value.Lookup[*testpb.TestCheckOptions](ref, data)
	if err != nil || !proto.Equal(got, options) {
		t.Errorf("Lookup(JSON) = %v, %v", got, err)
	}
	data[d.GetSha256()].GetJson().SetJson("{not json")
	if _, err := value.Lookup[*testpb.TestCheckOptions](ref, data); err == nil {
		t.Error("bad JSON should be an error")
	}
}

func TestOmittedValueReportsReason(t *testing.T) {
	seen := 0
	for r := range orchestratorpb.OmissionReason_name {
		if r == 0 {
			continue
		}
		reason := orchestratorpb.OmissionReason(r)
		ref := orchestratorpb.ValueRef_builder{
			TypeUrl: proto.String(value.TypeURL(result)),
			Omitted: reason.Enum(),
		}.Build()
		_, err := value.Lookup[*buildpb.BuildCheckResult](ref, nil)
		var omitted *value.OmittedError
		if !errors.As(err, &omitted) || omitted.Reason != reason {
			t.Errorf("reason %s: err = %v", reason, err)
		}
		if errors.Is(err, value.ErrMissing) || errors.Is(err, value.ErrWrongType) {
			t.Errorf("reason %s: an omission is neither missing nor of the wrong type", reason)
		}
		seen++
	}
	if seen == 0 {
		t.Fatal("no omission reasons")
	}
}

func TestWrongTypeAndMissingData(t *testing.T) {
	refs, data := answer(t, result)
	if _, err := value.Lookup[*buildpb.BuildCheckOptions](refs[0], data); !errors.Is(err, value.ErrWrongType) {
		t.Errorf("wrong type: err = %v", err)
	}
	if _, err := value.Lookup[*buildpb.BuildCheckResult](refs[0], nil); !errors.Is(err, value.ErrMissing) {
		t.Errorf("missing data: err = %v", err)
	}
	noDigest := orchestratorpb.ValueRef_builder{TypeUrl: proto.String(refs[0].GetTypeUrl())}.Build()
	if _, err := value.Lookup[*buildpb.BuildCheckResult](noDigest, data); !errors.Is(err, value.ErrMissing) {
		t.Errorf("no digest: err = %v", err)
	}
	if _, err := value.Lookup[*buildpb.BuildCheckResult](nil, data); !errors.Is(err, value.ErrMissing) {
		t.Errorf("nil ref: err = %v", err)
	}
	// The data holds another type than the reference claims.
	other, otherData := answer(t, options)
	other[0].SetTypeUrl(refs[0].GetTypeUrl())
	if _, err := value.Lookup[*buildpb.BuildCheckResult](other[0], otherData); !errors.Is(err, value.ErrWrongType) {
		t.Errorf("mismatched data: err = %v", err)
	}
}

func TestFind(t *testing.T) {
	refs, data := answer(t, result, options)
	got, found, err := value.Find[*testpb.TestCheckOptions](refs, data)
	if err != nil || !found || !proto.Equal(got, options) {
		t.Errorf("Find = %v, %v, %v", got, found, err)
	}
	if _, found, err := value.Find[*buildpb.BuildCheckOptions](refs, data); found || err != nil {
		t.Errorf("Find of an absent type = %v, %v", found, err)
	}
	refs[1].SetOmitted(orchestratorpb.OmissionReason_OMISSION_REASON_NO_ACCESS)
	if _, found, err := value.Find[*testpb.TestCheckOptions](refs, data); found || err == nil {
		t.Errorf("Find of an omitted value = %v, %v; want an error", found, err)
	}
}

func TestWrite(t *testing.T) {
	w, err := value.Write(result, "chromium:try")
	if err != nil {
		t.Fatal(err)
	}
	if w.GetRealm() != "chromium:try" || w.GetValue().GetTypeUrl() != value.TypeURL(result) {
		t.Errorf("Write = %v", w)
	}
	if w, _ := value.Write(result, ""); w.HasRealm() {
		t.Errorf("empty realm set: %v", w)
	}
	want, _ := value.Canonical(result)
	if string(w.GetValue().GetValue()) != string(want) {
		t.Error("Write does not hold the canonical encoding")
	}
}
