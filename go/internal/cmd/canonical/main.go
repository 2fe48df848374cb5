// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

// Command canonical reads values and writes their canonical encoding and
// digest, as computed by go/utils/value, so that the Python tests can check
// that Go agrees with Python on values they generate at random.
//
//	canonical MODULE_ROOT < cases.jsonl > results.jsonl
//
// Each input line is {"input_hex": "<google.protobuf.Any bytes>"}; each
// output line is {"canonical_hex", "sha256", "size_bytes"} or {"error"}.
// The test-only types of go/testdata/vectors.json are known too.
package main

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	"go.chromium.org/turboci/proto/go/internal/vectors"
	"go.chromium.org/turboci/proto/go/utils/value"
)

type result struct {
	CanonicalHex string `json:"canonical_hex,omitempty"`
	Sha256       string `json:"sha256,omitempty"`
	SizeBytes    int64  `json:"size_bytes,omitempty"`
	Error        string `json:"error,omitempty"`
}

var kinds = []struct {
	err  error
	name string
}{
	{value.ErrUnknownFields, "unknown_fields"},
	{value.ErrUnresolvableType, "unresolvable_type"},
	{value.ErrMalformedAny, "malformed_any"},
	{value.ErrExtension, "extension"},
	{value.ErrInvalidString, "invalid_string"},
}

func compute(opts value.Options, line []byte) result {
	var in struct {
		InputHex string `json:"input_hex"`
	}
	if err := json.Unmarshal(line, &in); err != nil {
		return result{Error: "bad input line: " + err.Error()}
	}
	raw, err := hex.DecodeString(in.InputHex)
	if err != nil {
		return result{Error: "bad hex: " + err.Error()}
	}
	packed := &anypb.Any{}
	if err := proto.Unmarshal(raw, packed); err != nil {
		return result{Error: "not an Any: " + err.Error()}
	}
	b, err := opts.Canonical(packed)
	if err == nil {
		var d interface {
			GetSha256() string
			GetSizeBytes() int64
		}
		if d, err = opts.Digest(packed); err == nil {
			return result{CanonicalHex: hex.EncodeToString(b), Sha256: d.GetSha256(), SizeBytes: d.GetSizeBytes()}
		}
	}
	for _, k := range kinds {
		if errors.Is(err, k.err) {
			return result{Error: k.name}
		}
	}
	return result{Error: err.Error()}
}

func run() error {
	if len(os.Args) != 2 {
		return errors.New("usage: canonical MODULE_ROOT < cases.jsonl")
	}
	f, err := vectors.Load(os.Args[1])
	if err != nil {
		return err
	}
	r, err := f.NewResolver()
	if err != nil {
		return err
	}
	opts := value.Options{Resolver: r}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<26)
	out := bufio.NewWriter(os.Stdout)
	enc := json.NewEncoder(out)
	for in.Scan() {
		if err := enc.Encode(compute(opts, in.Bytes())); err != nil {
			return err
		}
	}
	if err := in.Err(); err != nil {
		return err
	}
	return out.Flush()
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "canonical:", err)
		os.Exit(1)
	}
}
