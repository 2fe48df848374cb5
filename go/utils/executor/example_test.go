// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

package executor_test

import (
	"context"
	"errors"
	"log"
	"net"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	buildpb "go.chromium.org/turboci/proto/go/data/build/v1"
	orchestratorpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1"
	buildstagespb "go.chromium.org/turboci/proto/go/stages/build/v1"
	"go.chromium.org/turboci/proto/go/utils/executor"
)

func Example() {
	run := func(ctx context.Context, a *executor.Attempt[*buildstagespb.BuildStageArgs]) error {
		if a.Args().GetBuilder() == "" {
			// Never retried: a retry would meet the same args.
			return executor.Reject(errors.New("no builder"))
		}
		// ... build, returning soon after ctx is done ...
		return a.WriteResults(ctx, buildpb.BuildCheckResult_builder{
			Status: buildpb.BuildStatus_BUILD_STATUS_SUCCEEDED.Enum(),
		}.Build())
	}
	srv := executor.New(run,
		executor.WithValidate(func(_ context.Context, args *buildstagespb.BuildStageArgs, _ *orchestratorpb.ExecutionPolicy) (*orchestratorpb.ExecutionPolicy, error) {
			if args.GetBuilder() == "" {
				return nil, errors.New("builder: required")
			}
			return nil, nil // the policy as asked
		}),
		// A local reference orchestrator speaks plaintext.
		executor.WithDialOptions(grpc.WithTransportCredentials(insecure.NewCredentials())),
	)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	gs := grpc.NewServer()
	srv.Register(gs)
	// Register lis.Addr() with the orchestrator for srv.ArgsType(), then:
	go func() { _ = gs.Serve(lis) }()
	gs.GracefulStop()
	srv.Wait()
	_ = srv.Close()
}
