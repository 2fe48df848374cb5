// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

package ids_test

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	idspb "go.chromium.org/turboci/proto/go/graph/ids/v1"
	"go.chromium.org/turboci/proto/go/utils/ids"
)

func ExampleFormat() {
	attempt := idspb.StageAttemptId_builder{
		Stage: idspb.StageId_builder{
			WorkPlan: idspb.WorkPlanId_builder{Id: proto.String("20260302-ps-4f1c")}.Build(),
			Id:       proto.String("build-linux"),
		}.Build(),
		Number: proto.Int32(2),
	}.Build()
	s, err := ids.Format(attempt)
	fmt.Println(s, err)
	// Output: W20260302-ps-4f1c:Sbuild-linux:A2 <nil>
}

func ExampleParse() {
	id, err := ids.Parse("W20260302-ps-4f1c:Cbuild/linux:R1")
	if err != nil {
		panic(err)
	}
	fmt.Println(id.WhichType(), id.GetCheckResult().GetCheck().GetId(), id.GetCheckResult().GetNumber())
	_, err = ids.Parse("W20260302-ps-4f1c:Sbuild:A0")
	fmt.Println(err)
	// Output:
	// check_result build/linux 1
	// invalid TurboCI ID: "W20260302-ps-4f1c:Sbuild:A0": invalid stage attempt number "0"
}

func ExampleParseAs() {
	check, err := ids.ParseAs[*idspb.CheckId]("Wplan:Cbuild/linux")
	fmt.Println(check.GetWorkPlan().GetId(), check.GetId(), err)
	_, err = ids.ParseAs[*idspb.CheckId]("Wplan:Sbuild")
	fmt.Println(err)
	// Output:
	// plan build/linux <nil>
	// invalid TurboCI ID: "Wplan:Sbuild" is a StageId, not a CheckId
}
