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

// TestYAMLServesAsJSON reads the same stack written in YAML with short
// forms and in JSON.
func TestYAMLServesAsJSON(t *testing.T) {
	opts, _ := serveOptions(t)
	const yml = `
Conditions:
  Never: !Equals [a, b]
Resources:
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: svc, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Api, StageName: !If [Never, never, prod]}
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: svc-fn
      Environment:
        Variables:
          TABLE: !Select [1, !Split ['/', !GetAtt Table.Arn]]
  Table:
    Type: AWS::DynamoDB::Table
    Properties: {TableName: !Sub '${AWS::StackName}-t'}
  Integration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: AWS_PROXY
      IntegrationUri: !Sub arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
  Hello:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: hello, Target: !Join ['/', [integrations, !Ref Integration]]}
`
	const js = `{
  "Conditions": {"Never": {"Fn::Equals": ["a", "b"]}},
  "Resources": {
    "Api": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {"Name": "svc", "ProtocolType": "WEBSOCKET", "RouteSelectionExpression": "$request.body.action"}},
    "Stage": {"Type": "AWS::ApiGatewayV2::Stage", "Properties": {"ApiId": {"Ref": "Api"}, "StageName": {"Fn::If": ["Never", "never", "prod"]}}},
    "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "svc-fn",
      "Environment": {"Variables": {"TABLE": {"Fn::Select": [1, {"Fn::Split": ["/", {"Fn::GetAtt": ["Table", "Arn"]}]}]}}}}},
    "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": {"Fn::Sub": "${AWS::StackName}-t"}}},
    "Integration": {"Type": "AWS::ApiGatewayV2::Integration", "Properties": {"ApiId": {"Ref": "Api"}, "IntegrationType": "AWS_PROXY",
      "IntegrationUri": {"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"}}},
    "Hello": {"Type": "AWS::ApiGatewayV2::Route", "Properties": {"ApiId": {"Ref": "Api"}, "RouteKey": "hello",
      "Target": {"Fn::Join": ["/", ["integrations", {"Ref": "Integration"}]]}}}
  }
}`
	fromYAML, err := Load([]byte(yml), opts)
	if err != nil {
		t.Fatal(err)
	}
	fromJSON, err := Load([]byte(js), opts)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromYAML, fromJSON) {
		t.Errorf("from YAML:\n%+v\nfrom JSON:\n%+v", fromYAML, fromJSON)
	}
	if fn := fromYAML.Functions["fn"]; fromYAML.Stage != "prod" || fn.Env["TABLE"] != "svc-prod-t" || len(fromYAML.Routes) != 1 {
		t.Errorf("stage %q, TABLE %q, routes %v", fromYAML.Stage, fn.Env["TABLE"], fromYAML.Routes)
	}
}
