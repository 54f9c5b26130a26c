package reply

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"wsapi/shared/connections"
)

type poster struct {
	to, data string
	err      error
}

func (p *poster) Post(_ context.Context, id string, data []byte) error {
	p.to, p.data = id, string(data)
	return p.err
}

func TestReject(t *testing.T) {
	tests := []struct {
		name    string
		postErr error
		wantErr bool
	}{
		{"told", nil, false},
		{"caller already gone", fmt.Errorf("post: %w", connections.ErrGone), false},
		{"send failed", errors.New("throttled"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &poster{err: tt.postErr}
			resp, err := Reject(context.Background(), p, "c=", Errorf(CodeMissingField, "%s is required", "to"))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if resp.StatusCode != 400 {
				t.Errorf("status = %d, want 400", resp.StatusCode)
			}
			if p.to != "c=" || p.data != `{"error":"missing_field","message":"to is required"}` {
				t.Errorf("sent %q to %q", p.data, p.to)
			}
		})
	}
}
