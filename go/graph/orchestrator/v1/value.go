package orchestratorpb

// Hand-written: reading and writing values (check options and results,
// stage args, reasons).
//
// Answers from the orchestrator carry values as ValueRefs (type and digest)
// plus one value_data map keyed by digest. LookupValue joins the two and
// returns the typed message, or an error that says why it cannot: the value
// was omitted (OmittedError, with the orchestrator's reason), is missing from
// the map (ErrValueMissing), or is of another type (ErrValueType).

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
)

// TypeURLPrefix is the prefix of the type URLs of values written by these
// helpers.
const TypeURLPrefix = "type.googleapis.com/"

// ErrValueMissing means a ValueRef claims its data is in the answer, but
// the value_data map has no entry for it: the answer is inconsistent.
var ErrValueMissing = errors.New("value data missing")

// ErrValueType means the value is of another type than the one asked for.
var ErrValueType = errors.New("value type mismatch")

// OmittedError means the answer carries only the reference to a value;
// Reason says why (see OmissionReason).
type OmittedError struct {
	TypeURL string
	Reason  OmissionReason
}

func (e *OmittedError) Error() string {
	return fmt.Sprintf("value of type %s was omitted: %s", e.TypeURL, e.Reason)
}

// fullName is the type named by a type URL: whatever follows the last "/".
func fullName(typeURL string) protoreflect.FullName {
	return protoreflect.FullName(typeURL[strings.LastIndex(typeURL, "/")+1:])
}

// PackValue wraps m in an Any the way the orchestrator digests it: with m
// serialized deterministically.
func PackValue(m proto.Message) (*anypb.Any, error) {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		return nil, err
	}
	return &anypb.Any{TypeUrl: TypeURLPrefix + string(m.ProtoReflect().Descriptor().FullName()), Value: b}, nil
}

// DigestOf returns the digest the orchestrator gives m as a value.
func DigestOf(m proto.Message) (*Digest, error) {
	packed, err := PackValue(m)
	if err != nil {
		return nil, err
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(packed)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	return &Digest{Sha256: proto.String(hex.EncodeToString(sum[:])), SizeBytes: proto.Int64(int64(len(b)))}, nil
}

// NewValueWrite returns a ValueWrite holding m, for CheckWrite, StageWrite
// and reasons. An empty realm leaves the realm unset.
func NewValueWrite(m proto.Message, realm string) (*ValueWrite, error) {
	packed, err := PackValue(m)
	if err != nil {
		return nil, err
	}
	w := &ValueWrite{Value: packed}
	if realm != "" {
		w.Realm = proto.String(realm)
	}
	return w, nil
}

// LookupValue returns the message ref points at, decoded as T (a pointer to
// a generated message type, e.g. *buildpb.BuildCheckResult), from the
// value_data map of the same answer.
func LookupValue[T proto.Message](ref *ValueRef, data map[string]*ValueData) (T, error) {
	var zero T
	msg := zero.ProtoReflect().New().Interface().(T)
	want := msg.ProtoReflect().Descriptor().FullName()
	if u := ref.GetTypeUrl(); u != "" && fullName(u) != want {
		return zero, fmt.Errorf("%w: value is a %s, not a %s", ErrValueType, fullName(u), want)
	}
	if ref.Omitted != nil {
		return zero, &OmittedError{TypeURL: ref.GetTypeUrl(), Reason: ref.GetOmitted()}
	}
	if ref.GetInline() != nil {
		// Only the orchestrator's own storage sets it, but it is the value
		// all the same.
		return unpack(ref.GetInline(), msg)
	}
	key := ref.GetDigest().GetSha256()
	if key == "" {
		return zero, fmt.Errorf("%w: value reference has neither a digest nor an omission reason", ErrValueMissing)
	}
	vd, ok := data[key]
	if !ok {
		return zero, fmt.Errorf("%w: value %s of type %s is not in value_data", ErrValueMissing, key, ref.GetTypeUrl())
	}
	switch d := vd.GetData().(type) {
	case *ValueData_Binary:
		return unpack(d.Binary, msg)
	case *ValueData_Json:
		if got := fullName(d.Json.GetTypeUrl()); got != want {
			return zero, fmt.Errorf("%w: value is a %s, not a %s", ErrValueType, got, want)
		}
		if err := protojson.Unmarshal([]byte(d.Json.GetJson()), msg); err != nil {
			return zero, fmt.Errorf("value %s: bad JSON: %w", key, err)
		}
		return msg, nil
	}
	return zero, fmt.Errorf("%w: value_data entry %s holds no data", ErrValueMissing, key)
}

func unpack[T proto.Message](packed *anypb.Any, msg T) (T, error) {
	var zero T
	want := msg.ProtoReflect().Descriptor().FullName()
	if got := fullName(packed.GetTypeUrl()); got != want {
		return zero, fmt.Errorf("%w: value is a %s, not a %s", ErrValueType, got, want)
	}
	if err := proto.Unmarshal(packed.GetValue(), msg); err != nil {
		return zero, fmt.Errorf("value of type %s: %w", want, err)
	}
	return msg, nil
}

// FindValue returns the value of type T among refs (check options and
// results hold at most one per type). found is false when there is none.
// Omissions are still errors, so "not there" and "not shown to you" stay
// apart.
func FindValue[T proto.Message](refs []*ValueRef, data map[string]*ValueData) (value T, found bool, err error) {
	var zero T
	want := zero.ProtoReflect().Descriptor().FullName()
	for _, ref := range refs {
		if fullName(ref.GetTypeUrl()) == want {
			v, err := LookupValue[T](ref, data)
			return v, err == nil, err
		}
	}
	return zero, false, nil
}
