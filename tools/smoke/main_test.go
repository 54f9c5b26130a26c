package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"wsapi/tools/smoke/probe"
)

// TestRunRefusesBeforeConnecting covers the command lines that fail before
// any step runs (the steps themselves: package probe, and
// offline/smoke_e2e_test.go against the offline gateway).
func TestRunRefusesBeforeConnecting(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		stdin   string
		wantErr error
		wantMsg string
	}{
		{"no endpoint", nil, nil, "", errUsage, ""},
		{"two endpoints", []string{"-url", "ws://a", "-serverless-info", "-"}, nil, "", errUsage, ""},
		{"no token and no secret", []string{"-url", "ws://a"}, nil, "", nil, "TOKEN_SECRET"},
		{"a weak secret", []string{"-url", "ws://a"}, map[string]string{"TOKEN_SECRET": "short"}, "", nil, "TOKEN_SECRET: token secret too short"},
		{"a token naming nobody", []string{"-url", "ws://a", "-token", "nope"}, nil, "", probe.ErrNoSubject, ""},
		{"a stage not deployed", []string{"-serverless-info", "-"}, nil, "Stack with id go-websocket-api-prod does not exist\n", probe.ErrNoEndpoint, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(t.Context(), tt.args, func(k string) string { return tt.env[k] }, strings.NewReader(tt.stdin), &stdout, &stderr)
			if err == nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("run = %v, want %v containing %q", err, tt.wantErr, tt.wantMsg)
			}
			if stdout.Len() > 0 {
				t.Errorf("printed %q before any step", stdout.String())
			}
		})
	}
}
