// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

// Package value reads, writes and digests TurboCI values: check options and
// results, stage args and edit reasons.
//
// Answers from the orchestrator carry values as ValueRefs (type and digest)
// plus one value_data map keyed by digest. Lookup joins the two and returns
// the typed message, or an error that says why it cannot: the value was
// omitted (*OmittedError, with the orchestrator's reason), is missing from
// the map (ErrMissing), or is of another type (ErrWrongType).
//
// Digest and Canonical compute a value's digest over the canonical encoding
// that turboci/graph/orchestrator/v1/digest.proto defines; the Python
// helpers (turboci.utils.value) give the same bytes.
package value

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"

	orchestratorpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1"
)

// TypeURLPrefix is the prefix of the type URLs of values written by these
// helpers.
const TypeURLPrefix = "type.googleapis.com/"

// ErrMissing means a ValueRef claims its data is in the answer, but the
// value_data map has no entry for it: the answer is inconsistent.
var ErrMissing = errors.New("value data missing")

// ErrWrongType means the value is of another type than the one asked for.
var ErrWrongType = errors.New("value type mismatch")

// OmittedError means the answer carries only the reference to a value;
// Reason says why (see OmissionReason).
type OmittedError struct {
	TypeURL string
	Reason  orchestratorpb.OmissionReason
}

func (e *OmittedError) Error() string {
	return fmt.Sprintf("value of type %s was omitted: %s", e.TypeURL, e.Reason)
}

// fullName is the type named by a type URL: whatever follows the last "/".
func fullName(typeURL string) protoreflect.FullName {
	return protoreflect.FullName(typeURL[strings.LastIndex(typeURL, "/")+1:])
}

// TypeURL returns the type URL that values of m's type carry.
func TypeURL(m proto.Message) string {
	return TypeURLPrefix + string(m.ProtoReflect().Descriptor().FullName())
}

// Pack wraps m in the Any that is its value: its type URL and the canonical
// encoding of m.
func Pack(m proto.Message) (*anypb.Any, error) {
	return Options{}.Pack(m)
}

// Pack is the package-level Pack with these options.
func (o Options) Pack(m proto.Message) (*anypb.Any, error) {
	b, err := o.Canonical(m)
	if err != nil {
		return nil, err
	}
	return &anypb.Any{TypeUrl: TypeURL(m), Value: b}, nil
}

// Digest returns the digest of a value, given as its message or as its
// packed Any. An *anypb.Any (or any google.protobuf.Any) is taken as the
// value itself, already packed as in ValueWrite and ValueData, and is not
// packed again.
func Digest(m proto.Message) (*orchestratorpb.Digest, error) {
	return Options{}.Digest(m)
}

// Digest is the package-level Digest with these options.
func (o Options) Digest(m proto.Message) (*orchestratorpb.Digest, error) {
	if m == nil {
		return nil, errors.New("digest of a nil message")
	}
	packed := m
	if m.ProtoReflect().Descriptor().FullName() != anyFullName {
		var err error
		if packed, err = o.Pack(m); err != nil {
			return nil, err
		}
	}
	b, err := o.Canonical(packed)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	return orchestratorpb.Digest_builder{
		Sha256:    proto.String(hex.EncodeToString(sum[:])),
		SizeBytes: proto.Int64(int64(len(b))),
		Algorithm: orchestratorpb.DigestAlgorithm_DIGEST_ALGORITHM_CANONICAL_SHA256.Enum(),
	}.Build(), nil
}

// Write returns a ValueWrite holding m, for CheckWrite, StageWrite and
// reasons. An empty realm leaves the realm unset.
func Write(m proto.Message, realm string) (*orchestratorpb.ValueWrite, error) {
	packed, err := Pack(m)
	if err != nil {
		return nil, err
	}
	w := orchestratorpb.ValueWrite_builder{Value: packed}.Build()
	if realm != "" {
		w.SetRealm(realm)
	}
	return w, nil
}

// RefWithData returns a ValueRef to m and the ValueData entry it points
// at, as an answer from the orchestrator carries them: put the data into
// the answer's value_data map under ref.GetDigest().GetSha256(). Meant for
// tests and fakes of the orchestrator. An empty realm leaves it unset.
func RefWithData(m proto.Message, realm string) (*orchestratorpb.ValueRef, *orchestratorpb.ValueData, error) {
	packed, err := Pack(m)
	if err != nil {
		return nil, nil, err
	}
	d, err := Digest(packed)
	if err != nil {
		return nil, nil, err
	}
	ref := orchestratorpb.ValueRef_builder{TypeUrl: proto.String(packed.GetTypeUrl()), Digest: d}.Build()
	if realm != "" {
		ref.SetRealm(realm)
	}
	return ref, orchestratorpb.ValueData_builder{Binary: packed}.Build(), nil
}

// Lookup returns the message ref points at, decoded as T (a pointer to a
// generated message type, e.g. *buildpb.BuildCheckResult), from the
// value_data map of the same answer.
//
// A value fetched as JSON may hold fields that T lacks (it was written with
// a newer schema): they are ignored, IgnoredFields names them, and
// IsComplete tells whether the message is the whole value.
func Lookup[T proto.Message](ref *orchestratorpb.ValueRef, data map[string]*orchestratorpb.ValueData) (T, error) {
	var zero T
	msg := zero.ProtoReflect().New().Interface().(T)
	packed, js, err := fetched(ref, data, msg.ProtoReflect().Descriptor().FullName())
	if err != nil {
		return zero, err
	}
	if packed != nil {
		return unpack(packed, msg)
	}
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal([]byte(js.GetJson().GetJson()), msg); err != nil {
		return zero, fmt.Errorf("value %s: bad JSON: %w", ref.GetDigest().GetSha256(), err)
	}
	return msg, nil
}

// fetched is what ref points at, after Lookup's checks of type, omission and
// presence: an Any (inline or binary data) or the ValueData of its JSON.
func fetched(ref *orchestratorpb.ValueRef, data map[string]*orchestratorpb.ValueData, want protoreflect.FullName) (*anypb.Any, *orchestratorpb.ValueData, error) {
	if ref == nil {
		return nil, nil, fmt.Errorf("%w: nil ValueRef", ErrMissing)
	}
	if u := ref.GetTypeUrl(); u != "" && fullName(u) != want {
		return nil, nil, fmt.Errorf("%w: value is a %s, not a %s", ErrWrongType, fullName(u), want)
	}
	if ref.HasOmitted() {
		return nil, nil, &OmittedError{TypeURL: ref.GetTypeUrl(), Reason: ref.GetOmitted()}
	}
	if ref.HasInline() {
		// Only the orchestrator's own storage sets it, but it is the value
		// all the same.
		return ref.GetInline(), nil, nil
	}
	key := ref.GetDigest().GetSha256()
	if key == "" {
		return nil, nil, fmt.Errorf("%w: value reference has neither a digest nor an omission reason", ErrMissing)
	}
	vd, ok := data[key]
	if !ok {
		return nil, nil, fmt.Errorf("%w: value %s of type %s is not in value_data", ErrMissing, key, ref.GetTypeUrl())
	}
	switch vd.WhichData() {
	case orchestratorpb.ValueData_Binary_case:
		return vd.GetBinary(), nil, nil
	case orchestratorpb.ValueData_Json_case:
		if got := fullName(vd.GetJson().GetTypeUrl()); got != want {
			return nil, nil, fmt.Errorf("%w: value is a %s, not a %s", ErrWrongType, got, want)
		}
		return nil, vd, nil
	}
	return nil, nil, fmt.Errorf("%w: value_data entry %s holds no data", ErrMissing, key)
}

func unpack[T proto.Message](packed *anypb.Any, msg T) (T, error) {
	var zero T
	want := msg.ProtoReflect().Descriptor().FullName()
	if got := fullName(packed.GetTypeUrl()); got != want {
		return zero, fmt.Errorf("%w: value is a %s, not a %s", ErrWrongType, got, want)
	}
	if err := proto.Unmarshal(packed.GetValue(), msg); err != nil {
		return zero, fmt.Errorf("value of type %s: %w", want, err)
	}
	return msg, nil
}

// Find returns the value of type T among refs (check options and results
// hold at most one per type). found is false when there is none. Omissions
// are still errors, so "not there" and "not shown to you" stay apart.
func Find[T proto.Message](refs []*orchestratorpb.ValueRef, data map[string]*orchestratorpb.ValueData) (value T, found bool, err error) {
	var zero T
	want := zero.ProtoReflect().Descriptor().FullName()
	for _, ref := range refs {
		if fullName(ref.GetTypeUrl()) == want {
			v, err := Lookup[T](ref, data)
			return v, err == nil, err
		}
	}
	return zero, false, nil
}
