package probe

import (
	"errors"
	"strings"
	"testing"
)

func TestEndpointFromInfo(t *testing.T) {
	tests := []struct {
		name    string
		info    string
		want    string
		wantErr error
	}{
		{"serverless info", `service: go-websocket-api
stage: prod
region: ap-northeast-1
stack: go-websocket-api-prod
endpoint: wss://abc123defg.execute-api.ap-northeast-1.amazonaws.com/prod
functions:
  authorizer: go-websocket-api-prod-authorizer
  hello: go-websocket-api-prod-hello
`, "wss://abc123defg.execute-api.ap-northeast-1.amazonaws.com/prod", nil},
		{"coloured", "\x1b[90mendpoint:\x1b[39m wss://abc123defg.execute-api.ap-northeast-1.amazonaws.com/prod\n",
			"wss://abc123defg.execute-api.ap-northeast-1.amazonaws.com/prod", nil},
		{"not deployed", "Stack with id go-websocket-api-prod does not exist\n", "", ErrNoEndpoint},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EndpointFromInfo(strings.NewReader(tt.info))
			if got != tt.want || !errors.Is(err, tt.wantErr) {
				t.Errorf("EndpointFromInfo = %q, %v, want %q, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
	if _, err := EndpointFromInfo(strings.NewReader("endpoints:\n  wss://a.example/prod\n  wss://b.example/prod\n")); err == nil {
		t.Error("two endpoints: want an error asking for -url")
	}
}
