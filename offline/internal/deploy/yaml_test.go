package deploy

import (
	"reflect"
	"testing"

	"wsapi/offline/internal/cloudformation/cloudformationtest"
)

// TestYAMLServesAsJSON reads the same stack written in YAML with short
// forms and in JSON.
func TestYAMLServesAsJSON(t *testing.T) {
	opts, _ := cloudformationtest.Options(t)
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
	fromYAML, err := Load([]byte(yml), Options{Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	fromJSON, err := Load([]byte(js), Options{Options: opts})
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
