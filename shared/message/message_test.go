package message

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestText(t *testing.T) {
	tests := []struct {
		name, body, want, code string
	}{
		{"a message", `{"message":"hi"}`, "hi", ""},
		{"missing", `{}`, "", "missing_field"},
		{"null", `{"message":null}`, "", "missing_field"},
		{"not a string", `{"message":1}`, "", "invalid_field"},
		{"empty", `{"message":""}`, "", "invalid_field"},
		{"at the limit", `{"message":"` + strings.Repeat("x", MaxBytes) + `"}`, strings.Repeat("x", MaxBytes), ""},
		{"over the limit", `{"message":"` + strings.Repeat("x", MaxBytes+1) + `"}`, "", "invalid_field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, rejected := Fields(tt.body, "{}")
			if rejected != nil {
				t.Fatal(rejected)
			}
			got, rejected := Text(msg)
			if code := func() string {
				if rejected == nil {
					return ""
				}
				return rejected.Code
			}(); code != tt.code || got != tt.want {
				t.Errorf("Text = %.20q, %v; want %.20q, code %q", got, rejected, tt.want, tt.code)
			}
		})
	}
	if _, rejected := Fields(`[1]`, `{"action":"x"}`); rejected == nil || rejected.Code != "invalid_json" || !strings.Contains(rejected.Message, `{"action":"x"}`) {
		t.Errorf("an array: %v, want invalid_json showing the example", rejected)
	}
}

// Fields reads what json.Unmarshal reads as an object, and refuses a field
// given twice, which Unmarshal would read as its last value.
func TestFields(t *testing.T) {
	tests := []struct {
		name, body string
		want       map[string]string // field -> raw JSON
		code, msg  string
	}{
		{"an object", `{"action":"join","room":"lobby"}`, map[string]string{"action": `"join"`, "room": `"lobby"`}, "", ""},
		{"space around and inside", " \n{ \"room\" : [1, {\"a\":2}] }\t", map[string]string{"room": `[1, {"a":2}]`}, "", ""},
		{"empty", `{}`, map[string]string{}, "", ""},
		{"a repeated name inside a value is the value's", `{"room":{"a":1,"a":2}}`, map[string]string{"room": `{"a":1,"a":2}`}, "", ""},
		{"a field given twice", `{"action":"join","room":"lobby","room":"other"}`, nil, "invalid_field", "room must be given once"},
		{"the same value twice", `{"room":"lobby","room":"lobby"}`, nil, "invalid_field", "room must be given once"},
		{"given twice, once escaped", `{"room":"lobby","r\u006fom":"other"}`, nil, "invalid_field", "room must be given once"},
		{"a field not read, twice", `{"room":"lobby","x":1,"x":2}`, nil, "invalid_field", "x must be given once"},
		{"a long name, cut", `{"` + strings.Repeat("k", 100) + `":1,"` + strings.Repeat("k", 100) + `":2}`, nil, "invalid_field",
			strings.Repeat("k", 64) + " must be given once"},
		{"not JSON", `room lobby`, nil, "invalid_json", ""},
		{"an array", `[1]`, nil, "invalid_json", ""},
		{"a string", `"room"`, nil, "invalid_json", ""},
		{"null", `null`, nil, "invalid_json", ""},
		{"unclosed", `{"room":"lobby"`, nil, "invalid_json", ""},
		{"a trailing comma", `{"room":"lobby",}`, nil, "invalid_json", ""},
		{"no colon", `{"room" "lobby"}`, nil, "invalid_json", ""},
		{"a name that is not a string", `{1:"lobby"}`, nil, "invalid_json", ""},
		{"text after it", `{"room":"lobby"} x`, nil, "invalid_json", ""},
		{"two objects", `{"room":"lobby"}{"room":"other"}`, nil, "invalid_json", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, rejected := Fields(tt.body, `{"action":"x"}`)
			if tt.code != "" {
				if rejected == nil || rejected.Code != tt.code || (tt.msg != "" && rejected.Message != tt.msg) {
					t.Fatalf("Fields = %v, %v; want %s %q", got, rejected, tt.code, tt.msg)
				}
				return
			}
			if rejected != nil || len(got) != len(tt.want) {
				t.Fatalf("Fields = %v, %v; want %v", got, rejected, tt.want)
			}
			for k, v := range tt.want {
				if string(got[k]) != v {
					t.Errorf("%s = %s, want %s", k, got[k], v)
				}
			}
			// What Fields reads as an object, json.Unmarshal does.
			var m map[string]json.RawMessage
			if err := json.Unmarshal([]byte(tt.body), &m); err != nil || m == nil {
				t.Errorf("json.Unmarshal refuses what Fields reads: %v", err)
			}
		})
	}
}

func TestRoom(t *testing.T) {
	tests := []struct {
		name, body, want, msg string
	}{
		{"a name", `{"room":"lobby"}`, "lobby", ""},
		{"Japanese", `{"room":"部屋"}`, "部屋", ""},
		{"a space inside", `{"room":"tea room"}`, "tea room", ""},
		{"decomposed: the same room as composed", `{"room":"cafe\u0301"}`, "caf\u00e9", ""},
		{"composed", `{"room":"caf\u00e9"}`, "caf\u00e9", ""},
		{"a zero-width space", `{"room":"lobby\u200b"}`, "", "room must not contain format characters (zero-width or bidirectional controls)"},
		{"a zero-width joiner", `{"room":"lob\u200dby"}`, "", "room must not contain format characters (zero-width or bidirectional controls)"},
		{"a byte order mark", `{"room":"\ufefflobby"}`, "", "room must not contain format characters (zero-width or bidirectional controls)"},
		{"a soft hyphen", `{"room":"lob\u00adby"}`, "", "room must not contain format characters (zero-width or bidirectional controls)"},
		{"a right-to-left override", `{"room":"\u202eybbol"}`, "", "room must not contain format characters (zero-width or bidirectional controls)"},
		{"a right-to-left isolate", `{"room":"\u2067ybbol\u2069"}`, "", "room must not contain format characters (zero-width or bidirectional controls)"},
		{"a left-to-right mark", `{"room":"lobby\u200e"}`, "", "room must not contain format characters (zero-width or bidirectional controls)"},
		{"a space before", `{"room":" lobby"}`, "", "room must not begin or end with a space"},
		{"a space after", `{"room":"lobby "}`, "", "room must not begin or end with a space"},
		{"a no-break space after", `{"room":"lobby\u00a0"}`, "", "room must not begin or end with a space"},
		{"an ideographic space before", `{"room":"\u3000部屋"}`, "", "room must not begin or end with a space"},
		{"a line separator", `{"room":"lob\u2028by"}`, "", "room must not contain control characters"},
		{"a paragraph separator", `{"room":"lobby\u2029"}`, "", "room must not contain control characters"},
		{"a control character", `{"room":"lob\u0007by"}`, "", "room must not contain control characters"},
		{"only spaces", `{"room":"  "}`, "", "room must not be empty"},
		{"given twice", `{"room":"lobby","room":"other"}`, "", "room must be given once"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want string
			if err := json.Unmarshal([]byte(`"`+tt.want+`"`), &want); err != nil {
				t.Fatal(err)
			}
			msg, rejected := Fields(tt.body, "{}")
			var got string
			if rejected == nil {
				got, rejected = Room(msg)
			}
			if tt.msg != "" {
				if rejected == nil || rejected.Code != "invalid_field" || rejected.Message != tt.msg {
					t.Fatalf("Room = %q, %v; want invalid_field %q", got, rejected, tt.msg)
				}
				return
			}
			if rejected != nil || got != want {
				t.Errorf("Room = %q, %v; want %q", got, rejected, want)
			}
		})
	}
}

func TestFrame(t *testing.T) {
	frame, rejected, err := Frame(map[string]string{"message": "<b>&</b>"})
	if err != nil || rejected != nil || string(frame) != `{"message":"<b>&</b>"}` {
		t.Errorf("Frame = %s, %v, %v; want the markup unescaped", frame, rejected, err)
	}
	_, rejected, err = Frame(map[string]string{"message": strings.Repeat("\x01", 21900)})
	if err != nil || rejected == nil || !strings.Contains(rejected.Message, "at most 131072") {
		t.Errorf("a message six times its size once escaped: %v, %v; want it refused", rejected, err)
	}
}
