// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

// Command client drives a TurboCI orchestrator with the Go client library:
// it creates a workplan holding one build check and one stage that answers
// it, waits until the check is final, and prints the check's result.
//
//	go run ./client 127.0.0.1:50051
//
// The stage needs an executor for BuildStageArgs registered with the
// orchestrator (for the reference orchestrator:
// python -m turboci.testing serve --executor
// type.googleapis.com/turboci.stages.build.v1.BuildStageArgs=HOST:PORT).
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"

	buildpb "go.chromium.org/turboci/proto/go/data/build/v1"
	idspb "go.chromium.org/turboci/proto/go/graph/ids/v1"
	orchestratorpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1"
	buildstagespb "go.chromium.org/turboci/proto/go/stages/build/v1"
	"go.chromium.org/turboci/proto/go/utils/client"
	"go.chromium.org/turboci/proto/go/utils/value"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: client ORCHESTRATOR_ADDRESS (e.g. 127.0.0.1:50051)")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "client:", err)
		os.Exit(1)
	}
}

func run(address string) error {
	// Plaintext suits a local reference orchestrator; use real transport
	// credentials for anything else. Every call names its caller.
	c, err := client.Dial(address, insecure.NewCredentials(),
		client.WithMetadata(metadata.Pairs("turboci-user", "guide@example.com")))
	if err != nil {
		return err
	}
	defer c.Close()

	// Calls without a deadline of their own get the client's (30s by
	// default), which covers their retries.
	ctx := context.Background()

	// The stage's args select its executor (by their type) and tell it
	// what to do.
	args, err := value.Write(buildstagespb.BuildStageArgs_builder{Builder: proto.String("linux-release")}.Build(), "")
	if err != nil {
		return err
	}
	check := idspb.CheckId_builder{Id: proto.String("build")}.Build()

	// CreateWorkPlan gets a request_id from the client, so a retry after a
	// lost answer cannot create a second workplan.
	created, err := c.CreateWorkPlan(ctx, orchestratorpb.CreateWorkPlanRequest_builder{
		Workflow: proto.String("guides/client"),
		Realm:    proto.String("guides:ci"),
		Checks: []*orchestratorpb.CheckWrite{orchestratorpb.CheckWrite_builder{
			Id:    check,
			Kind:  orchestratorpb.CheckKind_CHECK_KIND_BUILD.Enum(),
			State: orchestratorpb.CheckState_CHECK_STATE_PLANNED.Enum(), // ready to be answered
		}.Build()},
		Stages: []*orchestratorpb.StageWrite{orchestratorpb.StageWrite_builder{
			Id:          idspb.StageId_builder{Id: proto.String("compile")}.Build(),
			Args:        args,
			Assignments: []*orchestratorpb.Assignment{orchestratorpb.Assignment_builder{Check: check}.Build()},
		}.Build()},
	}.Build())
	if err != nil {
		return err
	}
	wp := created.GetWorkPlan()
	fmt.Printf("created workplan %s\n", wp.GetId())

	// Wait on the workplan's watch until the check is FINAL, reading it
	// with its results' data (only the types asked for come back). Waiting
	// takes as long as the context allows.
	waitCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	answer, err := c.WaitFor(waitCtx, orchestratorpb.QueryNodesRequest_builder{
		Query: orchestratorpb.NodeQuery_builder{
			WorkPlan: wp,
			Nodes:    []*idspb.Identifier{idspb.Identifier_builder{Check: check}.Build()},
			Include:  orchestratorpb.NodeQuery_Include_builder{Results: proto.Bool(true)}.Build(),
		}.Build(),
		Values: orchestratorpb.ValueSelection_builder{
			Types: []string{value.TypeURL(&buildpb.BuildCheckResult{})},
		}.Build(),
	}.Build(), client.ChecksIn(orchestratorpb.CheckState_CHECK_STATE_FINAL))
	if errors.Is(err, client.ErrWorkPlanFinished) {
		return fmt.Errorf("the workplan ended before the check was final")
	}
	if err != nil {
		// An *client.Error says why: its code, reason and details.
		var e *client.Error
		if errors.As(err, &e) && e.Reason != "" {
			return fmt.Errorf("%s refused: %s (%s)", e.Method, e.Reason, e.Message)
		}
		return err
	}

	// A final check holds its results; each is a set of values.
	final := answer.GetChecks()[0]
	fmt.Printf("check %s is %s (%s)\n", final.GetId().GetId(), final.GetState(), final.GetConclusion().GetReason())
	for _, r := range final.GetResults() {
		result, found, err := value.Find[*buildpb.BuildCheckResult](r.GetData(), answer.GetValueData())
		if err != nil {
			return err
		}
		if found {
			fmt.Printf("result: build %s\n", result.GetStatus())
		}
	}
	return nil
}
