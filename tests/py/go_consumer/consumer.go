// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

// Package consumer uses the TurboCI stubs and helpers from outside the
// repository: tests/py/test_consumers.py copies it into a module of its own
// that requires go.chromium.org/turboci/proto/go with a replace.
package consumer

import (
	"fmt"

	buildpb "go.chromium.org/turboci/proto/go/data/build/v1"
	orchestratorpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1"
	"go.chromium.org/turboci/proto/go/utils/ids"
	"go.chromium.org/turboci/proto/go/utils/lifecycle"
	"go.chromium.org/turboci/proto/go/utils/turbocidesc"
	"go.chromium.org/turboci/proto/go/utils/value"
)

// Summary names the check, reads its build result and says whether the
// check's state is final and whether the schema loads.
func Summary(check string, state orchestratorpb.CheckState, ref *orchestratorpb.ValueRef, data map[string]*orchestratorpb.ValueData) (string, error) {
	id, err := ids.Parse(check)
	if err != nil {
		return "", err
	}
	res, err := value.Lookup[*buildpb.BuildCheckResult](ref, data)
	if err != nil {
		return "", err
	}
	files, err := turbocidesc.Files()
	if err != nil {
		return "", err
	}
	return fmt.Sprint(id.GetCheck().GetId(), " ", res.GetStatus(), " final=", lifecycle.IsFinal(state), " files=", files.NumFiles() > 0), nil
}
