// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

package value

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	orchestratorpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1"
)

// ErrIncomplete means the value as fetched is not whole: its JSON lost
// fields (ValueData.has_unknown_fields, or fields the reader's type lacks),
// so no digest of it is taken.
var ErrIncomplete = errors.New("value incomplete")

// IgnoredFields names the fields of the value's JSON that T lacks, which
// Lookup ignores, as sorted paths ("artifacts[1].checksum"). Binary data
// has none: its unknown fields stay in the message.
func IgnoredFields[T proto.Message](ref *orchestratorpb.ValueRef, data map[string]*orchestratorpb.ValueData) ([]string, error) {
	var zero T
	md := zero.ProtoReflect().Descriptor()
	packed, js, err := fetched(ref, data, md.FullName())
	if err != nil || packed != nil {
		return nil, err
	}
	return ignoredIn(ref, js, md)
}

// ignoredIn is IgnoredFields of JSON data already fetched.
func ignoredIn(ref *orchestratorpb.ValueRef, js *orchestratorpb.ValueData, md protoreflect.MessageDescriptor) ([]string, error) {
	var obj any
	if err := json.Unmarshal([]byte(js.GetJson().GetJson()), &obj); err != nil {
		return nil, fmt.Errorf("value %s: bad JSON: %w", ref.GetDigest().GetSha256(), err)
	}
	out := unknownJSONFields(obj, md, "")
	sort.Strings(out)
	return out, nil
}

// IsComplete tells whether Lookup gives the whole value: not when its JSON
// lacks fields the orchestrator's schema did not know (has_unknown_fields),
// nor when it holds fields T lacks (IgnoredFields).
func IsComplete[T proto.Message](ref *orchestratorpb.ValueRef, data map[string]*orchestratorpb.ValueData) (bool, error) {
	var zero T
	md := zero.ProtoReflect().Descriptor()
	packed, js, err := fetched(ref, data, md.FullName())
	if err != nil {
		return false, err
	}
	if packed != nil {
		return true, nil // binary data keeps its unknown fields
	}
	ignored, err := ignoredIn(ref, js, md)
	if err != nil {
		return false, err
	}
	return len(ignored) == 0 && !js.GetHasUnknownFields(), nil
}

// DataDigest is the digest of the value as the answer carries it, to check
// against ref's digest. JSON that lost fields is refused (ErrIncomplete): a
// digest over part of a value would differ from the writer's for no fault
// of the value.
func DataDigest[T proto.Message](ref *orchestratorpb.ValueRef, data map[string]*orchestratorpb.ValueData) (*orchestratorpb.Digest, error) {
	var zero T
	md := zero.ProtoReflect().Descriptor()
	packed, js, err := fetched(ref, data, md.FullName())
	if err != nil {
		return nil, err
	}
	if packed != nil {
		return Digest(packed)
	}
	lost, err := ignoredIn(ref, js, md)
	if err != nil {
		return nil, err
	}
	if js.GetHasUnknownFields() {
		lost = append(lost, "fields unknown to the orchestrator's schema (has_unknown_fields)")
	}
	if len(lost) > 0 {
		return nil, fmt.Errorf("%w: value %s: its JSON lost %s; fetch it as binary (VALUE_ENCODING_BINARY) to digest it",
			ErrIncomplete, ref.GetDigest().GetSha256(), strings.Join(lost, ", "))
	}
	msg, err := Lookup[T](ref, data)
	if err != nil {
		return nil, err
	}
	return Digest(msg)
}

// opaqueJSON are the types whose JSON is not an object of their fields.
var opaqueJSON = map[protoreflect.FullName]bool{
	"google.protobuf.Any": true, "google.protobuf.Struct": true, "google.protobuf.Value": true,
	"google.protobuf.ListValue": true, "google.protobuf.Timestamp": true,
	"google.protobuf.Duration": true, "google.protobuf.FieldMask": true,
	"google.protobuf.Empty": true, "google.protobuf.DoubleValue": true,
	"google.protobuf.FloatValue": true, "google.protobuf.Int64Value": true,
	"google.protobuf.UInt64Value": true, "google.protobuf.Int32Value": true,
	"google.protobuf.UInt32Value": true, "google.protobuf.BoolValue": true,
	"google.protobuf.StringValue": true, "google.protobuf.BytesValue": true,
}

func unknownJSONFields(obj any, md protoreflect.MessageDescriptor, path string) []string {
	fields, ok := obj.(map[string]any)
	if !ok || opaqueJSON[md.FullName()] {
		return nil
	}
	var out []string
	for key, val := range fields {
		where := key
		if path != "" {
			where = path + "." + key
		}
		fd := md.Fields().ByJSONName(key)
		if fd == nil {
			fd = md.Fields().ByName(protoreflect.Name(key))
		}
		switch {
		case fd == nil:
			out = append(out, where)
		case val == nil:
		case fd.IsMap():
			if vm := fd.MapValue().Message(); vm != nil {
				if m, ok := val.(map[string]any); ok {
					for k, v := range m {
						out = append(out, unknownJSONFields(v, vm, fmt.Sprintf("%s[%s]", where, k))...)
					}
				}
			}
		case fd.Message() == nil:
		case fd.IsList():
			if l, ok := val.([]any); ok {
				for i, v := range l {
					out = append(out, unknownJSONFields(v, fd.Message(), fmt.Sprintf("%s[%d]", where, i))...)
				}
			}
		default:
			out = append(out, unknownJSONFields(val, fd.Message(), where)...)
		}
	}
	return out
}
