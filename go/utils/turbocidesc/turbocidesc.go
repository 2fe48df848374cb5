// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

// Package turbocidesc ships the TurboCI API's schema: every .proto file of
// the API and of its imports as one FileDescriptorSet, with source info
// (comments and positions), for tools that read the API at run time
// (reflection, dynamic messages, documentation, linters).
//
// The bundle, turboci.binpb.gz, is written by ./build.py gen from the same
// compile as the stubs, and embedded here; Python ships the same bytes in
// turboci.utils.descriptors.
package turbocidesc

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"sync"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
)

//go:embed turboci.binpb.gz
var bundle []byte

// Marker is a message every bundle of the TurboCI API defines; a bundle
// without it is of another schema.
const Marker = "turboci.graph.orchestrator.v1.WorkPlan"

// ErrInvalidBundle is wrapped by every error about a bundle that is not a
// whole TurboCI API: truncated or not gzip, not a FileDescriptorSet, not
// self-contained, or of another schema.
var ErrInvalidBundle = errors.New("invalid TurboCI descriptor bundle")

// Bundle returns the embedded bundle: a gzipped FileDescriptorSet. The
// slice is the caller's.
func Bundle() []byte {
	return bytes.Clone(bundle)
}

// FileDescriptorSet returns the embedded bundle, parsed; every call returns
// a new message, which the caller may change.
func FileDescriptorSet() (*descriptorpb.FileDescriptorSet, error) {
	set, _, err := Parse(bundle)
	return set, err
}

var files = sync.OnceValues(func() (*protoregistry.Files, error) {
	_, f, err := Parse(bundle)
	return f, err
})

// Files returns the embedded bundle as a registry of file descriptors,
// built once and shared: look up any message, enum or service of the API
// by name, with its comments.
func Files() (*protoregistry.Files, error) {
	return files()
}

// Parse reads a bundle (the gzipped FileDescriptorSet that gen writes) and
// checks that it is a whole TurboCI API; errors wrap ErrInvalidBundle.
func Parse(gz []byte) (*descriptorpb.FileDescriptorSet, *protoregistry.Files, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: not gzip data (%d bytes): %v", ErrInvalidBundle, len(gz), err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: truncated or corrupt gzip data (%d bytes): %v", ErrInvalidBundle, len(gz), err)
	}
	set := &descriptorpb.FileDescriptorSet{}
	if err := proto.Unmarshal(raw, set); err != nil {
		return nil, nil, fmt.Errorf("%w: not a FileDescriptorSet: %v", ErrInvalidBundle, err)
	}
	reg, err := protodesc.NewFiles(set)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: its %d files do not make a whole schema: %v", ErrInvalidBundle, len(set.GetFile()), err)
	}
	if _, err := reg.FindDescriptorByName(Marker); err != nil {
		return nil, nil, fmt.Errorf("%w: a schema of %d files without %s, not the TurboCI API", ErrInvalidBundle, len(set.GetFile()), Marker)
	}
	return set, reg, nil
}
