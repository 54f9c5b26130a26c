package slsconfig

import (
	"reflect"
	"strings"
	"testing"
)

func TestRoutes(t *testing.T) {
	const functions = `
service: svc
functions:
  auth:
    handler: bootstrap
  connect:
    handler: bootstrap
    events:
      - websocket:
          route: $connect
          authorizer: %s
  other:
    handler: bootstrap
    events:
      - http: GET /
      - schedule: rate(1 minute)
      - websocket: $default
      - websocket:
          route: echo
          routeResponseSelectionExpression: $default
`
	rest := []Route{
		{Key: "$default", Function: "other"},
		{Key: "echo", Function: "other", RouteResponseSelectionExpression: "$default"},
	}
	tests := []struct {
		name       string
		authorizer string
		want       *Authorizer
		warning    string
	}{{
		name:       "function key",
		authorizer: "auth",
		want:       &Authorizer{Function: "auth", IdentitySource: []string{"route.request.header.Auth"}},
	}, {
		name:       "name and identity sources",
		authorizer: "{name: auth, identitySource: [route.request.querystring.token, route.request.header.X]}",
		want: &Authorizer{Function: "auth",
			IdentitySource: []string{"route.request.querystring.token", "route.request.header.X"}},
	}, {
		name:       "name from a variable",
		authorizer: "{name: '${self:custom.authorizer, \"auth\"}'}",
		want:       &Authorizer{Function: "auth", IdentitySource: []string{"route.request.header.Auth"}},
	}, {
		name:       "arn",
		authorizer: "arn:aws:lambda:us-east-1:123456789012:function:auth",
		warning:    "serverless.yml:11: functions.connect.events[0].websocket.authorizer: authorizer arn:aws:lambda:us-east-1:123456789012:function:auth is not a function of this service and cannot run locally; the route runs without it",
	}, {
		name:       "arn in a mapping",
		authorizer: "{arn: 'arn:aws:lambda:us-east-1:123456789012:function:auth', identitySource: [route.request.header.Auth]}",
		warning:    "serverless.yml:11: functions.connect.events[0].websocket.authorizer: authorizer arn:aws:lambda:us-east-1:123456789012:function:auth is not a function of this service and cannot run locally; the route runs without it",
	}, {
		name:       "arn as an expression",
		authorizer: "{name: auth, arn: !GetAtt Auth.Arn}",
		warning:    "serverless.yml:11: functions.connect.events[0].websocket.authorizer: authorizer auth is not a function of this service and cannot run locally; the route runs without it",
	}, {
		name:       "unknown key",
		authorizer: "{name: auth, resultTtlInSeconds: 300}",
		want:       &Authorizer{Function: "auth", IdentitySource: []string{"route.request.header.Auth"}},
		warning:    "serverless.yml:11: functions.connect.events[0].websocket.authorizer.resultTtlInSeconds: unknown key, ignored",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := load(t, strings.Replace(functions, "%s", tt.authorizer, 1), Options{})
			if err != nil {
				t.Fatal(err)
			}
			want := append([]Route{{Key: "$connect", Function: "connect", Authorizer: tt.want}}, rest...)
			if !reflect.DeepEqual(c.Routes, want) {
				t.Errorf("Routes = %+v, want %+v", c.Routes, want)
			}
			var warnings []string
			if tt.warning != "" {
				warnings = []string{tt.warning}
			}
			if !reflect.DeepEqual(c.Warnings, warnings) {
				t.Errorf("Warnings = %q, want %q", c.Warnings, warnings)
			}
		})
	}
}
