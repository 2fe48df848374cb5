// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

package turbocidesc_test

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"

	"go.chromium.org/turboci/proto/go/utils/turbocidesc"
)

func ExampleFiles() {
	files, err := turbocidesc.Files()
	if err != nil {
		panic(err)
	}
	d, err := files.FindDescriptorByName("turboci.graph.orchestrator.v1.StageAttemptState")
	if err != nil {
		panic(err)
	}
	state := d.(protoreflect.EnumDescriptor)
	comment := d.ParentFile().SourceLocations().ByDescriptor(d).LeadingComments
	fmt.Println(state.Values().Len() > 1, strings.TrimSpace(comment) != "")
	// Output: true true
}
