// Copyright 2026 The turboci-proto Authors. All rights reserved.
// Use of this source code is governed by a BSD-style license that can be
// found in the LICENSE file.

// Package ids formats and parses the compact string form of TurboCI graph
// IDs (go.chromium.org/turboci/proto/go/graph/ids/v1), for logs, URLs and
// command lines.
//
// Grammar (documented on the ID messages in turboci/graph/ids/v1):
//
//	workplan       W<name>
//	check          W<name>:C<name>
//	check result   W<name>:C<name>:R<number>
//	check edit     W<name>:C<name>:E<number>
//	stage          W<name>:S<name>
//	stage attempt  W<name>:S<name>:A<number>
//	stage edit     W<name>:S<name>:E<number>
//
// A name is 1 to 128 characters from "A-Z a-z 0-9 _ - . /"; a number is a
// positive decimal without leading zeros that fits an int32. Because ':'
// never appears in a name, every string parses one way only.
//
// Every error of this package wraps ErrInvalid.
package ids

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"

	idspb "go.chromium.org/turboci/proto/go/graph/ids/v1"
)

// ErrInvalid is wrapped by every error of Format, Parse and ParseAs.
var ErrInvalid = errors.New("invalid TurboCI ID")

func fail(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

const maxNameLen = 128

// validName reports whether s may be a workplan, check or stage name.
func validName(s string) bool {
	if len(s) == 0 || len(s) > maxNameLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '_', c == '-', c == '.', c == '/':
		default:
			return false
		}
	}
	return true
}

func name(kind, s string) (string, error) {
	if !validName(s) {
		return "", fail("invalid %s name %q: want 1-128 characters from A-Z a-z 0-9 _ - . /", kind, s)
	}
	return s, nil
}

func number(kind string, n int32) (string, error) {
	if n < 1 {
		return "", fail("invalid %s number %d: want 1 to %d", kind, n, math.MaxInt32)
	}
	return strconv.FormatInt(int64(n), 10), nil
}

func formatWorkPlan(id *idspb.WorkPlanId) (string, error) {
	n, err := name("workplan", id.GetId())
	if err != nil {
		return "", err
	}
	return "W" + n, nil
}

func formatNode(wp *idspb.WorkPlanId, tag, kind, id string) (string, error) {
	w, err := formatWorkPlan(wp)
	if err != nil {
		return "", err
	}
	n, err := name(kind, id)
	if err != nil {
		return "", err
	}
	return w + ":" + tag + n, nil
}

func formatSub(node string, err error, tag, kind string, n int32) (string, error) {
	if err != nil {
		return "", err
	}
	s, err := number(kind, n)
	if err != nil {
		return "", err
	}
	return node + ":" + tag + s, nil
}

// Format returns the compact string form of any graph ID message: a
// *idspb.WorkPlanId, *idspb.CheckId, *idspb.CheckResultId, *idspb.CheckEditId,
// *idspb.StageId, *idspb.StageAttemptId, *idspb.StageEditId or *idspb.Identifier.
// It fails when a part is
// missing or malformed, so it never produces a string that would not parse
// back.
func Format(id proto.Message) (string, error) {
	switch id := id.(type) {
	case *idspb.Identifier:
		inner := Unwrap(id)
		if inner == nil {
			return "", fail("empty Identifier: no ID is set")
		}
		return Format(inner)
	case *idspb.WorkPlanId:
		return formatWorkPlan(id)
	case *idspb.CheckId:
		return formatNode(id.GetWorkPlan(), "C", "check", id.GetId())
	case *idspb.CheckResultId:
		c, err := Format(id.GetCheck())
		return formatSub(c, err, "R", "check result", id.GetNumber())
	case *idspb.CheckEditId:
		c, err := Format(id.GetCheck())
		return formatSub(c, err, "E", "check edit", id.GetNumber())
	case *idspb.StageId:
		return formatNode(id.GetWorkPlan(), "S", "stage", id.GetId())
	case *idspb.StageAttemptId:
		s, err := Format(id.GetStage())
		return formatSub(s, err, "A", "stage attempt", id.GetNumber())
	case *idspb.StageEditId:
		s, err := Format(id.GetStage())
		return formatSub(s, err, "E", "stage edit", id.GetNumber())
	default:
		return "", fail("not a TurboCI graph ID: %T", id)
	}
}

// MustFormat is Format for IDs known to be valid; it panics otherwise.
func MustFormat(id proto.Message) string {
	s, err := Format(id)
	if err != nil {
		panic(err)
	}
	return s
}

// Unwrap returns the ID an Identifier holds (a *idspb.WorkPlanId,
// *idspb.CheckId, ...), or nil when it holds none.
func Unwrap(id *idspb.Identifier) proto.Message {
	switch id.WhichType() {
	case idspb.Identifier_WorkPlan_case:
		return id.GetWorkPlan()
	case idspb.Identifier_Check_case:
		return id.GetCheck()
	case idspb.Identifier_CheckResult_case:
		return id.GetCheckResult()
	case idspb.Identifier_CheckEdit_case:
		return id.GetCheckEdit()
	case idspb.Identifier_Stage_case:
		return id.GetStage()
	case idspb.Identifier_StageAttempt_case:
		return id.GetStageAttempt()
	case idspb.Identifier_StageEdit_case:
		return id.GetStageEdit()
	}
	return nil
}

func parseNumber(text, kind, s string) (int32, error) {
	if s == "" || s[0] < '1' || s[0] > '9' {
		return 0, fail("%q: invalid %s number %q", text, kind, s)
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, fail("%q: invalid %s number %q: want 1 to %d", text, kind, s, math.MaxInt32)
	}
	return int32(n), nil
}

func parseName(text, kind, s string) (string, error) {
	if !validName(s) {
		return "", fail("%q: invalid %s name %q: want 1-128 characters from A-Z a-z 0-9 _ - . /", text, kind, s)
	}
	return s, nil
}

// Parse reads any compact ID string into an Identifier holding the right
// kind of ID.
func Parse(text string) (*idspb.Identifier, error) {
	segs := strings.Split(text, ":")
	if len(segs) > 3 || !strings.HasPrefix(segs[0], "W") {
		return nil, fail("%q: not a TurboCI ID (want W<workplan>[:C<check>|:S<stage>[...]])", text)
	}
	wpName, err := parseName(text, "workplan", segs[0][1:])
	if err != nil {
		return nil, err
	}
	wp := idspb.WorkPlanId_builder{Id: proto.String(wpName)}.Build()
	if len(segs) == 1 {
		return idspb.Identifier_builder{WorkPlan: wp}.Build(), nil
	}
	node, rest := segs[1], segs[2:]
	if node == "" {
		return nil, fail("%q: after the workplan want C<check> or S<stage>, got %q", text, node)
	}
	switch node[0] {
	case 'C':
		n, err := parseName(text, "check", node[1:])
		if err != nil {
			return nil, err
		}
		check := idspb.CheckId_builder{WorkPlan: wp, Id: proto.String(n)}.Build()
		if len(rest) == 0 {
			return idspb.Identifier_builder{Check: check}.Build(), nil
		}
		sub := rest[0]
		switch {
		case strings.HasPrefix(sub, "R"):
			num, err := parseNumber(text, "check result", sub[1:])
			if err != nil {
				return nil, err
			}
			return idspb.Identifier_builder{CheckResult: idspb.CheckResultId_builder{Check: check, Number: proto.Int32(num)}.Build()}.Build(), nil
		case strings.HasPrefix(sub, "E"):
			num, err := parseNumber(text, "check edit", sub[1:])
			if err != nil {
				return nil, err
			}
			return idspb.Identifier_builder{CheckEdit: idspb.CheckEditId_builder{Check: check, Number: proto.Int32(num)}.Build()}.Build(), nil
		}
		return nil, fail("%q: after a check want R<number> or E<number>, got %q", text, sub)
	case 'S':
		n, err := parseName(text, "stage", node[1:])
		if err != nil {
			return nil, err
		}
		stage := idspb.StageId_builder{WorkPlan: wp, Id: proto.String(n)}.Build()
		if len(rest) == 0 {
			return idspb.Identifier_builder{Stage: stage}.Build(), nil
		}
		sub := rest[0]
		switch {
		case strings.HasPrefix(sub, "A"):
			num, err := parseNumber(text, "stage attempt", sub[1:])
			if err != nil {
				return nil, err
			}
			return idspb.Identifier_builder{StageAttempt: idspb.StageAttemptId_builder{Stage: stage, Number: proto.Int32(num)}.Build()}.Build(), nil
		case strings.HasPrefix(sub, "E"):
			num, err := parseNumber(text, "stage edit", sub[1:])
			if err != nil {
				return nil, err
			}
			return idspb.Identifier_builder{StageEdit: idspb.StageEditId_builder{Stage: stage, Number: proto.Int32(num)}.Build()}.Build(), nil
		}
		return nil, fail("%q: after a stage want A<number> or E<number>, got %q", text, sub)
	}
	return nil, fail("%q: after the workplan want C<check> or S<stage>, got %q", text, node)
}

// ParseAs reads a compact ID string that must be of the kind T, for
// example ParseAs[*idspb.CheckId]("Wplan:Cbuild/linux").
func ParseAs[T proto.Message](text string) (T, error) {
	var zero T
	id, err := Parse(text)
	if err != nil {
		return zero, err
	}
	inner := Unwrap(id)
	t, ok := inner.(T)
	if !ok {
		return zero, fail("%q is a %s, not a %s", text,
			inner.ProtoReflect().Descriptor().Name(), zero.ProtoReflect().Descriptor().Name())
	}
	return t, nil
}
