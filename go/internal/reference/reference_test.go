// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

// Package reference_test runs the Python reference orchestrator
// (python -m turboci.testing serve) and drives it from Go over a real
// socket, with a stage executor written in Go, using only the generated
// stubs and go/utils.
package reference_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"

	buildpb "go.chromium.org/turboci/proto/go/data/build/v1"
	executorpb "go.chromium.org/turboci/proto/go/graph/executor/v1"
	executorgrpcpb "go.chromium.org/turboci/proto/go/graph/executor/v1/grpcpb"
	idspb "go.chromium.org/turboci/proto/go/graph/ids/v1"
	orchestratorpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1"
	orchestratorgrpcpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1/grpcpb"
	buildstagespb "go.chromium.org/turboci/proto/go/stages/build/v1"
	"go.chromium.org/turboci/proto/go/utils/value"
)

// python finds the interpreter that has the repository's Python packages:
// $TURBOCI_PYTHON, else the tools venv of the checkout.
func python(t *testing.T) (string, string) {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatalf("reference: cannot find the working directory: %v", err)
	}
	repo := filepath.Clean(filepath.Join(wd, "..", "..", ".."))
	py := os.Getenv("TURBOCI_PYTHON")
	if py == "" {
		py = filepath.Join(repo, "tools", "venv", "bin", "python")
	}
	if _, err := os.Stat(py); err != nil {
		t.Fatalf("reference: no Python at %s (run ./build.py tools, or set TURBOCI_PYTHON)", py)
	}
	return py, filepath.Join(repo, "py")
}

// executor answers every check it is assigned with a BuildCheckResult.
type executor struct {
	executorgrpcpb.UnimplementedTurboCIStageExecutorServer
	orchestrator orchestratorgrpcpb.TurboCIOrchestratorClient
	wg           sync.WaitGroup
	mu           sync.Mutex
	errs         []error
}

func (e *executor) ValidateStage(context.Context, *executorpb.ValidateStageRequest) (*executorpb.ValidateStageResponse, error) {
	return &executorpb.ValidateStageResponse{}, nil
}

func (e *executor) RunStage(_ context.Context, req *executorpb.RunStageRequest) (*executorpb.RunStageResponse, error) {
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		if err := e.work(req); err != nil {
			e.mu.Lock()
			e.errs = append(e.errs, err)
			e.mu.Unlock()
		}
	}()
	return &executorpb.RunStageResponse{}, nil
}

func (e *executor) work(req *executorpb.RunStageRequest) error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	wp := req.GetAttempt().GetStage().GetWorkPlan()
	token := req.GetStageAttemptToken()
	running := orchestratorpb.StageAttemptState_STAGE_ATTEMPT_STATE_RUNNING
	claim := orchestratorpb.StageAttemptWrite_builder{State: &running, ProcessId: proto.String("go-executor:1")}.Build()
	if _, err := e.orchestrator.WriteNodes(ctx, orchestratorpb.WriteNodesRequest_builder{
		WorkPlan: wp, StageAttemptToken: &token, CurrentAttempt: claim,
	}.Build()); err != nil {
		return fmt.Errorf("claim: %w", err)
	}
	status := buildpb.BuildStatus_BUILD_STATUS_SUCCEEDED
	result, err := value.Write(buildpb.BuildCheckResult_builder{Status: &status}.Build(), "")
	if err != nil {
		return err
	}
	var checks []*orchestratorpb.CheckWrite
	for _, a := range req.GetAssignments() {
		checks = append(checks, orchestratorpb.CheckWrite_builder{
			Id: a.GetCheck(), Results: []*orchestratorpb.ValueWrite{result}, FinalizeResult: proto.Bool(true),
		}.Build())
	}
	complete := orchestratorpb.StageAttemptState_STAGE_ATTEMPT_STATE_COMPLETE
	_, err = e.orchestrator.WriteNodes(ctx, orchestratorpb.WriteNodesRequest_builder{
		WorkPlan: wp, StageAttemptToken: &token, Checks: checks,
		CurrentAttempt: orchestratorpb.StageAttemptWrite_builder{State: &complete}.Build(),
	}.Build())
	if err != nil {
		return fmt.Errorf("complete: %w", err)
	}
	return nil
}

func TestGoExecutorAgainstThePythonReference(t *testing.T) {
	py, pyPath := python(t)

	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	ex := &executor{}
	server := grpc.NewServer()
	executorgrpcpb.RegisterTurboCIStageExecutorServer(server, ex)
	go server.Serve(lis)
	defer server.Stop()

	argsType := value.TypeURL(&buildstagespb.BuildStageArgs{})
	cmd := exec.Command(py, "-m", "turboci.testing", "serve", "--port", "0", "--tick", "0.05",
		"--executor", argsType+"="+lis.Addr().String())
	cmd.Env = append(os.Environ(), "PYTHONPATH="+pyPath)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("pipe: %v", err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("reference: cannot start %s: %v", py, err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.Contains(line, "listening on ") {
		t.Fatalf("reference: did not print its address (got %q, %v)", line, err)
	}
	addr := strings.TrimSpace(line[strings.LastIndex(line, " ")+1:])

	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	defer conn.Close()
	client := orchestratorgrpcpb.NewTurboCIOrchestratorClient(conn)
	ex.orchestrator = client

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	args, err := value.Write(&buildstagespb.BuildStageArgs{}, "")
	if err != nil {
		t.Fatal(err)
	}
	kind := orchestratorpb.CheckKind_CHECK_KIND_BUILD
	planned := orchestratorpb.CheckState_CHECK_STATE_PLANNED
	created, err := client.CreateWorkPlan(ctx, orchestratorpb.CreateWorkPlanRequest_builder{
		Workflow: proto.String("go/reference"),
		Realm:    proto.String("go:test"),
		Checks: []*orchestratorpb.CheckWrite{orchestratorpb.CheckWrite_builder{
			Id: idspb.CheckId_builder{Id: proto.String("build")}.Build(), Kind: &kind, State: &planned,
		}.Build()},
		Stages: []*orchestratorpb.StageWrite{orchestratorpb.StageWrite_builder{
			Id:   idspb.StageId_builder{Id: proto.String("compile")}.Build(),
			Args: args,
			Assignments: []*orchestratorpb.Assignment{orchestratorpb.Assignment_builder{
				Check: idspb.CheckId_builder{Id: proto.String("build")}.Build(),
			}.Build()},
		}.Build()},
	}.Build())
	if err != nil {
		t.Fatalf("CreateWorkPlan: %v", err)
	}

	query := orchestratorpb.QueryNodesRequest_builder{Query: orchestratorpb.NodeQuery_builder{
		WorkPlan: created.GetWorkPlan(),
		Nodes: []*idspb.Identifier{idspb.Identifier_builder{
			Check: idspb.CheckId_builder{Id: proto.String("build")}.Build(),
		}.Build()},
		Include: orchestratorpb.NodeQuery_Include_builder{Results: proto.Bool(true)}.Build(),
	}.Build()}.Build()
	var check *orchestratorpb.Check
	for {
		answer, err := client.QueryNodes(ctx, query)
		if err != nil {
			t.Fatalf("QueryNodes: %v", err)
		}
		check = answer.GetWorkPlan().GetChecks()[0]
		if check.GetState() == orchestratorpb.CheckState_CHECK_STATE_FINAL {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the check did not conclude: still %v", check.GetState())
		case <-time.After(50 * time.Millisecond):
		}
	}
	if got := check.GetConclusion().GetReason(); got != orchestratorpb.CheckConclusion_REASON_STAGES_ENDED {
		t.Errorf("conclusion = %v, want REASON_STAGES_ENDED", got)
	}
	if n := len(check.GetResults()); n != 1 {
		t.Errorf("%d results, want 1", n)
	}
	ex.wg.Wait()
	for _, err := range ex.errs {
		t.Errorf("executor: %v", err)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("the reference did not exit cleanly on SIGTERM: %v", err)
	}
}
