package gateway

import (
	"strings"
	"testing"
)

func TestRouteSelector(t *testing.T) {
	tests := []struct {
		name       string
		expression string
		routes     []string
		body       string
		want       string
	}{
		{"exact match", "$request.body.action", []string{"hello"}, `{"action":"hello","userName":"taro"}`, "hello"},
		{"no match, no $default", "$request.body.action", []string{"hello"}, `{"action":"bye"}`, ""},
		{"empty object", "$request.body.action", []string{"hello"}, `{}`, ""},
		{"no match goes to $default", "$request.body.action", []string{"hello", "$default"}, `{"action":"bye"}`, "$default"},
		{"not JSON goes to $default", "$request.body.action", []string{"hello", "$default"}, `hello`, "$default"},
		{"not JSON, no $default", "$request.body.action", []string{"hello"}, `hello`, ""},
		{"case matters", "$request.body.action", []string{"hello"}, `{"action":"Hello"}`, ""},
		{"a route key of $connect is not reachable by message", "$request.body.action", []string{"$connect", "$default"}, `{"action":"$connect"}`, "$default"},
		{"number value", "$request.body.action", []string{"1"}, `{"action":1}`, "1"},
		{"object value", "$request.body.action", []string{"hello", "$default"}, `{"action":{"x":1}}`, "$default"},
		{"nested path", "$request.body.meta.type", []string{"ping"}, `{"meta":{"type":"ping"}}`, "ping"},
		{"nested path through a string", "$request.body.meta.type", []string{"ping"}, `{"meta":"ping"}`, ""},
		{"array body", "$request.body.action", []string{"hello"}, `["hello"]`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewRouteSelector(tt.expression, tt.routes)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Select([]byte(tt.body)); got != tt.want {
				t.Errorf("Select(%s) = %q, want %q", tt.body, got, tt.want)
			}
		})
	}
}

func TestRouteSelectorExpression(t *testing.T) {
	for _, expr := range []string{"", "$request.body.", "$request.header.action", "action", "$request.body.a..b"} {
		if _, err := NewRouteSelector(expr, nil); err == nil {
			t.Errorf("NewRouteSelector(%q): want an error", expr)
		}
	}
}

func BenchmarkRouteSelector(b *testing.B) {
	s, _ := NewRouteSelector("$request.body.action", []string{"hello", "send"})
	body := []byte(`{"action":"send","to":"hanako","message":"` + strings.Repeat("x", 1000) + `"}`)
	b.ReportAllocs()
	for b.Loop() {
		if s.Select(body) != "send" {
			b.Fatal("wrong route")
		}
	}
}
