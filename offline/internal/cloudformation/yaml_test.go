package cloudformation

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestTemplateJSON(t *testing.T) {
	tests := []struct{ name, yaml, json string }{
		{"Ref", `A: !Ref B`, `{"A": {"Ref": "B"}}`},
		{"Condition", `A: !Condition B`, `{"A": {"Condition": "B"}}`},
		{"GetAtt", `A: !GetAtt Fn.Arn`, `{"A": {"Fn::GetAtt": ["Fn", "Arn"]}}`},
		{"GetAtt with a dotted attribute", `A: !GetAtt Db.Endpoint.Address`, `{"A": {"Fn::GetAtt": ["Db", "Endpoint.Address"]}}`},
		{"GetAtt as a list", `A: !GetAtt [Fn, Arn]`, `{"A": {"Fn::GetAtt": ["Fn", "Arn"]}}`},
		{"Sub", `A: !Sub '${AWS::StackName}-t'`, `{"A": {"Fn::Sub": "${AWS::StackName}-t"}}`},
		{"Sub with variables", "A: !Sub\n  - '${X}'\n  - X: !Ref Y", `{"A": {"Fn::Sub": ["${X}", {"X": {"Ref": "Y"}}]}}`},
		{"Join", `A: !Join ['/', [integrations, !Ref I]]`, `{"A": {"Fn::Join": ["/", ["integrations", {"Ref": "I"}]]}}`},
		{"If", `A: !If [C, 1, !Ref AWS::NoValue]`, `{"A": {"Fn::If": ["C", 1, {"Ref": "AWS::NoValue"}]}}`},
		{"Select, Split and GetAZs", `A: !Select [0, !Split [',', !GetAZs '']]`, `{"A": {"Fn::Select": [0, {"Fn::Split": [",", {"Fn::GetAZs": ""}]}]}}`},
		{"conditions", `A: !And [!Equals [a, b], !Not [!Or [!Condition C, !Equals [c, d]]]]`,
			`{"A": {"Fn::And": [{"Fn::Equals": ["a", "b"]}, {"Fn::Not": [{"Fn::Or": [{"Condition": "C"}, {"Fn::Equals": ["c", "d"]}]}]}]}}`},
		{"FindInMap", `A: !FindInMap [M, !Ref AWS::Region, k]`, `{"A": {"Fn::FindInMap": ["M", {"Ref": "AWS::Region"}, "k"]}}`},
		{"Base64 of a long form", `A: !Base64 {Fn::Sub: x}`, `{"A": {"Fn::Base64": {"Fn::Sub": "x"}}}`},
		{"Cidr and ImportValue", `A: !Cidr [!ImportValue Vpc, 6, 5]`, `{"A": {"Fn::Cidr": [{"Fn::ImportValue": "Vpc"}, 6, 5]}}`},
		{"JSON as it is", `{"A": {"Ref": "B"}}`, `{"A": {"Ref": "B"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := templateJSON([]byte(tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			var got, want any
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(tt.json), &want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s reads as %s, want %s", tt.yaml, out, tt.json)
			}
		})
	}
}

func TestTemplateJSONRefuses(t *testing.T) {
	for _, in := range []string{"A: !Reference B", "A: [b", "{\"A\": "} {
		if _, err := Load([]byte(in), Options{}); err == nil {
			t.Errorf("%q read without an error", in)
		}
	}
	_, err := templateJSON([]byte("A:\n  B: !Reference C"))
	if err == nil || !strings.Contains(err.Error(), "line 2: !Reference is no CloudFormation intrinsic function") {
		t.Errorf("error %v, want the line and the tag", err)
	}
}
