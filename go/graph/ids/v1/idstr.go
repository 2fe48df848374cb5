package idspb

// Hand-written: the compact string form of graph IDs.
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

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"
)

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
		return "", fmt.Errorf("invalid %s name %q: want 1-128 characters from A-Z a-z 0-9 _ - . /", kind, s)
	}
	return s, nil
}

func number(kind string, n int32) (string, error) {
	if n < 1 {
		return "", fmt.Errorf("invalid %s number %d: want 1 to %d", kind, n, math.MaxInt32)
	}
	return strconv.FormatInt(int64(n), 10), nil
}

func formatWorkPlan(id *WorkPlanId) (string, error) {
	n, err := name("workplan", id.GetId())
	if err != nil {
		return "", err
	}
	return "W" + n, nil
}

func formatNode(wp *WorkPlanId, tag, kind, id string) (string, error) {
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
// *WorkPlanId, *CheckId, *CheckResultId, *CheckEditId, *StageId,
// *StageAttemptId, *StageEditId or *Identifier. It fails when a part is
// missing or malformed, so it never produces a string that would not parse
// back.
func Format(id proto.Message) (string, error) {
	switch id := id.(type) {
	case *Identifier:
		inner := identifierValue(id)
		if inner == nil {
			return "", fmt.Errorf("empty Identifier: no ID is set")
		}
		return Format(inner)
	case *WorkPlanId:
		return formatWorkPlan(id)
	case *CheckId:
		return formatNode(id.GetWorkPlan(), "C", "check", id.GetId())
	case *CheckResultId:
		c, err := Format(id.GetCheck())
		return formatSub(c, err, "R", "check result", id.GetNumber())
	case *CheckEditId:
		c, err := Format(id.GetCheck())
		return formatSub(c, err, "E", "check edit", id.GetNumber())
	case *StageId:
		return formatNode(id.GetWorkPlan(), "S", "stage", id.GetId())
	case *StageAttemptId:
		s, err := Format(id.GetStage())
		return formatSub(s, err, "A", "stage attempt", id.GetNumber())
	case *StageEditId:
		s, err := Format(id.GetStage())
		return formatSub(s, err, "E", "stage edit", id.GetNumber())
	default:
		return "", fmt.Errorf("not a TurboCI graph ID: %T", id)
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

// identifierValue returns the ID held by an Identifier, or nil.
func identifierValue(id *Identifier) proto.Message {
	switch t := id.GetType().(type) {
	case *Identifier_WorkPlan:
		return t.WorkPlan
	case *Identifier_Check:
		return t.Check
	case *Identifier_CheckResult:
		return t.CheckResult
	case *Identifier_CheckEdit:
		return t.CheckEdit
	case *Identifier_Stage:
		return t.Stage
	case *Identifier_StageAttempt:
		return t.StageAttempt
	case *Identifier_StageEdit:
		return t.StageEdit
	}
	return nil
}

func parseNumber(text, kind, s string) (int32, error) {
	if s == "" || s[0] < '1' || s[0] > '9' {
		return 0, fmt.Errorf("%q: invalid %s number %q", text, kind, s)
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("%q: invalid %s number %q: want 1 to %d", text, kind, s, math.MaxInt32)
	}
	return int32(n), nil
}

func parseName(text, kind, s string) (string, error) {
	if _, err := name(kind, s); err != nil {
		return "", fmt.Errorf("%q: %w", text, err)
	}
	return s, nil
}

// Parse reads any compact ID string into an Identifier holding the right
// kind of ID.
func Parse(text string) (*Identifier, error) {
	segs := strings.Split(text, ":")
	if len(segs) > 3 || !strings.HasPrefix(segs[0], "W") {
		return nil, fmt.Errorf("%q: not a TurboCI ID (want W<workplan>[:C<check>|:S<stage>[...]])", text)
	}
	wpName, err := parseName(text, "workplan", segs[0][1:])
	if err != nil {
		return nil, err
	}
	wp := &WorkPlanId{Id: proto.String(wpName)}
	if len(segs) == 1 {
		return &Identifier{Type: &Identifier_WorkPlan{WorkPlan: wp}}, nil
	}
	node, rest := segs[1], segs[2:]
	if node == "" {
		return nil, fmt.Errorf("%q: after the workplan want C<check> or S<stage>", text)
	}
	switch node[0] {
	case 'C':
		n, err := parseName(text, "check", node[1:])
		if err != nil {
			return nil, err
		}
		check := &CheckId{WorkPlan: wp, Id: proto.String(n)}
		if len(rest) == 0 {
			return &Identifier{Type: &Identifier_Check{Check: check}}, nil
		}
		sub := rest[0]
		switch {
		case strings.HasPrefix(sub, "R"):
			num, err := parseNumber(text, "check result", sub[1:])
			if err != nil {
				return nil, err
			}
			return &Identifier{Type: &Identifier_CheckResult{CheckResult: &CheckResultId{Check: check, Number: proto.Int32(num)}}}, nil
		case strings.HasPrefix(sub, "E"):
			num, err := parseNumber(text, "check edit", sub[1:])
			if err != nil {
				return nil, err
			}
			return &Identifier{Type: &Identifier_CheckEdit{CheckEdit: &CheckEditId{Check: check, Number: proto.Int32(num)}}}, nil
		}
		return nil, fmt.Errorf("%q: after a check want R<number> or E<number>, got %q", text, sub)
	case 'S':
		n, err := parseName(text, "stage", node[1:])
		if err != nil {
			return nil, err
		}
		stage := &StageId{WorkPlan: wp, Id: proto.String(n)}
		if len(rest) == 0 {
			return &Identifier{Type: &Identifier_Stage{Stage: stage}}, nil
		}
		sub := rest[0]
		switch {
		case strings.HasPrefix(sub, "A"):
			num, err := parseNumber(text, "stage attempt", sub[1:])
			if err != nil {
				return nil, err
			}
			return &Identifier{Type: &Identifier_StageAttempt{StageAttempt: &StageAttemptId{Stage: stage, Number: proto.Int32(num)}}}, nil
		case strings.HasPrefix(sub, "E"):
			num, err := parseNumber(text, "stage edit", sub[1:])
			if err != nil {
				return nil, err
			}
			return &Identifier{Type: &Identifier_StageEdit{StageEdit: &StageEditId{Stage: stage, Number: proto.Int32(num)}}}, nil
		}
		return nil, fmt.Errorf("%q: after a stage want A<number> or E<number>, got %q", text, sub)
	}
	return nil, fmt.Errorf("%q: after the workplan want C<check> or S<stage>, got %q", text, node)
}

// ParseAs reads a compact ID string that must be of the kind T, for
// example ParseAs[*CheckId]("Wplan:Cbuild/linux").
func ParseAs[T proto.Message](text string) (T, error) {
	var zero T
	id, err := Parse(text)
	if err != nil {
		return zero, err
	}
	inner := identifierValue(id)
	t, ok := inner.(T)
	if !ok {
		return zero, fmt.Errorf("%q is a %s, not a %s", text,
			inner.ProtoReflect().Descriptor().Name(), zero.ProtoReflect().Descriptor().Name())
	}
	return t, nil
}
