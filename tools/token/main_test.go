package main

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"wsapi/authorizer/token"
)

const secret = "0123456789abcdef0123456789abcdef"

var now = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func TestRun(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		user    string        // the user the printed token must name
		valid   time.Duration // the token must be accepted just before now+valid and refused at it
		wantErr string        // substring of the error; "" for success
		usage   bool          // the error is a usage error, explained on stderr
		rooms   []string      // the rooms the token grants; nil: any
	}{
		{"default ttl", []string{"-user", "taro"}, map[string]string{"TOKEN_SECRET": secret}, "taro", time.Hour, "", false, nil},
		{"ttl", []string{"-user", "taro", "-ttl", "5m"}, map[string]string{"TOKEN_SECRET": secret}, "taro", 5 * time.Minute, "", false, nil},
		{"Japanese name", []string{"-user", "太郎"}, map[string]string{"TOKEN_SECRET": secret}, "太郎", time.Hour, "", false, nil},
		{"secret from another variable", []string{"-user", "taro", "-secret-env", "DEV_SECRET"},
			map[string]string{"DEV_SECRET": secret, "TOKEN_SECRET": "ignored"}, "taro", time.Hour, "", false, nil},

		{"rooms", []string{"-user", "taro", "-rooms", "lobby,ops"}, map[string]string{"TOKEN_SECRET": secret}, "taro", time.Hour, "", false, []string{"lobby", "ops"}},
		{"no room", []string{"-user", "taro", "-rooms", ""}, map[string]string{"TOKEN_SECRET": secret}, "taro", time.Hour, "", false, []string{}},
		{"an empty room name", []string{"-user", "taro", "-rooms", "lobby,"}, map[string]string{"TOKEN_SECRET": secret}, "", 0, "must not be empty", false, nil},
		{"no user", nil, map[string]string{"TOKEN_SECRET": secret}, "", 0, "usage", true, nil},
		{"empty user", []string{"-user", ""}, map[string]string{"TOKEN_SECRET": secret}, "", 0, "usage", true, nil},
		{"stray argument", []string{"-user", "taro", "extra"}, map[string]string{"TOKEN_SECRET": secret}, "", 0, "usage", true, nil},
		{"unknown flag", []string{"-user", "taro", "-secret", secret}, map[string]string{"TOKEN_SECRET": secret}, "", 0, "usage", true, nil},
		{"secret unset", []string{"-user", "taro"}, nil, "", 0, "TOKEN_SECRET is not set", false, nil},
		{"named secret unset", []string{"-user", "taro", "-secret-env", "DEV_SECRET"}, map[string]string{"TOKEN_SECRET": secret}, "", 0, "DEV_SECRET is not set", false, nil},
		{"secret too short", []string{"-user", "taro"}, map[string]string{"TOKEN_SECRET": "short"}, "", 0, "TOKEN_SECRET: token secret too short", false, nil},
		{"user with a newline", []string{"-user", "ta\nro"}, map[string]string{"TOKEN_SECRET": secret}, "", 0, "control characters", false, nil},
		{"user too long", []string{"-user", strings.Repeat("a", 65)}, map[string]string{"TOKEN_SECRET": secret}, "", 0, "at most 64", false, nil},
		{"zero ttl", []string{"-user", "taro", "-ttl", "0s"}, map[string]string{"TOKEN_SECRET": secret}, "", 0, "positive", false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(tt.args, func(k string) string { return tt.env[k] }, &stdout, &stderr, now)

			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one saying %q", err, tt.wantErr)
				}
				if stdout.Len() != 0 {
					t.Errorf("stdout = %q, want nothing on failure", stdout.String())
				}
				if tt.usage && !strings.Contains(stderr.String(), "usage: token -user NAME") {
					t.Errorf("stderr = %q, want the usage", stderr.String())
				}
				if strings.Contains(err.Error()+stderr.String(), secret) {
					t.Errorf("the secret was printed")
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			out := stdout.String()
			if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\n") {
				t.Fatalf("stdout = %q, want the token alone on one line", out)
			}
			tok := strings.TrimSuffix(out, "\n")
			g, err := token.VerifyGrant([]byte(secret), tok, now.Add(tt.valid-time.Second))
			if err != nil || g.User != tt.user {
				t.Errorf("Verify just before expiry = %q, %v; want %q", g.User, err, tt.user)
			}
			if (g.Rooms == nil) != (tt.rooms == nil) || strings.Join(g.Rooms, ",") != strings.Join(tt.rooms, ",") {
				t.Errorf("rooms = %#v, want %#v", g.Rooms, tt.rooms)
			}
			if _, err := token.Verify([]byte(secret), tok, now.Add(tt.valid)); !errors.Is(err, token.ErrExpired) {
				t.Errorf("Verify at expiry: err = %v, want %v", err, token.ErrExpired)
			}
		})
	}
}

func TestRunHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := run([]string{"-h"}, func(string) string { return "" }, &stdout, &stderr, now); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v, want flag.ErrHelp", err)
	}
	if !strings.Contains(stderr.String(), "-secret-env") || stdout.Len() != 0 {
		t.Errorf("help went to stdout %q / stderr %q, want stderr only", stdout.String(), stderr.String())
	}
}

// -offline signs with serverless.yml's offline secret, whatever the
// environment holds, and says what is wrong with a file that has none.
func TestRunOffline(t *testing.T) {
	dir := t.TempDir()
	config := func(name, text string) string {
		p := dir + "/" + name
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := config("good.yml", "service: s\ncustom:\n  offline:\n    environment:\n      TOKEN_SECRET: "+secret+"\n")
	tests := []struct {
		name, config, wantErr string
	}{
		{"the offline secret", good, ""},
		{"no offline environment", config("none.yml", "service: s\n"), "has no custom.offline.environment.TOKEN_SECRET"},
		{"a variable", config("var.yml", "custom:\n  offline:\n    environment:\n      TOKEN_SECRET: ${ssm:/x}\n"), "is a variable"},
		{"no file", dir + "/missing.yml", "no such file"},
		{"not YAML", config("bad.yml", "custom: [unclosed"), "bad.yml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run([]string{"-user", "taro", "-offline", tt.config}, func(string) string { return "an-environment-secret-that-is-not-used-here" }, &stdout, &stderr, now)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if g, err := token.VerifyGrant([]byte(secret), strings.TrimSpace(stdout.String()), now); err != nil || g.User != "taro" {
				t.Errorf("Verify with the offline secret = %q, %v; want taro", g.User, err)
			}
		})
	}
	// The project's own serverless.yml holds one.
	if s, err := offlineSecret("../../serverless.yml", "TOKEN_SECRET"); err != nil || len(s) < token.MinSecretBytes {
		t.Errorf("the project's offline secret: %d bytes, %v", len(s), err)
	}
}
