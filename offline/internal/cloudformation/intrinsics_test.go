package cloudformation

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// resolveIn resolves value in a template of resources, parameters and
// conditions given as JSON.
func resolveIn(t *testing.T, tpl, value string) (any, []string, error) {
	t.Helper()
	var doc document
	if err := json.Unmarshal([]byte(tpl), &doc); err != nil {
		t.Fatal(err)
	}
	r, err := newResolver(doc, Options{Region: "ap-northeast-1", AccountID: "000000000000", StackName: "svc-local"})
	if err != nil {
		return nil, nil, err
	}
	var v any
	if err := json.Unmarshal([]byte(value), &v); err != nil {
		t.Fatal(err)
	}
	out, err := r.resolve("Test", v)
	return out, r.warnings, err
}

const intrinsicsTemplate = `{
  "Parameters": {"Env": {"Type": "String", "Default": "dev"}},
  "Conditions": {
    "IsDev": {"Fn::Equals": [{"Ref": "Env"}, "dev"]},
    "IsProd": {"Fn::Not": [{"Condition": "IsDev"}]}
  },
  "Resources": {
    "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": {"Fn::Sub": "${AWS::StackName}-table"}}},
    "Unnamed": {"Type": "AWS::DynamoDB::Table", "Properties": {}},
    "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "svc-local-fn"}},
    "Api": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {"ProtocolType": "WEBSOCKET"}},
    "Role": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "r"}},
    "Topic": {"Type": "AWS::SNS::Topic", "Properties": {}},
    "Loop": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": {"Ref": "Loop"}}}
  }
}`

func TestIntrinsics(t *testing.T) {
	tests := []struct {
		name, value string
		want        any
	}{
		{"Ref of a parameter", `{"Ref": "Env"}`, "dev"},
		{"pseudo parameters", `{"Fn::Join": [":", [{"Ref": "AWS::Partition"}, {"Ref": "AWS::Region"}, {"Ref": "AWS::AccountId"}, {"Ref": "AWS::StackName"}, {"Ref": "AWS::URLSuffix"}]]}`,
			"aws:ap-northeast-1:000000000000:svc-local:amazonaws.com"},
		{"Ref of a table is its name", `{"Ref": "Table"}`, "svc-local-table"},
		{"a table without a name gets one made up", `{"Ref": "Unnamed"}`, "svc-local-Unnamed-" + physicalSuffix("Unnamed")},
		{"GetAtt Arn of a table", `{"Fn::GetAtt": ["Table", "Arn"]}`, "arn:aws:dynamodb:ap-northeast-1:000000000000:table/svc-local-table"},
		{"GetAtt in dotted form", `{"Fn::GetAtt": "Fn.Arn"}`, "arn:aws:lambda:ap-northeast-1:000000000000:function:svc-local-fn"},
		{"Ref of a function is its name", `{"Ref": "Fn"}`, "svc-local-fn"},
		{"Ref of an API is its id", `{"Ref": "Api"}`, physicalID("svc-local", "Api")},
		{"GetAtt of a role", `{"Fn::GetAtt": ["Role", "Arn"]}`, "arn:aws:iam::000000000000:role/r"},
		{"Ref of a topic is its ARN", `{"Ref": "Topic"}`, "arn:aws:sns:ap-northeast-1:000000000000:svc-local-Topic-" + physicalSuffix("Topic")},
		{"Sub of pseudo parameters, Refs and attributes", `{"Fn::Sub": "${AWS::Region}/${Table}/${Fn.Arn}/${!Literal}"}`,
			"ap-northeast-1/svc-local-table/arn:aws:lambda:ap-northeast-1:000000000000:function:svc-local-fn/${Literal}"},
		{"Sub with variables", `{"Fn::Sub": ["${A}-${Env}", {"A": {"Ref": "Table"}}]}`, "svc-local-table-dev"},
		{"Select of Split", `{"Fn::Select": [1, {"Fn::Split": ["/", {"Fn::GetAtt": ["Table", "Arn"]}]}]}`, "svc-local-table"},
		{"Select with a string index", `{"Fn::Select": ["0", ["a", "b"]]}`, "a"},
		{"If on a condition", `{"Fn::If": ["IsDev", "yes", "no"]}`, "yes"},
		{"If on a condition made of another", `{"Fn::If": ["IsProd", "yes", "no"]}`, "no"},
		{"If with NoValue", `{"Fn::If": ["IsProd", "x", {"Ref": "AWS::NoValue"}]}`, nil},
		{"nested in mappings and lists", `{"a": [{"Ref": "Env"}, 1, true]}`, map[string]any{"a": []any{"dev", 1.0, true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, warnings, err := resolveIn(t, intrinsicsTemplate, tt.value)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s = %#v, want %#v", tt.value, got, tt.want)
			}
			if len(warnings) != 0 {
				t.Errorf("warnings %q", warnings)
			}
		})
	}
}

func TestIntrinsicsRefused(t *testing.T) {
	tests := []struct{ name, value, want string }{
		{"Ref of nothing", `{"Ref": "Nothing"}`, "Test: Ref Nothing: no such parameter or resource"},
		{"GetAtt of nothing", `{"Fn::GetAtt": ["Nothing", "Arn"]}`, "Test: Fn::GetAtt Nothing.Arn: no such resource"},
		{"Select out of range", `{"Fn::Select": [2, ["a"]]}`, "Test: Fn::Select: index 2 is outside a list of 1"},
		{"Select negative", `{"Fn::Select": [-1, ["a"]]}`, "Test: Fn::Select: index -1 is outside a list of 1"},
		{"Select without a list", `{"Fn::Select": [0]}`, "Test: Fn::Select takes [index, list]"},
		{"Split of a number", `{"Fn::Split": [",", 5]}`, "Test: Fn::Split takes [delimiter, string]"},
		{"a name made of itself", `{"Ref": "Loop"}`, "Loop names itself through TableName"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := resolveIn(t, intrinsicsTemplate, tt.value)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: error %v, want one containing %q", tt.value, err, tt.want)
			}
		})
	}
}

func TestIntrinsicsWarned(t *testing.T) {
	tests := []struct{ name, value, want string }{
		{"ImportValue", `{"Fn::ImportValue": "other-stack-TableName"}`, "Test: Fn::ImportValue other-stack-TableName: another stack's export is not known offline"},
		{"an attribute not known", `{"Fn::GetAtt": ["Table", "Nonsense"]}`, "Test: Fn::GetAtt Table.Nonsense: the gateway does not know this return value of AWS::DynamoDB::Table"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, warnings, err := resolveIn(t, intrinsicsTemplate, tt.value)
			if err != nil {
				t.Fatal(err)
			}
			if got != "" || len(warnings) != 1 || !strings.HasPrefix(warnings[0], tt.want) {
				t.Errorf("%s = %q, warnings %q; want \"\" and one warning beginning %q", tt.value, got, warnings, tt.want)
			}
		})
	}
}
