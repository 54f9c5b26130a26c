package gateway

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// TestAuthorizerPolicy: what an authorizer's answer grants, as API Gateway
// evaluates it.
func TestAuthorizerPolicy(t *testing.T) {
	const arn = "arn:aws:execute-api:ap-northeast-1:123456789012:a1b2c3d4e5/local/$connect"
	stmt := func(effect, action, resource string) string {
		return `{"Effect":"` + effect + `","Action":` + action + `,"Resource":` + resource + `}`
	}
	answer := func(context string, statements ...string) string {
		return `{"principalId":"user-1","policyDocument":{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]},"context":` + context + `}`
	}
	allow := stmt("Allow", `"execute-api:Invoke"`, `"`+arn+`"`)
	tests := []struct {
		name       string
		out        string
		wantStatus int
		want       map[string]any
	}{
		{"allow", answer(`{}`, allow), 200, map[string]any{"principalId": "user-1"}},
		{"deny", answer(`{}`, stmt("Deny", `"execute-api:Invoke"`, `"`+arn+`"`)), 403, nil},
		{"deny wins over allow, in either order", answer(`{}`, allow, stmt("Deny", `"execute-api:Invoke"`, `"arn:aws:execute-api:*"`)), 403, nil},
		{"deny first, then allow", answer(`{}`, stmt("Deny", `"*"`, `"*"`), allow), 403, nil},
		{"no statement matches", answer(`{}`, stmt("Allow", `"execute-api:Invoke"`, `"arn:aws:execute-api:ap-northeast-1:123456789012:other/*"`)), 403, nil},
		{"wildcard across the ARN's slashes", answer(`{}`, stmt("Allow", `"execute-api:Invoke"`, `"arn:aws:execute-api:ap-northeast-1:123456789012:a1b2c3d4e5/*"`)), 200, map[string]any{"principalId": "user-1"}},
		{"wildcard for any stage", answer(`{}`, stmt("Allow", `"execute-api:Invoke"`, `"arn:aws:execute-api:*:*:a1b2c3d4e5/*/$connect"`)), 200, map[string]any{"principalId": "user-1"}},
		{"? matches one character", answer(`{}`, stmt("Allow", `"execute-api:Invoke"`, `"arn:aws:execute-api:ap-northeast-1:123456789012:a1b2c3d4e?/local/$connect"`)), 200, map[string]any{"principalId": "user-1"}},
		{"brackets are literal", answer(`{}`, stmt("Allow", `"execute-api:Invoke"`, `"arn:aws:execute-api:ap-northeast-1:123456789012:[a]1b2c3d4e5/local/$connect"`)), 403, nil},
		{"lists of actions and resources", answer(`{}`, stmt("Allow", `["s3:GetObject","execute-api:*"]`, `["arn:aws:s3:::b/*","`+arn+`"]`)), 200, map[string]any{"principalId": "user-1"}},
		{"another action only", answer(`{}`, stmt("Allow", `"execute-api:ManageConnections"`, `"*"`)), 403, nil},
		{"effect is case-sensitive", answer(`{}`, stmt("allow", `"execute-api:Invoke"`, `"`+arn+`"`)), 403, nil},
		{"several statements, one allows", answer(`{}`, stmt("Allow", `"execute-api:Invoke"`, `"arn:aws:execute-api:*:*:x/*"`), allow), 200, map[string]any{"principalId": "user-1"}},
		{"a single statement, not in a list", `{"principalId":"user-1","policyDocument":{"Statement":` + allow + `}}`, 200, map[string]any{"principalId": "user-1"}},
		{"context passes through", answer(`{"tenant":"t1","admin":true,"n":3}`, allow), 200, map[string]any{"principalId": "user-1", "tenant": "t1", "admin": true, "n": float64(3)}},
		{"context cannot replace principalId", answer(`{"principalId":"admin"}`, allow), 200, map[string]any{"principalId": "user-1"}},
		{"context value that is an object", answer(`{"nested":{"a":1}}`, allow), 500, nil},
		{"no principalId", `{"policyDocument":{"Statement":[` + allow + `]}}`, 500, nil},
		{"not JSON", `Allow`, 500, nil},
		{"a result over 8 KB", answer(`{"pad":"`+strings.Repeat("x", 8<<10)+`"}`, allow), 500, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, status := decide([]byte(tt.out), arn)
			if status != tt.wantStatus || (tt.want != nil && !reflect.DeepEqual(got, tt.want)) {
				t.Errorf("decide = %.200v %d, want %v %d", got, status, tt.want, tt.wantStatus)
			}
			if status != http.StatusOK && got != nil {
				t.Errorf("a refusal grants %v", got)
			}
		})
	}
}
