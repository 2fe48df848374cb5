// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

package client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/dynamicpb"
	"google.golang.org/protobuf/types/known/anypb"

	idspb "go.chromium.org/turboci/proto/go/graph/ids/v1"
	orchestratorpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1"
	"go.chromium.org/turboci/proto/go/utils/turbocidesc"
	"go.chromium.org/turboci/proto/go/utils/value"
)

// ErrDigestMismatch means the data ReadValues sent is not the value the
// digest names.
var ErrDigestMismatch = errors.New("turboci: value data does not match its digest")

// ErrUnknownType means a value's type is neither linked into the program
// nor in the TurboCI descriptor bundle (go/utils/turbocidesc).
var ErrUnknownType = errors.New("turboci: unknown value type")

// ReadValues fetches values by digest (req.digests, Digest.sha256),
// reassembling their chunks and checking each against its digest. Values
// the orchestrator omits are an error (*value.OmittedError, its TypeURL
// holding the digest). The stream is read again from the start on
// UNAVAILABLE or INTERNAL, like a unary call.
func (c *Client) ReadValues(ctx context.Context, req *orchestratorpb.ReadValuesRequest) (map[string]*anypb.Any, error) {
	data, err := c.readRaw(ctx, req)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*anypb.Any, len(data))
	for digest, b := range data {
		if out[digest], err = parseAny(digest, b); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func parseAny(digest string, b []byte) (*anypb.Any, error) {
	a := &anypb.Any{}
	if err := proto.Unmarshal(b, a); err != nil {
		return nil, fmt.Errorf("turboci: value %s does not parse as an Any: %w", digest, err)
	}
	return a, nil
}

// readRaw is ReadValues before parsing: each value's bytes, checked.
func (c *Client) readRaw(ctx context.Context, req *orchestratorpb.ReadValuesRequest) (map[string][]byte, error) {
	data, err := retry(ctx, c, "ReadValues", func(ctx context.Context) (map[string][]byte, error) {
		return c.readValuesOnce(ctx, req)
	})
	var e *Error
	if errors.As(err, &e) && e.Code == codes.OK && e.cause != nil {
		return nil, e.cause // a check of ours, not a status
	}
	return data, err
}

// checkFailed carries a verification failure through retry, which returns
// it at once (code OK is never retried).
func checkFailed(err error) error {
	return &Error{Method: "ReadValues", cause: err, Message: err.Error()}
}

func (c *Client) readValuesOnce(ctx context.Context, req *orchestratorpb.ReadValuesRequest) (map[string][]byte, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := c.stub.ReadValues(ctx, req)
	if err != nil {
		return nil, err
	}
	parts := map[string]*bytes.Buffer{}
	done := map[string]bool{}
	omitted := map[string]orchestratorpb.OmissionReason{}
	for {
		msg, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		maps.Copy(omitted, msg.GetOmitted())
		for _, ch := range msg.GetChunks() {
			d := ch.GetDigest()
			buf := parts[d]
			if buf == nil {
				buf = &bytes.Buffer{}
				parts[d] = buf
			}
			if done[d] || ch.GetOffset() != int64(buf.Len()) {
				return nil, checkFailed(fmt.Errorf("turboci: value %s: a chunk at offset %d, expected %d", d, ch.GetOffset(), buf.Len()))
			}
			buf.Write(ch.GetData())
			done[d] = ch.GetLast()
		}
	}
	if len(omitted) > 0 {
		d := slices.Sorted(maps.Keys(omitted))[0]
		return nil, checkFailed(&value.OmittedError{TypeURL: "digest " + d, Reason: omitted[d]})
	}
	out := map[string][]byte{}
	for _, d := range req.GetDigests() {
		if !done[d] {
			return nil, checkFailed(fmt.Errorf("turboci: value %s: the stream ended before its last chunk", d))
		}
		b := parts[d].Bytes()
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != strings.ToLower(d) {
			return nil, checkFailed(fmt.Errorf("%w: %s", ErrDigestMismatch, d))
		}
		out[d] = b
	}
	return out, nil
}

// ReadValue fetches the value ref points at, e.g. one an answer omitted
// with OMISSION_REASON_TOO_LARGE or NOT_REQUESTED, and checks it against
// ref's digest (hash, size and type).
func (c *Client) ReadValue(ctx context.Context, workPlan *idspb.WorkPlanId, ref *orchestratorpb.ValueRef) (*anypb.Any, error) {
	if ref.HasInline() {
		return ref.GetInline(), nil // the orchestrator's own copy: nothing to fetch
	}
	d := ref.GetDigest()
	if d.GetSha256() == "" {
		return nil, fmt.Errorf("turboci: the value reference of type %s has no digest", ref.GetTypeUrl())
	}
	if alg := d.GetAlgorithm(); alg != orchestratorpb.DigestAlgorithm_DIGEST_ALGORITHM_CANONICAL_SHA256 && alg != 0 {
		return nil, fmt.Errorf("turboci: value %s: digest algorithm %s is not one this client checks", d.GetSha256(), alg)
	}
	raw, err := c.readRaw(ctx, orchestratorpb.ReadValuesRequest_builder{
		WorkPlan: workPlan, Digests: []string{d.GetSha256()},
	}.Build())
	if err != nil {
		return nil, err
	}
	b := raw[d.GetSha256()]
	if d.HasSizeBytes() && int64(len(b)) != d.GetSizeBytes() {
		return nil, fmt.Errorf("%w: %s is %d bytes, the digest says %d", ErrDigestMismatch, d.GetSha256(), len(b), d.GetSizeBytes())
	}
	a, err := parseAny(d.GetSha256(), b)
	if err != nil {
		return nil, err
	}
	if ref.GetTypeUrl() != "" && a.GetTypeUrl() != ref.GetTypeUrl() {
		return nil, fmt.Errorf("%w: %s holds a %s, the reference says %s", ErrDigestMismatch, d.GetSha256(), a.GetTypeUrl(), ref.GetTypeUrl())
	}
	return a, nil
}

// LookupValue fetches the value ref points at (ReadValue) and decodes it
// (Decode).
func (c *Client) LookupValue(ctx context.Context, workPlan *idspb.WorkPlanId, ref *orchestratorpb.ValueRef) (proto.Message, error) {
	a, err := c.ReadValue(ctx, workPlan, ref)
	if err != nil {
		return nil, err
	}
	return Decode(a)
}

// Decode returns the message a value's Any holds: of its generated Go type
// when that is linked into the program, else a *dynamicpb.Message built
// from the TurboCI descriptor bundle (go/utils/turbocidesc). A type in
// neither is an error wrapping ErrUnknownType.
func Decode(a *anypb.Any) (proto.Message, error) {
	mt, err := resolve(a.GetTypeUrl())
	if err != nil {
		return nil, err
	}
	m := mt.New().Interface()
	if err := proto.Unmarshal(a.GetValue(), m); err != nil {
		return nil, fmt.Errorf("turboci: value of type %s does not parse: %w", a.GetTypeUrl(), err)
	}
	return m, nil
}

func resolve(typeURL string) (protoreflect.MessageType, error) {
	name := protoreflect.FullName(typeURL[strings.LastIndex(typeURL, "/")+1:])
	if mt, err := protoregistry.GlobalTypes.FindMessageByName(name); err == nil {
		return mt, nil
	}
	files, err := turbocidesc.Files()
	if err != nil {
		return nil, fmt.Errorf("turboci: the descriptor bundle: %w", err)
	}
	d, err := files.FindDescriptorByName(name)
	if err != nil {
		return nil, fmt.Errorf("%w: %s is neither linked into this program nor in the TurboCI descriptor bundle", ErrUnknownType, name)
	}
	md, ok := d.(protoreflect.MessageDescriptor)
	if !ok {
		return nil, fmt.Errorf("%w: %s is not a message", ErrUnknownType, name)
	}
	return dynamicpb.NewMessageType(md), nil
}
