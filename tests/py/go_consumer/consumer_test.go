// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

package consumer

import (
	"fmt"

	buildpb "go.chromium.org/turboci/proto/go/data/build/v1"
	orchestratorpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1"
	"go.chromium.org/turboci/proto/go/utils/value"
)

func ExampleSummary() {
	res := buildpb.BuildCheckResult_builder{Status: buildpb.BuildStatus_BUILD_STATUS_SUCCEEDED.Enum()}.Build()
	ref, data, err := value.RefWithData(res, "chromium:try")
	if err != nil {
		panic(err)
	}
	valueData := map[string]*orchestratorpb.ValueData{ref.GetDigest().GetSha256(): data}
	fmt.Println(Summary("Wplan:Cbuild/linux", orchestratorpb.CheckState_CHECK_STATE_FINAL, ref, valueData))
	// Output: build/linux BUILD_STATUS_SUCCEEDED final=true files=true <nil>
}
