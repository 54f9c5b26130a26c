package cloudformation

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

// stack is a WebSocket API with a function, $connect behind a REQUEST
// authorizer and a hello route; edits change it for each case.
func stack(edits map[string]any) string {
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

func TestServe(t *testing.T) {
	opts, _ := serveOptions(t)
	route := func(key string, props map[string]any) map[string]any {
		p := map[string]any{"ApiId": map[string]any{"Ref": "Api"}, "RouteKey": key,
			"Target": map[string]any{"Fn::Join": []any{"/", []any{"integrations", map[string]any{"Ref": "Integration"}}}}}
		for k, v := range props {
			p[k] = v
		}
		return map[string]any{"Type": "AWS::ApiGatewayV2::Route", "Properties": p}
	}
	tests := []struct {
		name    string
		edits   map[string]any
		routes  []string
		warning string // the one warning, "" for none
	}{
		{"as written", nil, []string{"$connect", "hello"}, ""},
		{"AWS_IAM", map[string]any{"Signed": route("signed", map[string]any{"AuthorizationType": "AWS_IAM"})},
			[]string{"$connect", "hello"}, "Signed: route signed: AuthorizationType AWS_IAM"},
		{"an HTTP integration", map[string]any{"Integration": map[string]any{"Type": "AWS::ApiGatewayV2::Integration", "Properties": map[string]any{
			"ApiId": map[string]any{"Ref": "Api"}, "IntegrationType": "HTTP_PROXY", "IntegrationUri": "https://x"}}, "Hello": nil, "HelloResponse": nil},
			nil, "Connect: route $connect: integration Integration is HTTP_PROXY https://x"},
		{"a function outside the template", map[string]any{"Integration": map[string]any{"Type": "AWS::ApiGatewayV2::Integration", "Properties": map[string]any{
			"ApiId": map[string]any{"Ref": "Api"}, "IntegrationType": "AWS_PROXY",
			"IntegrationUri": "arn:aws:apigateway:ap-northeast-1:lambda:path/2015-03-31/functions/arn:aws:lambda:ap-northeast-1:1:function:other/invocations"}},
			"Hello": nil, "HelloResponse": nil},
			nil, "Connect: route $connect: integration Integration calls arn:aws:apigateway:ap-northeast-1:lambda:path/2015-03-31/functions/arn:aws:lambda:ap-northeast-1:1:function:other/invocations, which is not a function of this template"},
		{"an authorizer's function with no bootstrap", map[string]any{"Auth": map[string]any{"Type": "AWS::Lambda::Function", "Properties": map[string]any{"FunctionName": "svc-other"}}},
			[]string{"hello"}, "Auth: function svc-other: no bootstrap was given: build it with `make offline-build`"},
		{"a route response without its expression", map[string]any{"Hello": route("hello", nil)},
			[]string{"$connect", "hello"}, "Hello: route hello has a RouteResponse but no RouteResponseSelectionExpression"},
		{"access logging, as the framework declares it", map[string]any{
			"AccountRole": map[string]any{"Type": "Custom::ApiGatewayAccountRole", "Properties": map[string]any{"ServiceToken": map[string]any{"Fn::GetAtt": []any{"Fn", "Arn"}}}}},
			[]string{"$connect", "hello"}, ""},
		{"a resource type not emulated", map[string]any{"Topic": map[string]any{"Type": "AWS::SNS::Topic", "Properties": map[string]any{}}},
			[]string{"$connect", "hello"}, "Topic: AWS::SNS::Topic is not emulated"},
		{"a global table", map[string]any{"Global": map[string]any{"Type": "AWS::DynamoDB::GlobalTable", "Properties": map[string]any{"TableName": "global"}}},
			[]string{"$connect", "hello"}, "Global: AWS::DynamoDB::GlobalTable is not made locally; only AWS::DynamoDB::Table is"},
		{"a route of a condition that does not hold", map[string]any{"Never": map[string]any{"Type": "AWS::ApiGatewayV2::Route", "Condition": "Never",
			"Properties": route("never", nil)["Properties"]}},
			[]string{"$connect", "hello"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Load([]byte(stack(tt.edits)), opts)
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for k := range s.Routes {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if !slices.Equal(keys, tt.routes) {
				t.Errorf("routes %q, want %q", keys, tt.routes)
			}
			switch {
			case tt.warning == "" && len(s.Warnings) != 0:
				t.Errorf("warnings %q, want none", s.Warnings)
			case tt.warning != "" && (len(s.Warnings) != 1 || !strings.HasPrefix(s.Warnings[0], tt.warning)):
				t.Errorf("warnings %q, want one beginning %q", s.Warnings, tt.warning)
			}
		})
	}

	s, err := Load([]byte(stack(nil)), opts)
	if err != nil {
		t.Fatal(err)
	}
	fn := s.Functions["fn"]
	if fn.Name != "svc-fn" || fn.MemoryMB != 256 || fn.Timeout != 7*time.Second || fn.Tracing != "Active" ||
		fn.Env["TABLE"] != "t" || fn.Env["N"] != "3" || len(fn.Env) != 2 {
		t.Errorf("function = %+v", fn)
	}
	if a := s.Routes["$connect"].Authorizer; a == nil || a.Function != "auth" || !slices.Equal(a.IdentitySource, []string{"route.request.querystring.token"}) {
		t.Errorf("$connect authorizer = %+v", a)
	}
	if !s.Routes["hello"].RouteResponse || s.Routes["$connect"].RouteResponse {
		t.Errorf("route responses: hello %v, $connect %v; want hello only", s.Routes["hello"].RouteResponse, s.Routes["$connect"].RouteResponse)
	}
	if s.Stage != "prod" || s.RouteSelectionExpression != "$request.body.action" || len(s.Tables) != 1 {
		t.Errorf("stage %q, expression %q, %d tables", s.Stage, s.RouteSelectionExpression, len(s.Tables))
	}
}
