// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

// Command executor serves a TurboCI stage executor for build stages
// (turboci.stages.build.v1.BuildStageArgs) with the Go executor library:
// each attempt reports its progress, then answers its build checks with a
// turboci.data.build.v1.BuildCheckResult.
//
//	go run ./executor 0
//
// It listens on 127.0.0.1 at the port given (0 picks a free one) and
// prints "turboci executor listening on ADDRESS" as its first line.
// Register that address with the orchestrator (for the reference
// orchestrator:
// python -m turboci.testing serve --executor
// type.googleapis.com/turboci.stages.build.v1.BuildStageArgs=ADDRESS).
// It stops on SIGINT or SIGTERM, once the attempts it runs have ended.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"

	buildpb "go.chromium.org/turboci/proto/go/data/build/v1"
	commonpb "go.chromium.org/turboci/proto/go/data/common/v1"
	orchestratorpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1"
	buildstagespb "go.chromium.org/turboci/proto/go/stages/build/v1"
	"go.chromium.org/turboci/proto/go/utils/executor"
)

// build is the whole of what one attempt does. The library calls it in a
// goroutine of its own once the attempt is claimed, heartbeats while it
// runs, and reports the attempt COMPLETE when it returns nil (INCOMPLETE,
// with a failure kind, when it returns an error or panics). ctx is done
// when the attempt is cancelled or runs out of time.
func build(ctx context.Context, a *executor.Attempt[*buildstagespb.BuildStageArgs]) error {
	builder := a.Args().GetBuilder()
	steps := []string{"fetching sources", "compiling", "linking"}
	for i, step := range steps {
		// Progress is a value recorded on the attempt (its details); each
		// report replaces the previous Display.
		progress := commonpb.Display_builder{
			Title: proto.String(fmt.Sprintf("%s: %s (%d/%d)", builder, step, i+1, len(steps))),
		}.Build()
		if err := a.ReportProgress(ctx, progress); err != nil {
			return err
		}
		// The "work". Stop promptly when ctx is done: the library then
		// reports the attempt cancelled or timed out.
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	// The result answers every build check assigned to the stage.
	result := buildpb.BuildCheckResult_builder{
		Status: buildpb.BuildStatus_BUILD_STATUS_SUCCEEDED.Enum(),
		Artifacts: []*buildpb.BuildArtifact{buildpb.BuildArtifact_builder{
			Name: proto.String("app"),
			Uri:  proto.String("https://artifacts.example/" + builder + "/app"),
		}.Build()},
	}.Build()
	return a.WriteResults(ctx, result)
}

// validate vets a stage when it is written, before any attempt: a stage
// without a builder is refused at once (the writer sees STAGE_REJECTED),
// and the writer's policy is accepted as asked (nil).
func validate(_ context.Context, args *buildstagespb.BuildStageArgs, _ *orchestratorpb.ExecutionPolicy) (*orchestratorpb.ExecutionPolicy, error) {
	if args.GetBuilder() == "" {
		return nil, errors.New("builder: required, e.g. \"chromium/try/linux-rel\"")
	}
	return nil, nil
}

func main() {
	port, err := parsePort(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "executor:", err)
		os.Exit(2)
	}
	if err := serve(port); err != nil {
		fmt.Fprintln(os.Stderr, "executor:", err)
		os.Exit(1)
	}
}

func parsePort(args []string) (int, error) {
	if len(args) != 1 {
		return 0, errors.New("usage: executor PORT (0 picks a free one)")
	}
	port, err := strconv.Atoi(args[0])
	if err != nil || port < 0 || port > 65535 {
		return 0, fmt.Errorf("port %q: want a number from 0 to 65535", args[0])
	}
	return port, nil
}

func serve(port int) error {
	lis, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return err
	}
	srv := executor.New(build,
		executor.WithValidate(validate),
		// Each attempt reports to the orchestrator its RunStage request
		// names. The library dials it with TLS unless told otherwise;
		// plaintext suits a local reference orchestrator only.
		executor.WithDialOptions(grpc.WithTransportCredentials(insecure.NewCredentials())),
	)
	gs := grpc.NewServer()
	srv.Register(gs)
	// The first line says where to reach it, as the Python program's does.
	fmt.Println("turboci executor listening on", lis.Addr().String())

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	served := make(chan error, 1)
	go func() { served <- gs.Serve(lis) }()
	select {
	case err := <-served:
		return err
	case <-stop:
	}
	gs.GracefulStop() // no new attempts
	srv.Wait()        // the running ones end and report
	return srv.Close()
}
