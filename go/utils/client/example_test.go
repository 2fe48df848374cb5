// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

package client_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"

	idspb "go.chromium.org/turboci/proto/go/graph/ids/v1"
	orchestratorpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1"
	"go.chromium.org/turboci/proto/go/utils/client"
)

func ExampleDial() {
	c, err := client.Dial("127.0.0.1:50051", insecure.NewCredentials(),
		client.WithDeadline(10*time.Second),
		client.WithMetadata(metadata.Pairs("turboci-user", "me@example.com")),
		client.WithRetry(client.RetryPolicy{MaxAttempts: 4}))
	if err != nil {
		panic(err)
	}
	defer c.Close()
	_, err = c.ReadWorkPlan(context.Background(), orchestratorpb.ReadWorkPlanRequest_builder{
		WorkPlan: idspb.WorkPlanId_builder{Id: proto.String("plan")}.Build(),
	}.Build())
	var e *client.Error
	if errors.As(err, &e) {
		fmt.Println(e.Code, e.Reason, e.Attempts, e.Retryable())
	}
}

func ExampleClient_Transact() {
	var c *client.Client // from client.New or client.Dial
	var wp *idspb.WorkPlanId
	ctx := context.Background()
	_, err := c.Transact(ctx, wp, func(ctx context.Context, txn *client.Txn) error {
		// What the function reads through txn.Query becomes the write's
		// preconditions: if check "lint" changes before the write, the
		// function runs again on a fresh read.
		answer, err := txn.Query(ctx, orchestratorpb.QueryNodesRequest_builder{
			Query: orchestratorpb.NodeQuery_builder{Nodes: []*idspb.Identifier{idspb.Identifier_builder{
				Check: idspb.CheckId_builder{Id: proto.String("lint")}.Build(),
			}.Build()}}.Build(),
		}.Build())
		if err != nil {
			return err
		}
		if len(answer.GetChecks()) > 0 {
			return client.ErrNothingToWrite // someone planned it already
		}
		txn.Request.SetChecks([]*orchestratorpb.CheckWrite{orchestratorpb.CheckWrite_builder{
			Id:   idspb.CheckId_builder{Id: proto.String("lint")}.Build(),
			Kind: orchestratorpb.CheckKind_CHECK_KIND_TEST.Enum(),
		}.Build()})
		return nil
	})
	if err != nil {
		fmt.Println(err) // "... gave up after 5 attempts: ..." when it kept conflicting
	}
}

func ExampleClient_QueryPages() {
	var c *client.Client
	var wp *idspb.WorkPlanId
	req := orchestratorpb.QueryNodesRequest_builder{
		Query: orchestratorpb.NodeQuery_builder{
			WorkPlan:    wp,
			CheckStates: []orchestratorpb.CheckState{orchestratorpb.CheckState_CHECK_STATE_FINAL},
		}.Build(),
	}.Build()
	// Every page reads the same revision of the workplan.
	for node, err := range client.Nodes(c.QueryPages(context.Background(), req)) {
		if err != nil {
			panic(err)
		}
		fmt.Println(node.Check.GetId().GetId(), node.Page.GetRevision().GetNumber())
	}
}
