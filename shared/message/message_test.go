package message

import (
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
