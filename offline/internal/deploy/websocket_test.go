package deploy

import (
	"slices"
	"strings"
	"testing"
	"time"

	"wsapi/offline/internal/cloudformation/cloudformationtest"
)

func TestServe(t *testing.T) {
	opts, _ := cloudformationtest.Options(t)
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
		{"a route of a condition that does not hold", map[string]any{"Never": map[string]any{"Type": "AWS::ApiGatewayV2::Route", "Condition": "Never",
			"Properties": route("never", nil)["Properties"]}},
			[]string{"$connect", "hello"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Load([]byte(cloudformationtest.WebSocketAPI(tt.edits)), Options{Options: opts})
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

	s, err := Load([]byte(cloudformationtest.WebSocketAPI(nil)), Options{Options: opts})
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

// TestWarningsOrder expects the services' warnings in the order they read
// the template, and the resources none of them reads named last.
func TestWarningsOrder(t *testing.T) {
	opts, _ := cloudformationtest.Options(t)
	s, err := Load([]byte(cloudformationtest.WebSocketAPI(map[string]any{
		"ATopic": map[string]any{"Type": "AWS::SNS::Topic", "Properties": map[string]any{}},
		"Global": map[string]any{"Type": "AWS::DynamoDB::GlobalTable", "Properties": map[string]any{"TableName": "global"}},
		"Jobs":   map[string]any{"Type": "AWS::SQS::Queue", "Properties": map[string]any{"QueueName": "jobs.fifo", "FifoQueue": true}},
		"Other":  map[string]any{"Type": "AWS::ApiGatewayV2::Api", "Properties": map[string]any{"ProtocolType": "HTTP"}},
	})), Options{Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Other: a HTTP API", "Global: AWS::DynamoDB::GlobalTable", "Jobs: a FIFO queue", "ATopic: AWS::SNS::Topic is not emulated"}
	if len(s.Warnings) != len(want) {
		t.Fatalf("warnings %q, want %d beginning %q", s.Warnings, len(want), want)
	}
	for i, w := range want {
		if !strings.HasPrefix(s.Warnings[i], w) {
			t.Errorf("warning %d is %q, want one beginning %q", i, s.Warnings[i], w)
		}
	}
}
