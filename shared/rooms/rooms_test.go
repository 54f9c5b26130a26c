package rooms

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"wsapi/shared/username"
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
		{"a look-alike name", []string{"lobby\u200b"}, "", "must not contain format characters"},
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

// Look-alike names are refused; one name written two ways is one room.
func TestName(t *testing.T) {
	tests := []struct {
		raw, want string
		err       error
	}{
		{"lobby", "lobby", nil},
		{"部屋", "部屋", nil},
		{"tea room", "tea room", nil},
		{"cafe\u0301", "caf\u00e9", nil},
		{"\u1100\u1161", "\uac00", nil}, // Hangul jamo, composed
		{"\u0958", "\u0915\u093c", nil}, // NFC decomposes it
		{strings.Repeat("\u0958", 32), strings.Repeat("\u0915\u093c", 32), nil},
		{strings.Repeat("\u0958", 33), "", username.ErrTooLong}, // 66 characters once normal
		{"lobby\u200b", "", ErrFormat},
		{"\u202eybbol", "", ErrFormat},
		{"\u2066lobby\u2069", "", ErrFormat},
		{"\u061clobby", "", ErrFormat},
		{"lob\u2060by", "", ErrFormat}, // word joiner
		{" lobby", "", ErrSpace},
		{"lobby\t", "", username.ErrControl},
		{"lobby\u2003", "", ErrSpace},
		{"lob\u2028by", "", username.ErrControl},
		{"lob\x85by", "", username.ErrInvalidUTF8},
		{"", "", username.ErrEmpty},
	}
	for _, tt := range tests {
		got, err := Name(tt.raw)
		if got != tt.want || !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
			t.Errorf("Name(%+q) = %+q, %v; want %+q, %v", tt.raw, got, err, tt.want, tt.err)
		}
	}
}

// A token's rooms are compared as Name reads a client's: a token listing
// the room written decomposed allows it.
func TestPolicyNormalises(t *testing.T) {
	room, err := Name("caf\u00e9")
	if err != nil {
		t.Fatal(err)
	}
	if !Only([]string{"cafe\u0301"}).Allows(room) {
		t.Errorf("a claim of %+q refuses %+q", "cafe\u0301", room)
	}
	decomposed, err := Name("cafe\u0301")
	if err != nil || !Only([]string{"caf\u00e9"}).Allows(decomposed) {
		t.Errorf("a claim of %+q refuses %+q, %v", "caf\u00e9", decomposed, err)
	}
}
