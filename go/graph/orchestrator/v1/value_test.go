package orchestratorpb_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoregistry"

	buildpb "go.chromium.org/turboci/proto/go/data/build/v1"
	_ "go.chromium.org/turboci/proto/go/data/common/v1"
	_ "go.chromium.org/turboci/proto/go/data/source/v1"
	testpb "go.chromium.org/turboci/proto/go/data/test/v1"
	orchestratorpb "go.chromium.org/turboci/proto/go/graph/orchestrator/v1"
	_ "go.chromium.org/turboci/proto/go/stages/build/v1"
	_ "go.chromium.org/turboci/proto/go/stages/source/v1"
	_ "go.chromium.org/turboci/proto/go/stages/test/v1"
)

var (
	result  = &buildpb.BuildCheckResult{Status: buildpb.BuildStatus_BUILD_STATUS_SUCCEEDED.Enum()}
	options = &testpb.TestCheckOptions{Suites: []string{"base_unittests"}, Variant: map[string]string{"os": "linux", "cpu": "x86-64"}}
)

// answer builds references and a value_data map as the orchestrator sends
// them.
func answer(t *testing.T, msgs ...proto.Message) ([]*orchestratorpb.ValueRef, map[string]*orchestratorpb.ValueData) {
	t.Helper()
	var refs []*orchestratorpb.ValueRef
	data := map[string]*orchestratorpb.ValueData{}
	for _, m := range msgs {
		d, err := orchestratorpb.DigestOf(m)
		if err != nil {
			t.Fatal(err)
		}
		packed, err := orchestratorpb.PackValue(m)
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, &orchestratorpb.ValueRef{TypeUrl: proto.String(packed.GetTypeUrl()), Digest: d})
		data[d.GetSha256()] = &orchestratorpb.ValueData{Data: &orchestratorpb.ValueData_Binary{Binary: packed}}
	}
	return refs, data
}

func TestLookupReturnsTypedMessage(t *testing.T) {
	refs, data := answer(t, result, options)
	got, err := orchestratorpb.LookupValue[*buildpb.BuildCheckResult](refs[0], data)
	if err != nil || !proto.Equal(got, result) {
		t.Errorf("LookupValue = %v, %v", got, err)
	}
	opts, err := orchestratorpb.LookupValue[*testpb.TestCheckOptions](refs[1], data)
	if err != nil || !proto.Equal(opts, options) {
		t.Errorf("LookupValue = %v, %v", opts, err)
	}
}

func TestLookupReadsJSON(t *testing.T) {
	d, _ := orchestratorpb.DigestOf(options)
	typeURL := orchestratorpb.TypeURLPrefix + "turboci.data.test.v1.TestCheckOptions"
	js, err := protojson.Marshal(options)
	if err != nil {
		t.Fatal(err)
	}
	ref := &orchestratorpb.ValueRef{TypeUrl: proto.String(typeURL), Digest: d}
	data := map[string]*orchestratorpb.ValueData{d.GetSha256(): {Data: &orchestratorpb.ValueData_Json{
		Json: &orchestratorpb.JsonValue{TypeUrl: proto.String(typeURL), Json: proto.String(string(js))},
	}}}
	got, err := orchestratorpb.LookupValue[*testpb.TestCheckOptions](ref, data)
	if err != nil || !proto.Equal(got, options) {
		t.Errorf("LookupValue(JSON) = %v, %v", got, err)
	}
}

func TestOmittedValueReportsReason(t *testing.T) {
	for r := range orchestratorpb.OmissionReason_name {
		if r == 0 {
			continue
		}
		reason := orchestratorpb.OmissionReason(r)
		ref := &orchestratorpb.ValueRef{
			TypeUrl: proto.String(orchestratorpb.TypeURLPrefix + "turboci.data.build.v1.BuildCheckResult"),
			Omitted: reason.Enum(),
		}
		_, err := orchestratorpb.LookupValue[*buildpb.BuildCheckResult](ref, nil)
		var omitted *orchestratorpb.OmittedError
		if !errors.As(err, &omitted) || omitted.Reason != reason {
			t.Errorf("reason %s: err = %v", reason, err)
		}
	}
}

func TestWrongTypeAndMissingData(t *testing.T) {
	refs, data := answer(t, result)
	if _, err := orchestratorpb.LookupValue[*buildpb.BuildCheckOptions](refs[0], data); !errors.Is(err, orchestratorpb.ErrValueType) {
		t.Errorf("wrong type: err = %v", err)
	}
	if _, err := orchestratorpb.LookupValue[*buildpb.BuildCheckResult](refs[0], nil); !errors.Is(err, orchestratorpb.ErrValueMissing) {
		t.Errorf("missing data: err = %v", err)
	}
	noDigest := &orchestratorpb.ValueRef{TypeUrl: refs[0].TypeUrl}
	if _, err := orchestratorpb.LookupValue[*buildpb.BuildCheckResult](noDigest, data); !errors.Is(err, orchestratorpb.ErrValueMissing) {
		t.Errorf("no digest: err = %v", err)
	}
}

func TestFindValue(t *testing.T) {
	refs, data := answer(t, result, options)
	got, found, err := orchestratorpb.FindValue[*testpb.TestCheckOptions](refs, data)
	if err != nil || !found || !proto.Equal(got, options) {
		t.Errorf("FindValue = %v, %v, %v", got, found, err)
	}
	if _, found, err := orchestratorpb.FindValue[*buildpb.BuildCheckOptions](refs, data); found || err != nil {
		t.Errorf("FindValue of an absent type = %v, %v", found, err)
	}
}

func TestDigestIsSHA256OfDeterministicAny(t *testing.T) {
	d, err := orchestratorpb.DigestOf(options)
	if err != nil {
		t.Fatal(err)
	}
	packed, _ := orchestratorpb.PackValue(options)
	b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(packed)
	sum := sha256.Sum256(b)
	if d.GetSha256() != hex.EncodeToString(sum[:]) || d.GetSizeBytes() != int64(len(b)) {
		t.Errorf("DigestOf = %v", d)
	}
}

// The example workplan's digests were computed in Python; Go must agree on
// every one, or the two languages would disagree on value identity.
func TestExampleDigestsAgreeAcrossLanguages(t *testing.T) {
	path := filepath.Join("..", "..", "..", "..", "examples", "presubmit_workplan.txtpb")
	text, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		t.Skip("no examples/ beside the module (not a checkout of the repo)")
	} else if err != nil {
		t.Fatal(err)
	}
	var plan orchestratorpb.WorkPlan
	if err := prototext.Unmarshal(text, &plan); err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	if len(plan.GetValueData()) == 0 {
		t.Fatal("example has no values")
	}
	for key, vd := range plan.GetValueData() {
		mt, err := protoregistry.GlobalTypes.FindMessageByURL(vd.GetBinary().GetTypeUrl())
		if err != nil {
			t.Fatal(err)
		}
		msg := mt.New().Interface()
		if err := vd.GetBinary().UnmarshalTo(msg); err != nil {
			t.Fatal(err)
		}
		d, err := orchestratorpb.DigestOf(msg)
		if err != nil {
			t.Fatal(err)
		}
		if d.GetSha256() != key {
			t.Errorf("%s: Go digest %s differs from the example's key %s", vd.GetBinary().GetTypeUrl(), d.GetSha256(), key)
		}
	}
}
