package idspb

import (
	"math"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
)

func wp() *WorkPlanId { return &WorkPlanId{Id: proto.String("20260302-ps-4f1c")} }
func check() *CheckId {
	return &CheckId{WorkPlan: wp(), Id: proto.String("build/linux")}
}
func stage() *StageId {
	return &StageId{WorkPlan: wp(), Id: proto.String("build-linux")}
}

// Every kind of ID with its documented compact form.
var cases = []struct {
	id   proto.Message
	text string
}{
	{wp(), "W20260302-ps-4f1c"},
	{check(), "W20260302-ps-4f1c:Cbuild/linux"},
	{&CheckResultId{Check: check(), Number: proto.Int32(1)}, "W20260302-ps-4f1c:Cbuild/linux:R1"},
	{&CheckEditId{Check: check(), Number: proto.Int32(3)}, "W20260302-ps-4f1c:Cbuild/linux:E3"},
	{stage(), "W20260302-ps-4f1c:Sbuild-linux"},
	{&StageAttemptId{Stage: stage(), Number: proto.Int32(2)}, "W20260302-ps-4f1c:Sbuild-linux:A2"},
	{&StageEditId{Stage: stage(), Number: proto.Int32(12)}, "W20260302-ps-4f1c:Sbuild-linux:E12"},
}

func TestRoundTrip(t *testing.T) {
	for _, c := range cases {
		got, err := Format(c.id)
		if err != nil || got != c.text {
			t.Errorf("Format(%v) = %q, %v; want %q", c.id, got, err, c.text)
		}
		parsed, err := Parse(c.text)
		if err != nil {
			t.Fatalf("Parse(%q): %v", c.text, err)
		}
		if inner := identifierValue(parsed); !proto.Equal(inner, c.id) {
			t.Errorf("Parse(%q) = %v; want %v", c.text, inner, c.id)
		}
		if again := MustFormat(parsed); again != c.text {
			t.Errorf("Format(Parse(%q)) = %q", c.text, again)
		}
	}
}

func TestParseAs(t *testing.T) {
	a, err := ParseAs[*StageAttemptId]("Wx:Sa:A2147483647")
	if err != nil || a.GetNumber() != math.MaxInt32 || a.GetStage().GetId() != "a" {
		t.Errorf("ParseAs = %v, %v", a, err)
	}
	if _, err := ParseAs[*CheckId]("Wx:Sbuild"); err == nil || !strings.Contains(err.Error(), "is a StageId, not a CheckId") {
		t.Errorf("ParseAs of a stage as a check: %v", err)
	}
}

func TestCheckAndStageEditsAreToldApart(t *testing.T) {
	if id, _ := Parse("Wx:Ca:E1"); id.GetCheckEdit() == nil {
		t.Errorf("Wx:Ca:E1 = %v", id)
	}
	if id, _ := Parse("Wx:Sa:E1"); id.GetStageEdit() == nil {
		t.Errorf("Wx:Sa:E1 = %v", id)
	}
}

func TestParseRejectsMalformed(t *testing.T) {
	for _, text := range []string{
		"", "W", "X123", "w123", "Wa b", "Wx:", "Wx:C", "Wx:Qname", "Wx:Ca:A1", "Wx:Sa:R1",
		"Wx:Sa:A0", "Wx:Sa:A01", "Wx:Sa:A-1", "Wx:Sa:A+1", "Wx:Sa:A1x", "Wx:Sa:A2147483648",
		"Wx:Sa:A1:E1", "Wx:Ca:R", "W" + strings.Repeat("a", 129), "Wx:Cé",
	} {
		if id, err := Parse(text); err == nil {
			t.Errorf("Parse(%q) = %v; want an error", text, id)
		}
	}
}

func TestFormatRejectsWhatWouldNotParseBack(t *testing.T) {
	for _, id := range []proto.Message{
		&WorkPlanId{},
		&CheckId{Id: proto.String("a")},
		&CheckId{WorkPlan: wp(), Id: proto.String("a:b")},
		&StageAttemptId{Stage: stage()},
		&CheckResultId{Check: check(), Number: proto.Int32(-1)},
		&Identifier{},
		&WorkPlanId{Id: proto.String(strings.Repeat("a", 129))},
	} {
		if s, err := Format(id); err == nil {
			t.Errorf("Format(%v) = %q; want an error", id, s)
		}
	}
}

func TestLongestNameIsAccepted(t *testing.T) {
	long := strings.Repeat("a", 128)
	if s, err := Format(&WorkPlanId{Id: proto.String(long)}); err != nil || s != "W"+long {
		t.Errorf("Format(128 chars) = %q, %v", s, err)
	}
}
