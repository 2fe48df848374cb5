// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

package value

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// The reasons a message has no canonical encoding; the errors of Canonical
// and Digest wrap one of them (test with errors.Is).
var (
	// ErrUnknownFields: a message holds fields its schema does not define.
	ErrUnknownFields = errors.New("unknown fields")
	// ErrUnresolvableType: an Any holds a type the resolver does not know.
	ErrUnresolvableType = errors.New("unresolvable Any type")
	// ErrMalformedAny: an Any's bytes do not parse as its type.
	ErrMalformedAny = errors.New("malformed Any")
	// ErrExtension: values may not carry extensions.
	ErrExtension = errors.New("extension in a value")
	// ErrInvalidString: a string field is not valid UTF-8.
	ErrInvalidString = errors.New("invalid UTF-8 string")
)

const anyFullName protoreflect.FullName = "google.protobuf.Any"

// Options configure Canonical and Digest. The zero value resolves the
// types packed in Anys from protoregistry.GlobalTypes.
type Options struct {
	// Resolver finds the message types named by Any type URLs; nil means
	// protoregistry.GlobalTypes.
	Resolver protoregistry.MessageTypeResolver
}

// Canonical returns the canonical encoding of m that digest.proto defines:
// fields in number order, map entries ordered by key, and every Any's
// bytes re-encoded canonically, recursively. It fails when m has no
// canonical encoding (unknown fields, an Any of an unknown type or with
// malformed bytes, extensions).
func Canonical(m proto.Message) ([]byte, error) {
	return Options{}.Canonical(m)
}

// Canonical is the package-level Canonical with these options.
func (o Options) Canonical(m proto.Message) ([]byte, error) {
	if m == nil {
		return nil, errors.New("canonical encoding of a nil message")
	}
	r := o.Resolver
	if r == nil {
		r = protoregistry.GlobalTypes
	}
	return encoder{r}.message(nil, m.ProtoReflect())
}

type encoder struct {
	resolver protoregistry.MessageTypeResolver
}

func (e encoder) message(b []byte, m protoreflect.Message) ([]byte, error) {
	md := m.Descriptor()
	if len(m.GetUnknown()) > 0 {
		return nil, fmt.Errorf("%w: %s holds fields its schema does not define", ErrUnknownFields, md.FullName())
	}
	var ext protoreflect.FieldDescriptor
	m.Range(func(fd protoreflect.FieldDescriptor, _ protoreflect.Value) bool {
		if fd.IsExtension() {
			ext = fd
			return false
		}
		return true
	})
	if ext != nil {
		return nil, fmt.Errorf("%w: %s: %s", ErrExtension, md.FullName(), ext.FullName())
	}
	if md.FullName() == anyFullName {
		return e.any(b, m)
	}
	fields := md.Fields()
	ordered := make([]protoreflect.FieldDescriptor, fields.Len())
	for i := range ordered {
		ordered[i] = fields.Get(i)
	}
	slices.SortFunc(ordered, func(a, b protoreflect.FieldDescriptor) int { return cmp.Compare(a.Number(), b.Number()) })
	var err error
	for _, fd := range ordered {
		if b, err = e.field(b, m, fd); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func (e encoder) any(b []byte, m protoreflect.Message) ([]byte, error) {
	fields := m.Descriptor().Fields()
	typeURL := m.Get(fields.ByNumber(1)).String()
	raw := m.Get(fields.ByNumber(2)).Bytes()
	if typeURL != "" {
		if !utf8.ValidString(typeURL) {
			return nil, fmt.Errorf("%w: Any type URL", ErrInvalidString)
		}
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendString(b, typeURL)
	}
	if len(raw) == 0 {
		return b, nil
	}
	name := protoreflect.FullName(typeURL[strings.LastIndex(typeURL, "/")+1:])
	if name == "" {
		return nil, fmt.Errorf("%w: Any holds bytes but no type URL", ErrUnresolvableType)
	}
	mt, err := e.resolver.FindMessageByName(name)
	if err != nil {
		return nil, fmt.Errorf("%w: Any holds unknown type %q", ErrUnresolvableType, name)
	}
	inner := mt.New()
	if err := (proto.UnmarshalOptions{}).Unmarshal(raw, inner.Interface()); err != nil {
		return nil, fmt.Errorf("%w: Any of type %s: bytes do not parse: %v", ErrMalformedAny, name, err)
	}
	body, err := e.message(nil, inner)
	if err != nil {
		return nil, err
	}
	if len(body) > 0 {
		b = protowire.AppendTag(b, 2, protowire.BytesType)
		b = protowire.AppendBytes(b, body)
	}
	return b, nil
}

func (e encoder) field(b []byte, m protoreflect.Message, fd protoreflect.FieldDescriptor) ([]byte, error) {
	switch {
	case fd.IsMap():
		return e.mapField(b, m.Get(fd).Map(), fd)
	case fd.IsList():
		list := m.Get(fd).List()
		if list.Len() == 0 {
			return b, nil
		}
		if fd.IsPacked() && wireType(fd.Kind()) != protowire.BytesType {
			var body []byte
			for i := 0; i < list.Len(); i++ {
				body = appendScalar(body, fd.Kind(), list.Get(i))
			}
			b = protowire.AppendTag(b, fd.Number(), protowire.BytesType)
			return protowire.AppendBytes(b, body), nil
		}
		var err error
		for i := 0; i < list.Len(); i++ {
			if b, err = e.value(b, fd, list.Get(i)); err != nil {
				return nil, err
			}
		}
		return b, nil
	case fd.HasPresence():
		if !m.Has(fd) {
			return b, nil
		}
	case isDefault(fd.Kind(), m.Get(fd)):
		return b, nil
	}
	return e.value(b, fd, m.Get(fd))
}

// mapField writes one entry per key, ordered by key: strings by their bytes,
// integers numerically, false before true.
func (e encoder) mapField(b []byte, mp protoreflect.Map, fd protoreflect.FieldDescriptor) ([]byte, error) {
	if mp.Len() == 0 {
		return b, nil
	}
	keys := make([]protoreflect.MapKey, 0, mp.Len())
	mp.Range(func(k protoreflect.MapKey, _ protoreflect.Value) bool {
		keys = append(keys, k)
		return true
	})
	kfd, vfd := fd.MapKey(), fd.MapValue()
	slices.SortFunc(keys, func(a, b protoreflect.MapKey) int { return compareKeys(kfd.Kind(), a, b) })
	for _, k := range keys {
		entry, err := e.value(nil, kfd, k.Value())
		if err != nil {
			return nil, err
		}
		if entry, err = e.value(entry, vfd, mp.Get(k)); err != nil {
			return nil, err
		}
		b = protowire.AppendTag(b, fd.Number(), protowire.BytesType)
		b = protowire.AppendBytes(b, entry)
	}
	return b, nil
}

func compareKeys(kind protoreflect.Kind, a, b protoreflect.MapKey) int {
	switch kind {
	case protoreflect.StringKind:
		return strings.Compare(a.String(), b.String())
	case protoreflect.BoolKind:
		ab, bb := a.Bool(), b.Bool()
		switch {
		case ab == bb:
			return 0
		case !ab:
			return -1
		}
		return 1
	case protoreflect.Uint32Kind, protoreflect.Uint64Kind, protoreflect.Fixed32Kind, protoreflect.Fixed64Kind:
		return cmp.Compare(a.Uint(), b.Uint())
	}
	return cmp.Compare(a.Int(), b.Int())
}

// value writes one value of fd with its tag.
func (e encoder) value(b []byte, fd protoreflect.FieldDescriptor, v protoreflect.Value) ([]byte, error) {
	switch fd.Kind() {
	case protoreflect.MessageKind:
		body, err := e.message(nil, v.Message())
		if err != nil {
			return nil, err
		}
		b = protowire.AppendTag(b, fd.Number(), protowire.BytesType)
		return protowire.AppendBytes(b, body), nil
	case protoreflect.GroupKind:
		b = protowire.AppendTag(b, fd.Number(), protowire.StartGroupType)
		b, err := e.message(b, v.Message())
		if err != nil {
			return nil, err
		}
		return protowire.AppendTag(b, fd.Number(), protowire.EndGroupType), nil
	case protoreflect.StringKind:
		if !utf8.ValidString(v.String()) {
			return nil, fmt.Errorf("%w: %s", ErrInvalidString, fd.FullName())
		}
	}
	b = protowire.AppendTag(b, fd.Number(), wireType(fd.Kind()))
	return appendScalar(b, fd.Kind(), v), nil
}

func wireType(k protoreflect.Kind) protowire.Type {
	switch k {
	case protoreflect.Fixed32Kind, protoreflect.Sfixed32Kind, protoreflect.FloatKind:
		return protowire.Fixed32Type
	case protoreflect.Fixed64Kind, protoreflect.Sfixed64Kind, protoreflect.DoubleKind:
		return protowire.Fixed64Type
	case protoreflect.StringKind, protoreflect.BytesKind, protoreflect.MessageKind:
		return protowire.BytesType
	case protoreflect.GroupKind:
		return protowire.StartGroupType
	}
	return protowire.VarintType
}

// appendScalar writes the payload of one scalar value, without a tag.
func appendScalar(b []byte, k protoreflect.Kind, v protoreflect.Value) []byte {
	switch k {
	case protoreflect.BoolKind:
		return protowire.AppendVarint(b, protowire.EncodeBool(v.Bool()))
	case protoreflect.EnumKind:
		return protowire.AppendVarint(b, uint64(int64(v.Enum())))
	case protoreflect.Int32Kind, protoreflect.Int64Kind:
		return protowire.AppendVarint(b, uint64(v.Int()))
	case protoreflect.Uint32Kind, protoreflect.Uint64Kind:
		return protowire.AppendVarint(b, v.Uint())
	case protoreflect.Sint32Kind:
		return protowire.AppendVarint(b, uint64(uint32(int32(v.Int())<<1^int32(v.Int())>>31)))
	case protoreflect.Sint64Kind:
		return protowire.AppendVarint(b, protowire.EncodeZigZag(v.Int()))
	case protoreflect.Fixed32Kind:
		return protowire.AppendFixed32(b, uint32(v.Uint()))
	case protoreflect.Sfixed32Kind:
		return protowire.AppendFixed32(b, uint32(int32(v.Int())))
	case protoreflect.FloatKind:
		return protowire.AppendFixed32(b, math.Float32bits(float32(v.Float())))
	case protoreflect.Fixed64Kind:
		return protowire.AppendFixed64(b, v.Uint())
	case protoreflect.Sfixed64Kind:
		return protowire.AppendFixed64(b, uint64(v.Int()))
	case protoreflect.DoubleKind:
		return protowire.AppendFixed64(b, math.Float64bits(v.Float()))
	case protoreflect.StringKind:
		return protowire.AppendString(b, v.String())
	case protoreflect.BytesKind:
		return protowire.AppendBytes(b, v.Bytes())
	}
	panic(fmt.Sprintf("value: not a scalar kind: %v", k))
}

// isDefault reports whether an implicit-presence value is its default, and
// so is not written. A float is the default only when all its bits are zero.
func isDefault(k protoreflect.Kind, v protoreflect.Value) bool {
	switch k {
	case protoreflect.BoolKind:
		return !v.Bool()
	case protoreflect.EnumKind:
		return v.Enum() == 0
	case protoreflect.Int32Kind, protoreflect.Int64Kind, protoreflect.Sint32Kind, protoreflect.Sint64Kind,
		protoreflect.Sfixed32Kind, protoreflect.Sfixed64Kind:
		return v.Int() == 0
	case protoreflect.Uint32Kind, protoreflect.Uint64Kind, protoreflect.Fixed32Kind, protoreflect.Fixed64Kind:
		return v.Uint() == 0
	case protoreflect.FloatKind:
		return math.Float32bits(float32(v.Float())) == 0
	case protoreflect.DoubleKind:
		return math.Float64bits(v.Float()) == 0
	case protoreflect.StringKind:
		return v.String() == ""
	case protoreflect.BytesKind:
		return len(v.Bytes()) == 0
	}
	return false
}
