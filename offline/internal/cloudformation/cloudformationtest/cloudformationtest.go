// Package cloudformationtest holds what the tests of each service's
// reading of a template share: a WebSocket API's template to edit, and
// bootstraps for its functions.
package cloudformationtest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"wsapi/offline/internal/cloudformation"
)

// WebSocketAPI is a template of a WebSocket API with a function, $connect
// behind a REQUEST authorizer and a hello route; edits change it for each
// case, a nil resource removing it.
func WebSocketAPI(edits map[string]any) string {
	uri := func(fn string) any {
		return map[string]any{"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${" + fn + ".Arn}/invocations"}
	}
	api := map[string]any{"Ref": "Api"}
	res := map[string]any{
		"Api": map[string]any{"Type": "AWS::ApiGatewayV2::Api", "Properties": map[string]any{
			"Name": "svc", "ProtocolType": "WEBSOCKET", "RouteSelectionExpression": "$request.body.action"}},
		"Stage": map[string]any{"Type": "AWS::ApiGatewayV2::Stage", "Properties": map[string]any{"ApiId": api, "StageName": "prod",
			"AccessLogSettings": map[string]any{"DestinationArn": "arn:aws:logs:x", "Format": "$context.requestId"}}},
		"Fn": map[string]any{"Type": "AWS::Lambda::Function", "Properties": map[string]any{
			"FunctionName": "svc-fn", "MemorySize": 256, "Timeout": "7", "TracingConfig": map[string]any{"Mode": "Active"},
			"Environment": map[string]any{"Variables": map[string]any{"TABLE": map[string]any{"Ref": "Table"}, "N": 3, "GONE": map[string]any{"Ref": "AWS::NoValue"}}}}},
		"Auth":  map[string]any{"Type": "AWS::Lambda::Function", "Properties": map[string]any{"FunctionName": "svc-auth"}},
		"Table": map[string]any{"Type": "AWS::DynamoDB::Table", "Properties": map[string]any{"TableName": "t"}},
		"Integration": map[string]any{"Type": "AWS::ApiGatewayV2::Integration", "Properties": map[string]any{
			"ApiId": api, "IntegrationType": "AWS_PROXY", "IntegrationUri": uri("Fn")}},
		"Authorizer": map[string]any{"Type": "AWS::ApiGatewayV2::Authorizer", "Properties": map[string]any{
			"ApiId": api, "AuthorizerType": "REQUEST", "AuthorizerUri": uri("Auth"), "IdentitySource": []any{"route.request.querystring.token"}}},
		"Connect": map[string]any{"Type": "AWS::ApiGatewayV2::Route", "Properties": map[string]any{
			"ApiId": api, "RouteKey": "$connect", "AuthorizationType": "CUSTOM", "AuthorizerId": map[string]any{"Ref": "Authorizer"},
			"Target": map[string]any{"Fn::Join": []any{"/", []any{"integrations", map[string]any{"Ref": "Integration"}}}}}},
		"Hello": map[string]any{"Type": "AWS::ApiGatewayV2::Route", "Properties": map[string]any{
			"ApiId": api, "RouteKey": "hello", "RouteResponseSelectionExpression": "$default",
			"Target": map[string]any{"Fn::Join": []any{"/", []any{"integrations", map[string]any{"Ref": "Integration"}}}}}},
		"HelloResponse": map[string]any{"Type": "AWS::ApiGatewayV2::RouteResponse", "Properties": map[string]any{
			"ApiId": api, "RouteId": map[string]any{"Ref": "Hello"}, "RouteResponseKey": "$default"}},
		"Role":       map[string]any{"Type": "AWS::IAM::Role", "Properties": map[string]any{}},
		"Permission": map[string]any{"Type": "AWS::Lambda::Permission", "Properties": map[string]any{"SourceArn": map[string]any{"Fn::Sub": "arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*"}}},
		"Logs":       map[string]any{"Type": "AWS::Logs::LogGroup", "Properties": map[string]any{}},
	}
	for k, v := range edits {
		if v == nil {
			delete(res, k)
		} else {
			res[k] = v
		}
	}
	b, _ := json.Marshal(map[string]any{"Resources": res,
		"Conditions": map[string]any{"Never": map[string]any{"Fn::Equals": []any{"a", "b"}}}})
	return string(b)
}

// WriteBootstraps writes an empty executable for each key, a bootstrap the
// gateway would run, each in a directory named for it.
func WriteBootstraps(t *testing.T, keys ...string) map[string]cloudformation.Bootstrap {
	t.Helper()
	dir := t.TempDir()
	out := map[string]cloudformation.Bootstrap{}
	for _, key := range keys {
		p := filepath.Join(dir, key, "bootstrap")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o755); err != nil {
			t.Fatal(err)
		}
		out[key] = cloudformation.Bootstrap{Key: key, Path: p}
	}
	return out
}

// Options places stacks as the tests of a template do, with a
// bootstrap for the functions svc-fn and svc-auth, keyed by their
// FunctionName.
func Options(t *testing.T) (cloudformation.Options, map[string]cloudformation.Bootstrap) {
	t.Helper()
	b := WriteBootstraps(t, "fn", "auth")
	return cloudformation.Options{Region: "ap-northeast-1", AccountID: "000000000000", StackName: "svc-prod", BuildCommand: "make offline-build",
		Bootstraps: map[string]cloudformation.Bootstrap{"svc-fn": b["fn"], "svc-auth": b["auth"]}}, b
}

// PlacedIn places a stack svc-dev in region of the account 123456789012,
// with a bootstrap for the function svc-fn, whose key is fn.
func PlacedIn(t *testing.T, region string) cloudformation.Options {
	t.Helper()
	return cloudformation.Options{Region: region, AccountID: "123456789012", StackName: "svc-dev",
		Bootstraps: map[string]cloudformation.Bootstrap{"svc-fn": WriteBootstraps(t, "fn")["fn"]}}
}
