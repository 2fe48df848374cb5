// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

// Package reftest starts the Python reference orchestrator
// (`python -m turboci.testing serve`) as a subprocess for Go tests, on a
// free port of 127.0.0.1, and stops it when the test ends.
//
// The interpreter is the one named by $TURBOCI_PYTHON (./build.py test sets
// it); without it the test is skipped. The reference's Python packages are
// found through $PYTHONPATH when it is set, else in the py/ folder of the
// checkout this file belongs to.
package reftest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// startTimeout bounds how long the reference may take to print its address
// (starting Python and importing grpc, on a loaded machine).
const startTimeout = 60 * time.Second

// Option configures Start.
type Option func(*config)

type config struct {
	executors []string
	tick      time.Duration
}

// WithExecutor routes the stages whose args have the type URL argsTypeURL
// to the stage executor listening at target ("host:port").
func WithExecutor(argsTypeURL, target string) Option {
	return func(c *config) { c.executors = append(c.executors, argsTypeURL+"="+target) }
}

// WithTick sets the time between the orchestrator's own rounds (default
// 50ms, so tests do not wait on it).
func WithTick(d time.Duration) Option {
	return func(c *config) { c.tick = d }
}

// Server is a running reference orchestrator.
type Server struct {
	// Addr is where it listens, "127.0.0.1:PORT".
	Addr string
}

// syncBuffer collects the subprocess's stderr for the test log.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Python returns $TURBOCI_PYTHON, skipping the test when it is not set.
func Python(t testing.TB) string {
	t.Helper()
	py := os.Getenv("TURBOCI_PYTHON")
	if py == "" {
		t.Skip("reftest: TURBOCI_PYTHON is not set; ./build.py test sets it to run the tests against the reference orchestrator")
	}
	return py
}

// PythonPath returns the PYTHONPATH under which the reference's packages
// import: the caller's $PYTHONPATH, else the checkout's py/ folder.
func PythonPath() string {
	if p := os.Getenv("PYTHONPATH"); p != "" {
		return p
	}
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return ""
	}
	// This file is <repo>/go/internal/reftest/reftest.go.
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "py")
}

// Start runs the reference orchestrator and returns once it listens. It is
// stopped (SIGTERM, then SIGKILL after 5s) at t.Cleanup; its stderr is
// logged when the test fails.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	py := Python(t)
	cfg := config{tick: 50 * time.Millisecond}
	for _, o := range opts {
		o(&cfg)
	}
	args := []string{"-m", "turboci.testing", "serve", "--port", "0",
		"--tick", fmt.Sprintf("%g", cfg.tick.Seconds())}
	for _, e := range cfg.executors {
		args = append(args, "--executor", e)
	}
	cmd := exec.Command(py, args...)
	cmd.Env = append(os.Environ(), "PYTHONPATH="+PythonPath())
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("reftest: %v", err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("reftest: cannot start %s: %v", py, err)
	}
	exited := make(chan struct{})
	shown := false // stderr already in a failure message
	lines := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		line, _ := r.ReadString('\n')
		lines <- line
		_, _ = io.Copy(io.Discard, r) // never let a full pipe block it
	}()
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() && !shown && stderr.String() != "" {
			t.Logf("reference orchestrator's stderr:\n%s", stderr.String())
		}
	})
	var line string
	select {
	case line = <-lines:
	case <-time.After(startTimeout):
		shown = true
		t.Fatalf("reftest: the reference orchestrator printed nothing in %v; stderr:\n%s", startTimeout, stderr.String())
	}
	const marker = "listening on "
	i := strings.Index(line, marker)
	if i < 0 {
		select { // it failed: its whole stderr is the story
		case <-exited:
		case <-time.After(5 * time.Second):
		}
		shown = true
		t.Fatalf("reftest: the reference orchestrator did not start (stdout %q); stderr:\n%s", line, stderr.String())
	}
	return &Server{Addr: strings.TrimSpace(line[i+len(marker):])}
}

// Dial returns a plaintext connection to the server, closed at t.Cleanup.
func (s *Server) Dial(t testing.TB, opts ...grpc.DialOption) *grpc.ClientConn {
	t.Helper()
	opts = append([]grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}, opts...)
	conn, err := grpc.NewClient(s.Addr, opts...)
	if err != nil {
		t.Fatalf("reftest: dial %s: %v", s.Addr, err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}
