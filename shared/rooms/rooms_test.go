package rooms

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func TestPolicyOf(t *testing.T) {
	tests := []struct {
		name    string
		event   string // requestContext.authorizer
		allowed []string
		refused []string
		wantErr bool
	}{
		{"no claim: every room", `{"principalId":"taro","userName":"taro"}`, []string{"lobby", "ops", "部屋"}, nil, false},
		{"no authorizer at all: every room", `null`, []string{"lobby"}, nil, false},
		{"a claim limits", `{"principalId":"taro","rooms":"[\"lobby\",\"a,b\"]"}`, []string{"lobby", "a,b"}, []string{"ops", "a", "Lobby"}, false},
		{"an empty claim allows none", `{"principalId":"taro","rooms":"[]"}`, nil, []string{"lobby"}, false},
		{"an unreadable claim allows none", `{"principalId":"taro","rooms":"lobby,ops"}`, nil, []string{"lobby", "ops"}, true},
		{"a claim that is not a string allows none", `{"principalId":"taro","rooms":7}`, nil, []string{"lobby"}, true},
		{"a JSON null claim allows none", `{"principalId":"taro","rooms":"null"}`, nil, []string{"lobby"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ev events.APIGatewayWebsocketProxyRequest
			if err := json.Unmarshal([]byte(`{"requestContext":{"authorizer":`+tt.event+`}}`), &ev); err != nil {
				t.Fatal(err)
			}
			p, err := PolicyOf(ev.RequestContext)
			if (err != nil) != tt.wantErr || (err != nil && !errors.Is(err, ErrClaim)) {
				t.Fatalf("err = %v, want ErrClaim: %v", err, tt.wantErr)
			}
			for _, r := range tt.allowed {
				if !p.Allows(r) {
					t.Errorf("%q refused, want allowed", r)
				}
			}
			for _, r := range tt.refused {
				if p.Allows(r) {
					t.Errorf("%q allowed, want refused", r)
				}
			}
		})
	}
}

func TestEncode(t *testing.T) {
	tests := []struct {
		name    string
		names   []string
		want    string
		wantErr string
	}{
		{"two rooms", []string{"lobby", "a,b"}, `["lobby","a,b"]`, ""},
		{"none", nil, `[]`, ""},
		{"a bad name", []string{"lobby", ""}, "", "must not be empty"},
		{"too many", manyNames(200), "", "at most 4096"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Encode(tt.names)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Encode = %q, %v; want %q", got, err, tt.want)
			}
			back, err := Decode(got)
			if err != nil || strings.Join(back, "|") != strings.Join(tt.names, "|") {
				t.Errorf("Decode(Encode) = %q, %v; want %q", back, err, tt.names)
			}
		})
	}
}

func manyNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = strings.Repeat("r", 30)
	}
	return out
}
