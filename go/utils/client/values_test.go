// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

package client_test

import (
	"context"
	"errors"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"

	buildpb "go.chromium.org/turboci/proto/go/data/build/v1"
	idspb "go.chromium.org/turboci/proto/go/graph/ids/v1"
	orchestratorpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1"
	"go.chromium.org/turboci/proto/go/internal/reftest"
	"go.chromium.org/turboci/proto/go/utils/client"
	"go.chromium.org/turboci/proto/go/utils/turbocidesc"
	"go.chromium.org/turboci/proto/go/utils/value"
)

// notLinked is a type of the API this test binary does not link (nothing
// here imports go/data/test/v1): only the descriptor bundle knows it.
const notLinked = "turboci.data.test.v1.TestSummary"

// writeOptions creates check a with these options and returns the refs the
// orchestrator gives them (their data is not requested, so only refs).
func writeOptions(t *testing.T, c *client.Client, opts ...proto.Message) (*idspb.WorkPlanId, []*orchestratorpb.ValueRef) {
	t.Helper()
	w := newCheck("a")
	for _, m := range opts {
		v, err := value.Write(m, "")
		if err != nil {
			t.Fatal(err)
		}
		w.SetOptions(append(w.GetOptions(), v))
	}
	resp, err := c.CreateWorkPlan(testCtx(t), orchestratorpb.CreateWorkPlanRequest_builder{
		Workflow: proto.String("go/values"), Realm: proto.String("test:ci"), Checks: []*orchestratorpb.CheckWrite{w},
	}.Build())
	if err != nil {
		t.Fatalf("CreateWorkPlan: %v", err)
	}
	wp := resp.GetWorkPlan()
	got, err := c.QueryNodes(testCtx(t), orchestratorpb.QueryNodesRequest_builder{
		Query: orchestratorpb.NodeQuery_builder{
			WorkPlan: wp, Nodes: []*idspb.Identifier{checkNode("a")},
			Include: orchestratorpb.NodeQuery_Include_builder{Inputs: proto.Bool(true)}.Build(),
		}.Build(),
	}.Build())
	if err != nil {
		t.Fatal(err)
	}
	refs := got.GetWorkPlan().GetChecks()[0].GetOptions()
	for _, r := range refs {
		if r.GetOmitted() != orchestratorpb.OmissionReason_OMISSION_REASON_NOT_REQUESTED {
			t.Fatalf("ref %v: want its data left out", r)
		}
	}
	return wp, refs
}

func TestValuesAreFetchedByDigestAndDecoded(t *testing.T) {
	if _, err := protoregistry.GlobalTypes.FindMessageByName(notLinked); err == nil {
		t.Fatalf("%s is linked into the test: the test proves nothing", notLinked)
	}
	files, err := turbocidesc.Files()
	if err != nil {
		t.Fatal(err)
	}
	d, err := files.FindDescriptorByName(notLinked)
	if err != nil {
		t.Fatal(err)
	}
	summary := dynamicpb.NewMessage(d.(protoreflect.MessageDescriptor))
	summary.Set(summary.Descriptor().Fields().ByName("passed"), protoreflect.ValueOfInt64(41))
	summary.Set(summary.Descriptor().Fields().ByName("results_url"), protoreflect.ValueOfString("https://example.com/r"))
	build := buildpb.BuildCheckOptions_builder{Platform: proto.String("linux"), Targets: []string{"//a:b", "//c:d"}}.Build()

	c, _ := newClient(t, nil)
	wp, refs := writeOptions(t, c, build, summary)
	byType := map[string]*orchestratorpb.ValueRef{}
	for _, r := range refs {
		byType[r.GetTypeUrl()] = r
	}

	// A linked type decodes as its generated Go type.
	m, err := c.LookupValue(testCtx(t), wp, byType[value.TypeURL(build)])
	if err != nil {
		t.Fatalf("LookupValue: %v", err)
	}
	if got, ok := m.(*buildpb.BuildCheckOptions); !ok || !proto.Equal(got, build) {
		t.Errorf("got %T %v, want %v", m, m, build)
	}

	// One that is not linked decodes as a dynamic message of the bundle.
	m, err = c.LookupValue(testCtx(t), wp, byType["type.googleapis.com/"+notLinked])
	if err != nil {
		t.Fatalf("LookupValue: %v", err)
	}
	if _, ok := m.(*dynamicpb.Message); !ok || !proto.Equal(m, summary) {
		t.Errorf("got %T %v, want the dynamic %v", m, m, summary)
	}

	// Small chunks are put back together.
	ref := byType[value.TypeURL(build)]
	got, err := c.ReadValues(testCtx(t), orchestratorpb.ReadValuesRequest_builder{
		WorkPlan: wp, Digests: []string{ref.GetDigest().GetSha256()}, MaxChunkBytes: proto.Int64(3),
	}.Build())
	if err != nil {
		t.Fatal(err)
	}
	if m, err := client.Decode(got[ref.GetDigest().GetSha256()]); err != nil || !proto.Equal(m, build) {
		t.Errorf("chunked read gave %v, %v", m, err)
	}

	// A digest the workplan does not hold is omitted: an error that says so.
	_, err = c.ReadValues(testCtx(t), orchestratorpb.ReadValuesRequest_builder{
		WorkPlan: wp, Digests: []string{"00" + ref.GetDigest().GetSha256()[2:]},
	}.Build())
	var omitted *value.OmittedError
	if !errors.As(err, &omitted) {
		t.Errorf("err %v, want a *value.OmittedError", err)
	}
}

func TestATypeInNeitherTheProgramNorTheBundleIsRefused(t *testing.T) {
	fd, err := protodesc.NewFile(&descriptorpb.FileDescriptorProto{
		Name: proto.String("example/custom.proto"), Package: proto.String("example.v1"), Syntax: proto.String("proto3"),
		MessageType: []*descriptorpb.DescriptorProto{{
			Name: proto.String("Custom"),
			Field: []*descriptorpb.FieldDescriptorProto{{
				Name: proto.String("name"), Number: proto.Int32(1), JsonName: proto.String("name"),
				Type: descriptorpb.FieldDescriptorProto_TYPE_STRING.Enum(), Label: descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum(),
			}},
		}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	custom := dynamicpb.NewMessage(fd.Messages().Get(0))
	custom.Set(custom.Descriptor().Fields().Get(0), protoreflect.ValueOfString("x"))
	c, _ := newClient(t, nil)
	wp, refs := writeOptions(t, c, custom)
	_, err = c.LookupValue(testCtx(t), wp, refs[0])
	if !errors.Is(err, client.ErrUnknownType) {
		t.Errorf("err %v, want ErrUnknownType", err)
	}
	t.Log(err)
}

// corrupt flips a byte of every chunk ReadValues sends.
type corrupt struct{ grpc.ClientStream }

func (s corrupt) RecvMsg(m any) error {
	err := s.ClientStream.RecvMsg(m)
	if r, ok := m.(*orchestratorpb.ReadValuesResponse); ok && err == nil {
		for _, ch := range r.GetChunks() {
			if b := ch.GetData(); len(b) > 0 {
				b[len(b)-1] ^= 1
			}
		}
	}
	return err
}

func TestDataThatDoesNotMatchItsDigestIsRefused(t *testing.T) {
	srv := reftest.Start(t)
	c := client.New(srv.Dial(t))
	wp, refs := writeOptions(t, c, buildpb.BuildCheckOptions_builder{Platform: proto.String("linux")}.Build())
	bad := client.New(srv.Dial(t, grpc.WithStreamInterceptor(func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
		s, err := streamer(ctx, desc, cc, method, opts...)
		return corrupt{s}, err
	})))
	if _, err := bad.LookupValue(testCtx(t), wp, refs[0]); !errors.Is(err, client.ErrDigestMismatch) {
		t.Errorf("err %v, want ErrDigestMismatch", err)
	}
}
