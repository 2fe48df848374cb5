// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

package turbocidesc

import (
	"bytes"
	"compress/gzip"
	"errors"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"

	orchestratorpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1"
)

func TestBundleMatchesTheLinkedStubs(t *testing.T) {
	reg, err := Files()
	if err != nil {
		t.Fatal(err)
	}
	_ = &orchestratorpb.WorkPlan{} // links the orchestrator's files, and their imports
	compared := 0
	reg.RangeFiles(func(f protoreflect.FileDescriptor) bool {
		linked, err := protoregistry.GlobalFiles.FindFileByPath(f.Path())
		if err != nil || !strings.HasPrefix(f.Path(), "turboci/") {
			// A package this test does not link, or an import whose Go
			// stubs come from another version (genproto's google/api).
			return true
		}
		have := protodesc.ToFileDescriptorProto(f)
		have.SourceCodeInfo = nil
		if !proto.Equal(protodesc.ToFileDescriptorProto(linked), have) {
			t.Errorf("the bundle's %s differs from the linked stubs'", f.Path())
		}
		compared++
		return true
	})
	if compared < 20 {
		t.Errorf("compared only %d files with the linked stubs", compared)
	}
}

func TestBundleHasComments(t *testing.T) {
	reg, err := Files()
	if err != nil {
		t.Fatal(err)
	}
	d, err := reg.FindDescriptorByName("turboci.graph.orchestrator.v1.StageAttemptState")
	if err != nil {
		t.Fatal(err)
	}
	comment := d.ParentFile().SourceLocations().ByDescriptor(d).LeadingComments
	if !strings.Contains(comment, "attempt") {
		t.Errorf("no source info: leading comment %q", comment)
	}
}

func TestFileDescriptorSetIsTheCallers(t *testing.T) {
	a, err := FileDescriptorSet()
	if err != nil {
		t.Fatal(err)
	}
	a.File = nil
	b, err := FileDescriptorSet()
	if err != nil || len(b.GetFile()) == 0 {
		t.Fatalf("a changed set changed the next: %v", err)
	}
}

func gzipped(t *testing.T, raw []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func set(t *testing.T, files ...protoreflect.FileDescriptor) []byte {
	t.Helper()
	fds := &descriptorpb.FileDescriptorSet{}
	for _, f := range files {
		fds.File = append(fds.File, protodesc.ToFileDescriptorProto(f))
	}
	raw, err := proto.Marshal(fds)
	if err != nil {
		t.Fatal(err)
	}
	return gzipped(t, raw)
}

func TestBadBundles(t *testing.T) {
	workPlan := (&orchestratorpb.WorkPlan{}).ProtoReflect().Descriptor().ParentFile()
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "not gzip data"},
		{"not gzip", []byte("FileDescriptorSet"), "not gzip data"},
		{"truncated", bundle[:len(bundle)/2], "truncated or corrupt"},
		{"truncated trailer", bundle[:len(bundle)-4], "truncated or corrupt"},
		{"not a set", gzipped(t, []byte{0xff, 0xff}), "not a FileDescriptorSet"},
		{"another schema", set(t, descriptorpb.File_google_protobuf_descriptor_proto), "not the TurboCI API"},
		{"not self-contained", set(t, workPlan), "do not make a whole schema"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Parse(tc.data)
			if !errors.Is(err, ErrInvalidBundle) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse() = %v, want an ErrInvalidBundle saying %q", err, tc.want)
			}
		})
	}
}
