// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

// Package vectors loads go/testdata/vectors.json, the test vectors that the
// Go and Python tests share, with a type resolver for the test-only types
// it defines. Tests of this module use it; it is not part of the API.
package vectors

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"

	// The API types and Struct that the vectors hold.
	_ "go.chromium.org/turboci/proto/go/data/test/v1"
	_ "go.chromium.org/turboci/proto/go/stages/build/v1"
	_ "go.chromium.org/turboci/proto/go/stages/test/v1"
	_ "google.golang.org/protobuf/types/known/structpb"
)

// File is the content of vectors.json.
type File struct {
	SchemaFDSBase64 string `json:"schema_fds_base64"`
	IDs             struct {
		Valid []struct {
			Text string          `json:"text"`
			Kind string          `json:"kind"`
			ID   json.RawMessage `json:"id"`
		} `json:"valid"`
		Malformed []struct {
			Text  string `json:"text"`
			Error string `json:"error"`
		} `json:"malformed"`
		Unformattable []struct {
			ID    json.RawMessage `json:"id"`
			Error string          `json:"error"`
		} `json:"unformattable"`
	} `json:"ids"`
	Values []struct {
		Name         string `json:"name"`
		Type         string `json:"type"`
		Text         string `json:"text"`
		InputHex     string `json:"input_hex"`
		CanonicalHex string `json:"canonical_hex"`
		Sha256       string `json:"sha256"`
		SizeBytes    int64  `json:"size_bytes"`
	} `json:"values"`
	ValueErrors []struct {
		Name     string `json:"name"`
		InputHex string `json:"input_hex"`
		Error    string `json:"error"`
	} `json:"value_errors"`
	// JSONValues are values fetched as JSON, some written by a newer schema.
	JSONValues []struct {
		Name             string   `json:"name"`
		Type             string   `json:"type"`
		JSON             string   `json:"json"`
		HasUnknownFields bool     `json:"has_unknown_fields"`
		Text             string   `json:"text"`
		Ignored          []string `json:"ignored"`
		Complete         bool     `json:"complete"`
		Sha256           *string  `json:"sha256"`
	} `json:"json_values"`
}

// Load reads vectors.json from go/testdata; from a package's tests, whose
// working directory is the package's folder, pass the path up to the
// module root, e.g. Load("../..").
func Load(moduleRoot string) (*File, error) {
	path := filepath.Join(moduleRoot, "testdata", "vectors.json")
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f File
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &f, nil
}

// Resolver finds the test-only types of the schema first, then the
// registered ones.
type Resolver struct {
	Types *dynamicpb.Types
}

// NewResolver builds the test-only types from the embedded FileDescriptorSet.
func (f *File) NewResolver() (*Resolver, error) {
	raw, err := base64.StdEncoding.DecodeString(f.SchemaFDSBase64)
	if err != nil {
		return nil, err
	}
	var fds descriptorpb.FileDescriptorSet
	if err := proto.Unmarshal(raw, &fds); err != nil {
		return nil, err
	}
	files, err := protodesc.NewFiles(&fds)
	if err != nil {
		return nil, err
	}
	return &Resolver{Types: dynamicpb.NewTypes(files)}, nil
}

// FindMessageByName implements protoregistry.MessageTypeResolver.
func (r *Resolver) FindMessageByName(name protoreflect.FullName) (protoreflect.MessageType, error) {
	if mt, err := r.Types.FindMessageByName(name); err == nil && name.Parent() == "canonvectors.v1" {
		return mt, nil
	}
	return protoregistry.GlobalTypes.FindMessageByName(name)
}

// FindMessageByURL implements protoregistry.MessageTypeResolver.
func (r *Resolver) FindMessageByURL(url string) (protoreflect.MessageType, error) {
	if mt, err := r.Types.FindMessageByURL(url); err == nil && mt.Descriptor().FullName().Parent() == "canonvectors.v1" {
		return mt, nil
	}
	return protoregistry.GlobalTypes.FindMessageByURL(url)
}

// FindExtensionByName implements the extension half of a text and JSON
// resolver; the vectors define no extensions.
func (r *Resolver) FindExtensionByName(field protoreflect.FullName) (protoreflect.ExtensionType, error) {
	return protoregistry.GlobalTypes.FindExtensionByName(field)
}

// FindExtensionByNumber implements the extension half of a text and JSON
// resolver.
func (r *Resolver) FindExtensionByNumber(message protoreflect.FullName, field protoreflect.FieldNumber) (protoreflect.ExtensionType, error) {
	return protoregistry.GlobalTypes.FindExtensionByNumber(message, field)
}
