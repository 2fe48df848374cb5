// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

// Command lifecycles prints, as JSON, what go/utils/lifecycle answers for
// every value of every lifecycle enum (and for one number past them), so
// that tests/api/test_lifecycle.py can check that the Go helpers agree with
// the "Next states:" comments they were generated from.
//
//	lifecycles > answers.json
//
// The output maps each enum's full name to its initial states, its final
// states, each value's next states and every pair CanTransition allows.
package main

import (
	"encoding/json"
	"os"
	"strconv"

	"google.golang.org/protobuf/reflect/protoreflect"

	orchestratorpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1"
	"go.chromium.org/turboci/proto/go/utils/lifecycle"
)

type answers struct {
	Initial     []string            `json:"initial"`
	Final       []string            `json:"final"`
	Next        map[string][]string `json:"next"`
	Transitions [][2]string         `json:"transitions"`
}

type enum interface {
	lifecycle.State
	Descriptor() protoreflect.EnumDescriptor
}

func name[S enum](s S) string {
	if v := s.Descriptor().Values().ByNumber(protoreflect.EnumNumber(s)); v != nil {
		return string(v.Name())
	}
	return strconv.Itoa(int(s))
}

func ask[S enum]() (string, answers) {
	var zero S
	values := zero.Descriptor().Values()
	all := make([]S, 0, values.Len()+1)
	for i := range values.Len() {
		all = append(all, S(values.Get(i).Number()))
	}
	all = append(all, S(1000)) // no value of any enum: no state either
	a := answers{Next: map[string][]string{}}
	for _, s := range lifecycle.InitialStates[S]() {
		a.Initial = append(a.Initial, name(s))
	}
	for _, from := range all {
		if lifecycle.IsFinal(from) {
			a.Final = append(a.Final, name(from))
		}
		next := []string{}
		for _, s := range lifecycle.NextStates(from) {
			next = append(next, name(s))
		}
		a.Next[name(from)] = next
		for _, to := range all {
			if lifecycle.CanTransition(from, to) {
				a.Transitions = append(a.Transitions, [2]string{name(from), name(to)})
			}
		}
	}
	return string(zero.Descriptor().FullName()), a
}

func main() {
	out := map[string]answers{}
	for _, f := range []func() (string, answers){
		ask[orchestratorpb.CheckState],
		ask[orchestratorpb.StageState],
		ask[orchestratorpb.StageAttemptState],
	} {
		k, v := f()
		out[k] = v
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		os.Exit(1)
	}
}
