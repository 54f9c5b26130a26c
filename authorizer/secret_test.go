package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"wsapi/authorizer/token"
	"wsapi/shared/logging"
)

type ssmResult struct {
	value  string
	typ    types.ParameterType
	noneAt bool // answer without a Parameter
	err    error
}

// fakeSSM answers GetParameter with results in turn, repeating the last.
type fakeSSM struct {
	mu      sync.Mutex
	results []ssmResult
	inputs  []ssm.GetParameterInput
	calls   atomic.Int32
}

func (f *fakeSSM) GetParameter(_ context.Context, in *ssm.GetParameterInput, _ ...func(*ssm.Options)) (*ssm.GetParameterOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := int(f.calls.Add(1)) - 1
	f.inputs = append(f.inputs, *in)
	r := f.results[min(n, len(f.results)-1)]
	if r.err != nil {
		return nil, r.err
	}
	if r.noneAt {
		return &ssm.GetParameterOutput{}, nil
	}
	return &ssm.GetParameterOutput{Parameter: &types.Parameter{Value: aws.String(r.value), Type: r.typ}}, nil
}

func TestParameterSecret(t *testing.T) {
	good := ssmResult{value: string(secret), typ: types.ParameterTypeSecureString}
	tests := []struct {
		name    string
		first   ssmResult
		wantErr error // nil: any error
	}{
		{"SSM fails", ssmResult{err: errors.New("AccessDeniedException")}, nil},
		{"no parameter in the answer", ssmResult{noneAt: true}, nil},
		{"plain String parameter", ssmResult{value: string(secret), typ: types.ParameterTypeString}, nil},
		{"value too short", ssmResult{value: "short", typ: types.ParameterTypeSecureString}, token.ErrWeakSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := &fakeSSM{results: []ssmResult{tt.first, good}}
			p := NewParameterSecret(client, "/go-websocket-api/prod/token-secret")

			if _, err := p.Secret(context.Background()); err == nil {
				t.Fatal("first read: no error")
			} else if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("first read: err = %v, want %v", err, tt.wantErr)
			} else if tt.first.err != nil && !errors.Is(err, tt.first.err) {
				t.Fatalf("first read: err = %v, want it to wrap %v", err, tt.first.err)
			}
			// The failure was not kept: the next read asks again and its success is kept.
			for range 3 {
				got, err := p.Secret(context.Background())
				if err != nil || !bytes.Equal(got, secret) {
					t.Fatalf("later read = %q, %v; want the secret", got, err)
				}
			}
			if n := client.calls.Load(); n != 2 {
				t.Errorf("GetParameter called %d times, want 2", n)
			}
			for _, in := range client.inputs {
				if aws.ToString(in.Name) != "/go-websocket-api/prod/token-secret" || !aws.ToBool(in.WithDecryption) {
					t.Errorf("GetParameter(%q, WithDecryption %v), want the parameter, decrypted", aws.ToString(in.Name), aws.ToBool(in.WithDecryption))
				}
			}
		})
	}
}

// TestParameterSecretConcurrent: connections arriving together on a cold
// container cost one read (run under -race).
func TestParameterSecretConcurrent(t *testing.T) {
	client := &fakeSSM{results: []ssmResult{{value: string(secret), typ: types.ParameterTypeSecureString}}}
	p := NewParameterSecret(client, "/p")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := p.Secret(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := client.calls.Load(); n != 1 {
		t.Errorf("GetParameter called %d times, want 1", n)
	}
}

func TestSecretSource(t *testing.T) {
	tests := []struct {
		name       string
		env        map[string]string
		wantSource string
		wantClient bool
		wantLog    string // level of the one line logged, "" for none
	}{
		{"SSM parameter", map[string]string{"TOKEN_SECRET_PARAMETER": "/p"}, "parameter", true, ""},
		{"TOKEN_SECRET", map[string]string{"TOKEN_SECRET": string(secret)}, "static", false, "warn"},
		{"TOKEN_SECRET wins", map[string]string{"TOKEN_SECRET": string(secret), "TOKEN_SECRET_PARAMETER": "/p"}, "static", false, "warn"},
		{"neither", nil, "none", false, "error"},
		{"both empty", map[string]string{"TOKEN_SECRET": "", "TOKEN_SECRET_PARAMETER": ""}, "none", false, "error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			log, _ := logging.New(&out, "fn", "")
			madeClient := false
			src := secretSource(log, func(k string) string { return tt.env[k] }, func() ParameterClient {
				madeClient = true
				return &fakeSSM{}
			})

			var kind string
			switch src.(type) {
			case *ParameterSecret:
				kind = "parameter"
			case StaticSecret:
				kind = "static"
			case noSecret:
				kind = "none"
			}
			if kind != tt.wantSource {
				t.Errorf("source = %T, want %s", src, tt.wantSource)
			}
			if madeClient != tt.wantClient {
				t.Errorf("SSM client made: %v, want %v (offline runs have no AWS config)", madeClient, tt.wantClient)
			}
			var line map[string]any
			if tt.wantLog == "" {
				if out.Len() != 0 {
					t.Errorf("logged %s, want nothing", out.String())
				}
			} else if err := json.Unmarshal(out.Bytes(), &line); err != nil || line["level"] != tt.wantLog {
				t.Errorf("log = %s, want one %s line", out.String(), tt.wantLog)
			}
			if bytes.Contains(out.Bytes(), secret) {
				t.Errorf("the secret was logged: %s", out.String())
			}
			if kind == "none" {
				if _, err := src.Secret(context.Background()); !errors.Is(err, errNoSecret) {
					t.Errorf("Secret() err = %v, want %v", err, errNoSecret)
				}
			}
		})
	}
}

func TestStaticSecret(t *testing.T) {
	if got, err := StaticSecret(secret).Secret(context.Background()); err != nil || !bytes.Equal(got, secret) {
		t.Errorf("Secret() = %q, %v", got, err)
	}
	if _, err := StaticSecret(secret[:31]).Secret(context.Background()); !errors.Is(err, token.ErrWeakSecret) {
		t.Errorf("31-byte secret: err = %v, want %v", err, token.ErrWeakSecret)
	}
}
