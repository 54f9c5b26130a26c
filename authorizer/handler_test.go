package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/golang-jwt/jwt/v5"

	"wsapi/authorizer/token"
	"wsapi/shared/logging"
)

const methodArn = "arn:aws:execute-api:ap-northeast-1:123456789012:abc123/prod/$connect"

var (
	secret = []byte("0123456789abcdef0123456789abcdef")
	now    = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
)

// connect is the authorizer event of a handshake to wss://…/prod?<query>.
func connect(query map[string]string) Request {
	return Request{
		APIGatewayCustomAuthorizerRequestTypeRequest: events.APIGatewayCustomAuthorizerRequestTypeRequest{
			Type:                  "REQUEST",
			MethodArn:             methodArn,
			QueryStringParameters: query,
		},
		RequestContext: events.APIGatewayWebsocketProxyRequestContext{
			RouteKey:     "$connect",
			EventType:    "CONNECT",
			ConnectionID: "XDmENcnwIE0CFEQ=",
			Stage:        "prod",
		},
	}
}

func signed(user string, ttl time.Duration) string {
	s, err := token.Sign(secret, user, ttl, now)
	if err != nil {
		panic(err)
	}
	return s
}

// forged signs claims with method and key, then claims alg in the header,
// to send what token.Sign never would.
func forged(method jwt.SigningMethod, key any, alg string, claims jwt.MapClaims) string {
	t := jwt.NewWithClaims(method, claims)
	if alg != "" {
		t.Header["alg"] = alg
	}
	s, err := t.SignedString(key)
	if err != nil {
		panic(err)
	}
	return s
}

type failingSecret struct{ err error }

func (f failingSecret) Secret(context.Context) ([]byte, error) { return nil, f.err }

func TestHandle(t *testing.T) {
	exp := now.Add(time.Hour).Unix()
	ssmDown := errors.New("operation error SSM: GetParameter, connect: connection refused")
	tests := []struct {
		name     string
		query    map[string]string
		secrets  SecretSource
		decision string // allow, deny, unauthorized, error
		reason   string
		user     string
	}{
		{"valid token", map[string]string{"token": signed("taro", time.Hour)}, nil, "allow", "valid_token", "taro"},
		{"Japanese name", map[string]string{"token": signed("太郎", time.Hour)}, nil, "allow", "valid_token", "太郎"},
		{"other parameters beside the token", map[string]string{"token": signed("taro", time.Hour), "lang": "ja"}, nil, "allow", "valid_token", "taro"},

		{"no query string", nil, nil, "unauthorized", "missing_token", ""},
		{"no token parameter", map[string]string{"lang": "ja"}, nil, "unauthorized", "missing_token", ""},
		{"empty token", map[string]string{"token": ""}, nil, "unauthorized", "missing_token", ""},

		{"malformed", map[string]string{"token": "not-a-jwt"}, nil, "deny", "malformed_token", ""},
		{"signed with another secret", map[string]string{"token": forged(jwt.SigningMethodHS256, []byte("fedcba9876543210fedcba9876543210"), "",
			jwt.MapClaims{"sub": "taro", "exp": exp})}, nil, "deny", "bad_signature", ""},
		{"alg none", map[string]string{"token": forged(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "",
			jwt.MapClaims{"sub": "taro", "exp": exp})}, nil, "deny", "bad_signature", ""},
		{"alg HS512", map[string]string{"token": forged(jwt.SigningMethodHS512, secret, "",
			jwt.MapClaims{"sub": "taro", "exp": exp})}, nil, "deny", "bad_signature", ""},
		{"RS256 header over an HMAC signature", map[string]string{"token": forged(jwt.SigningMethodHS256, secret, "RS256",
			jwt.MapClaims{"sub": "taro", "exp": exp})}, nil, "deny", "bad_signature", ""},
		{"expired", map[string]string{"token": forged(jwt.SigningMethodHS256, secret, "",
			jwt.MapClaims{"sub": "taro", "exp": now.Add(-time.Second).Unix()})}, nil, "deny", "expired_token", ""},
		{"no exp", map[string]string{"token": forged(jwt.SigningMethodHS256, secret, "",
			jwt.MapClaims{"sub": "taro"})}, nil, "deny", "malformed_token", ""},
		{"sub missing", map[string]string{"token": forged(jwt.SigningMethodHS256, secret, "",
			jwt.MapClaims{"exp": exp})}, nil, "deny", "invalid_subject", ""},
		{"sub empty", map[string]string{"token": forged(jwt.SigningMethodHS256, secret, "",
			jwt.MapClaims{"sub": "", "exp": exp})}, nil, "deny", "invalid_subject", ""},
		{"sub 65 characters", map[string]string{"token": forged(jwt.SigningMethodHS256, secret, "",
			jwt.MapClaims{"sub": strings.Repeat("a", 65), "exp": exp})}, nil, "deny", "invalid_subject", ""},
		{"sub with control characters", map[string]string{"token": forged(jwt.SigningMethodHS256, secret, "",
			jwt.MapClaims{"sub": "taro\x1b[2J", "exp": exp})}, nil, "deny", "invalid_subject", ""},

		{"secret unreadable", map[string]string{"token": signed("taro", time.Hour)}, failingSecret{ssmDown}, "error", "secret_unavailable", ""},
		{"secret not configured", map[string]string{"token": signed("taro", time.Hour)}, noSecret{}, "error", "secret_unavailable", ""},
		{"secret too short", map[string]string{"token": signed("taro", time.Hour)}, StaticSecret(secret[:31]), "error", "secret_unavailable", ""},
		{"missing token wins over a missing secret", nil, noSecret{}, "unauthorized", "missing_token", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			log, _ := logging.New(&out, "go-websocket-api-prod-authorizer", "")
			secrets := tt.secrets
			if secrets == nil {
				secrets = StaticSecret(secret)
			}
			h := Handler{Secrets: secrets, Log: log, Now: func() time.Time { return now }}
			ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-1"})

			resp, err := h.Handle(ctx, connect(tt.query))

			switch tt.decision {
			case "allow", "deny":
				if err != nil {
					t.Fatalf("err = %v, want a policy", err)
				}
				checkPolicy(t, resp, tt.decision, tt.user)
			case "unauthorized":
				// API Gateway compares the message, so nothing may wrap it.
				if err == nil || err.Error() != "Unauthorized" {
					t.Fatalf("err = %v, want exactly Unauthorized", err)
				}
			case "error":
				if err == nil || err.Error() == "Unauthorized" {
					t.Fatalf("err = %v, want an error other than Unauthorized (API Gateway answers 500)", err)
				}
				if f, ok := secrets.(failingSecret); ok && !errors.Is(err, f.err) {
					t.Errorf("err = %v, want it to wrap %v", err, f.err)
				}
			}

			line := onlyLine(t, &out)
			for k, v := range map[string]any{
				"function": "go-websocket-api-prod-authorizer", "route": "$connect", "requestId": "req-1",
				"connectionId": "XDmENcnwIE0CFEQ=", "decision": tt.decision, "reason": tt.reason,
			} {
				if line[k] != v {
					t.Errorf("log %s = %v, want %v", k, line[k], v)
				}
			}
			if tt.user != "" && line["userName"] != tt.user {
				t.Errorf("log userName = %v, want %v", line["userName"], tt.user)
			}
			if tok := tt.query["token"]; tok != "" && strings.Contains(out.String(), tok) {
				t.Errorf("the token was logged: %s", out.String())
			}
		})
	}
}

func checkPolicy(t *testing.T, resp events.APIGatewayCustomAuthorizerResponse, decision, user string) {
	t.Helper()
	effect, principal := "Allow", user
	var context map[string]any
	if decision == "deny" {
		effect, principal = "Deny", "anonymous"
	} else {
		context = map[string]any{"userName": user}
	}
	want := events.APIGatewayCustomAuthorizerResponse{
		PrincipalID: principal,
		PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{
			Version: "2012-10-17",
			Statement: []events.IAMPolicyStatement{{
				Action: []string{"execute-api:Invoke"}, Effect: effect, Resource: []string{methodArn},
			}},
		},
		Context: context,
	}
	got, _ := json.Marshal(resp)
	wantJSON, _ := json.Marshal(want)
	if !bytes.Equal(got, wantJSON) {
		t.Errorf("response =\n  %s\nwant\n  %s", got, wantJSON)
	}
}

func onlyLine(t *testing.T, out *bytes.Buffer) map[string]any {
	t.Helper()
	lines := bytes.Split(bytes.TrimSpace(out.Bytes()), []byte("\n"))
	if len(lines) != 1 {
		t.Fatalf("want one log line per decision, got %d:\n%s", len(lines), out)
	}
	var line map[string]any
	if err := json.Unmarshal(lines[0], &line); err != nil {
		t.Fatal(err)
	}
	return line
}

// TestResponseJSON pins the bytes API Gateway reads: the policy keys are
// capitalised as in IAM, the others are not.
func TestResponseJSON(t *testing.T) {
	h := Handler{Secrets: StaticSecret(secret), Now: func() time.Time { return now }}
	tests := []struct {
		name  string
		token string
		want  string
	}{
		{"allow", signed("taro", time.Hour),
			`{"principalId":"taro","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":["execute-api:Invoke"],"Effect":"Allow","Resource":["` + methodArn + `"]}]},"context":{"userName":"taro"}}`},
		{"a rooms claim passes on as JSON text", signedGrant(token.Grant{User: "taro", Rooms: []string{"lobby", "a,b"}}),
			`{"principalId":"taro","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":["execute-api:Invoke"],"Effect":"Allow","Resource":["` + methodArn + `"]}]},"context":{"rooms":"[\"lobby\",\"a,b\"]","userName":"taro"}}`},
		{"an empty rooms claim passes on: no room", signedGrant(token.Grant{User: "taro", Rooms: []string{}}),
			`{"principalId":"taro","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":["execute-api:Invoke"],"Effect":"Allow","Resource":["` + methodArn + `"]}]},"context":{"rooms":"[]","userName":"taro"}}`},
		{"deny", "not-a-jwt",
			`{"principalId":"anonymous","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":["execute-api:Invoke"],"Effect":"Deny","Resource":["` + methodArn + `"]}]}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := h.Handle(context.Background(), connect(map[string]string{"token": tt.token}))
			if err != nil {
				t.Fatal(err)
			}
			got, _ := json.Marshal(resp)
			if string(got) != tt.want {
				t.Errorf("JSON =\n  %s\nwant\n  %s", got, tt.want)
			}
		})
	}
}

func signedGrant(g token.Grant) string {
	s, err := token.SignGrant(secret, g, time.Hour, now)
	if err != nil {
		panic(err)
	}
	return s
}

// TestRequestJSON reads an event shaped like the developer guide's example
// input to a WebSocket REQUEST authorizer.
func TestRequestJSON(t *testing.T) {
	raw, err := os.ReadFile("testdata/websocket-authorizer-request.json")
	if err != nil {
		t.Fatal(err)
	}
	var req Request
	if err := json.Unmarshal(raw, &req); err != nil {
		t.Fatal(err)
	}
	got := []string{req.Type, req.MethodArn, req.QueryStringParameters["token"], req.RequestContext.RouteKey,
		req.RequestContext.ConnectionID, req.RequestContext.EventType, req.RequestContext.Identity.SourceIP}
	want := []string{"REQUEST", methodArn, "eyJhbGciOiJIUzI1NiJ9.e30.c2ln", "$connect",
		"XDmENcnwIE0CFEQ=", "CONNECT", "203.0.113.7"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("field %d = %q, want %q", i, got[i], want[i])
		}
	}
}

// TestSecretReadOncePerContainer drives the handler through SSM failing once,
// then succeeding: the failure answers 500 and is not kept, the success is.
func TestSecretReadOncePerContainer(t *testing.T) {
	client := &fakeSSM{results: []ssmResult{
		{err: errors.New("throttled")},
		{value: string(secret), typ: "SecureString"},
	}}
	h := Handler{Secrets: NewParameterSecret(client, "/go-websocket-api/prod/token-secret"), Now: func() time.Time { return now }}
	req := connect(map[string]string{"token": signed("taro", time.Hour)})

	if _, err := h.Handle(context.Background(), req); err == nil || err.Error() == "Unauthorized" {
		t.Fatalf("first connection: err = %v, want a 500-mapped error", err)
	}
	for i := range 3 {
		resp, err := h.Handle(context.Background(), req)
		if err != nil || resp.PolicyDocument.Statement[0].Effect != "Allow" {
			t.Fatalf("connection %d: %+v, %v; want Allow", i+2, resp, err)
		}
	}
	if got := client.calls.Load(); got != 2 {
		t.Errorf("GetParameter called %d times, want 2 (one failure, one success, then kept)", got)
	}
}
