package rehearsal

import (
	"encoding/json"
	"regexp"
	"slices"
	"testing"
)

// The resolver against a stack of known values: each template value must
// match what AWS would have made of it, and nothing else.
func TestPattern(t *testing.T) {
	d := &deployed{
		stack:     "svc-dev",
		account:   "123456789012",
		physical:  map[string]string{"Queue": "https://sqs.example/123456789012/q", "Table": "svc-dev-t"},
		unmodeled: map[string]string{"Api": "AWS::ApiGatewayV2::Api"},
		arns: map[string]string{
			"Table": regexp.QuoteMeta("arn:aws:dynamodb:ap-northeast-1:123456789012:table/svc-dev-t"),
			"Logs":  regexp.QuoteMeta("arn:aws:logs:ap-northeast-1:123456789012:log-group:/aws/lambda/f") + `(:\*)?`,
		},
	}
	tests := []struct {
		template string
		match    []string
		refuse   []string
	}{
		{`"literal"`, []string{"literal"}, []string{"literal2", "Literal"}},
		{`128`, []string{"128"}, []string{"1280"}},
		{`{"Ref":"Queue"}`, []string{"https://sqs.example/123456789012/q"}, []string{"https://sqs.example/123456789012/q2"}},
		{`{"Fn::GetAtt":["Table","Arn"]}`, []string{"arn:aws:dynamodb:ap-northeast-1:123456789012:table/svc-dev-t"},
			[]string{"arn:aws:dynamodb:ap-northeast-1:123456789012:table/svc-dev-t/index/byUser"}},
		{`{"Fn::GetAtt":["Logs","Arn"]}`, []string{"arn:aws:logs:ap-northeast-1:123456789012:log-group:/aws/lambda/f",
			"arn:aws:logs:ap-northeast-1:123456789012:log-group:/aws/lambda/f:*"},
			[]string{"arn:aws:logs:ap-northeast-1:123456789012:log-group:/aws/lambda/f2"}},
		{`{"Fn::Join":["",[{"Fn::GetAtt":["Table","Arn"]},"/index/byUser"]]}`,
			[]string{"arn:aws:dynamodb:ap-northeast-1:123456789012:table/svc-dev-t/index/byUser"},
			[]string{"arn:aws:dynamodb:ap-northeast-1:123456789012:table/svc-dev-t"}},
		{`{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":execute-api:",{"Ref":"AWS::Region"},":",{"Ref":"AWS::AccountId"},":",{"Ref":"Api"},"/dev/POST/@connections/*"]]}`,
			[]string{"arn:aws:execute-api:ap-northeast-1:123456789012:None/dev/POST/@connections/*", "arn:aws:execute-api:ap-northeast-1:123456789012:abc123/dev/POST/@connections/*"},
			[]string{"arn:aws:execute-api:ap-northeast-1:123456789012:abc/x/dev/POST/@connections/*", "arn:aws:execute-api:ap-northeast-1:999999999999:abc/dev/POST/@connections/*"}},
		{`{"Fn::Sub":"arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*"}`,
			[]string{"arn:aws:execute-api:ap-northeast-1:123456789012:abc123/*"}, []string{"arn:aws:execute-api:us-east-1:123456789012:abc123/*"}},
		{`{"Fn::Sub":["${T}/index/${!Literal}",{"T":{"Fn::GetAtt":["Table","Arn"]}}]}`,
			[]string{"arn:aws:dynamodb:ap-northeast-1:123456789012:table/svc-dev-t/index/${Literal}"},
			[]string{"arn:aws:dynamodb:ap-northeast-1:123456789012:table/svc-dev-t/index/${!Literal}"}},
	}
	for _, tt := range tests {
		var v any
		if err := json.Unmarshal([]byte(tt.template), &v); err != nil {
			t.Fatal(err)
		}
		for _, s := range tt.match {
			if !d.matches(t, v, s) {
				t.Errorf("%s does not match %q", tt.template, s)
			}
		}
		for _, s := range tt.refuse {
			if d.matches(t, v, s) {
				t.Errorf("%s matches %q", tt.template, s)
			}
		}
	}
	if _, err := d.pattern(map[string]any{"Ref": "Missing"}); err == nil {
		t.Error("a Ref to no resource: want an error")
	}
	if _, err := d.pattern(map[string]any{"Fn::GetAtt": []any{"Table", "StreamArn"}}); err == nil {
		t.Error("an attribute not read back: want an error")
	}
}

func TestPolicyStatements(t *testing.T) {
	want := []statement{
		{Effect: "Allow", Actions: []string{"logs:CreateLogStream", "logs:PutLogEvents"}, Resources: []string{"arn:x"}},
		{Effect: "Allow", Actions: []string{"xray:PutTraceSegments"}, Resources: []string{"*"}},
	}
	for _, doc := range []string{
		// AWS: URL-encoded JSON.
		`%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%5B%22logs%3APutLogEvents%22%2C%22logs%3ACreateLogStream%22%5D%2C%22Resource%22%3A%22arn%3Ax%22%7D%2C%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22xray%3APutTraceSegments%22%2C%22Resource%22%3A%5B%22*%22%5D%7D%5D%7D`,
		// moto: Python's rendering.
		`{'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['logs:CreateLogStream', 'logs:PutLogEvents'], 'Resource': 'arn:x'}, {'Effect': 'Allow', 'Action': 'xray:PutTraceSegments', 'Resource': ['*']}]}`,
	} {
		got, err := policyStatements(doc)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(got, want, func(a, b statement) bool {
			return a.Effect == b.Effect && slices.Equal(a.Actions, b.Actions) && slices.Equal(a.Resources, b.Resources)
		}) {
			t.Errorf("policyStatements(%.40s…) = %+v, want %+v", doc, got, want)
		}
	}
	if _, err := policyStatements("not a policy"); err == nil {
		t.Error("not a policy: want an error")
	}
}

func TestSameResources(t *testing.T) {
	d := &deployed{physical: map[string]string{"A": "a", "B": "b"}}
	both := []any{map[string]any{"Ref": "A"}, map[string]any{"Ref": "B"}}
	tests := []struct {
		want any
		got  []string
		same bool
	}{
		{both, []string{"b", "a"}, true},
		{both, []string{"a", "a"}, false},
		{both, []string{"a"}, false},
		{both, []string{"a", "b", "c"}, false},
		{map[string]any{"Ref": "A"}, []string{"a"}, true},
		{"*", []string{"*"}, true},
		{"*", []string{"a"}, false},
	}
	for _, tt := range tests {
		if got := d.sameResources(t, tt.want, tt.got); got != tt.same {
			t.Errorf("sameResources(%v, %v) = %v, want %v", tt.want, tt.got, got, tt.same)
		}
	}
}
