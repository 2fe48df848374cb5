// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

package value_test

import (
	"errors"
	"fmt"

	buildpb "go.chromium.org/turboci/proto/go/data/build/v1"
	testpb "go.chromium.org/turboci/proto/go/data/test/v1"
	orchestratorpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1"
	"go.chromium.org/turboci/proto/go/utils/value"
)

// A check's result, read from an answer of the orchestrator: the check
// holds references, the answer holds the data.
func ExampleLookup() {
	// What an answer looks like; RefWithData builds it for tests.
	ref, data, _ := value.RefWithData(buildpb.BuildCheckResult_builder{
		Status: buildpb.BuildStatus_BUILD_STATUS_SUCCEEDED.Enum(),
	}.Build(), "")
	valueData := map[string]*orchestratorpb.ValueData{ref.GetDigest().GetSha256(): data}

	res, err := value.Lookup[*buildpb.BuildCheckResult](ref, valueData)
	if err != nil {
		panic(err)
	}
	fmt.Println(res.GetStatus())

	// A value the reader may not see is an *OmittedError with the reason.
	ref.SetOmitted(orchestratorpb.OmissionReason_OMISSION_REASON_NO_ACCESS)
	_, err = value.Lookup[*buildpb.BuildCheckResult](ref, valueData)
	var omitted *value.OmittedError
	fmt.Println(errors.As(err, &omitted), omitted.Reason)
	// Output:
	// BUILD_STATUS_SUCCEEDED
	// true OMISSION_REASON_NO_ACCESS
}

// Find picks a value by type among a check's options.
func ExampleFind() {
	ref, data, _ := value.RefWithData(testpb.TestCheckOptions_builder{Suites: []string{"base_unittests"}}.Build(), "")
	valueData := map[string]*orchestratorpb.ValueData{ref.GetDigest().GetSha256(): data}

	opts, found, err := value.Find[*testpb.TestCheckOptions]([]*orchestratorpb.ValueRef{ref}, valueData)
	fmt.Println(opts.GetSuites(), found, err)
	_, found, err = value.Find[*buildpb.BuildCheckOptions]([]*orchestratorpb.ValueRef{ref}, valueData)
	fmt.Println(found, err)
	// Output:
	// [base_unittests] true <nil>
	// false <nil>
}

// Write packs a value for a CheckWrite or StageWrite.
func ExampleWrite() {
	w, err := value.Write(testpb.TestCheckOptions_builder{Suites: []string{"net_unittests"}}.Build(), "chromium:try")
	if err != nil {
		panic(err)
	}
	fmt.Println(w.GetValue().GetTypeUrl(), w.GetRealm())
	// Output: type.googleapis.com/turboci.data.test.v1.TestCheckOptions chromium:try
}

// The digest does not depend on map order or on the language.
func ExampleDigest() {
	d, err := value.Digest(testpb.TestCheckOptions_builder{
		Variant: map[string]string{"os_version": "22.04", "os": "linux"},
	}.Build())
	if err != nil {
		panic(err)
	}
	fmt.Println(d.GetAlgorithm(), d.GetSizeBytes())
	// Output: DIGEST_ALGORITHM_CANONICAL_SHA256 95
}

// Canonical gives the bytes the digest is taken over.
func ExampleCanonical() {
	b, err := value.Canonical(testpb.TestCheckOptions_builder{
		Variant: map[string]string{"os_version": "b", "os": "a"},
	}.Build())
	if err != nil {
		panic(err)
	}
	fmt.Printf("%x\n", b)
	// Output: 12070a026f73120161120f0a0a6f735f76657273696f6e120162
}
