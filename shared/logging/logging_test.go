package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
)

func TestNewLevel(t *testing.T) {
	tests := []struct {
		level     string
		debugShow bool
		infoShow  bool
		wantErr   bool
	}{
		{"", false, true, false},
		{"debug", true, true, false},
		{"DEBUG", true, true, false},
		{"warn", false, false, false},
		{"loud", false, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.level, func(t *testing.T) {
			var out bytes.Buffer
			log, err := New(&out, "fn", tt.level)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error: %v", err, tt.wantErr)
			}
			log.Debug().Msg("d")
			if got := out.Len() > 0; got != tt.debugShow {
				t.Errorf("debug line written: %v, want %v", got, tt.debugShow)
			}
			out.Reset()
			log.Info().Msg("i")
			if got := out.Len() > 0; got != tt.infoShow {
				t.Errorf("info line written: %v, want %v", got, tt.infoShow)
			}
		})
	}
}

func TestInvocationFields(t *testing.T) {
	var out bytes.Buffer
	base, _ := New(&out, "go-websocket-api-dev-hello", "")
	ctx := WithInvocation(context.Background(), base, Invocation{
		Route: "hello", RequestID: "req-1", ConnectionID: "caller=", TraceID: "1-abc-def",
	})

	From(ctx).Info().Msg("one")
	other := ForConnection(ctx, "other=")
	other.Info().Msg("two")
	self := ForConnection(ctx, "caller=")
	self.Info().Msg("three")

	want := []string{"caller=", "other=", "caller="}
	dec := json.NewDecoder(&out)
	for i, conn := range want {
		var line map[string]any
		if err := dec.Decode(&line); err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		for k, v := range map[string]any{
			"function": "go-websocket-api-dev-hello", "route": "hello", "requestId": "req-1",
			"connectionId": conn, "traceId": "1-abc-def", "level": "info",
		} {
			if line[k] != v {
				t.Errorf("line %d: %s = %v, want %v", i, k, line[k], v)
			}
		}
		if _, ok := line["time"]; !ok {
			t.Errorf("line %d has no time", i)
		}
	}
}

func TestFromOutsideAnInvocation(t *testing.T) {
	// Must not panic, and must not write anywhere.
	From(context.Background()).Info().Msg("nowhere")
	l := ForConnection(context.Background(), "x=")
	l.Info().Msg("nowhere")
}
