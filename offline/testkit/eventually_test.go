package testkit

import (
	"fmt"
	"testing"
	"time"
)

func TestEventually(t *testing.T) {
	tests := []struct {
		name        string
		okAt        int // the look at which cond holds; 0: never
		wantLooks   int // at least
		wantFailure string
	}{
		{"holds at once", 1, 1, ""},
		{"holds at the third look", 3, 3, ""},
		{"never holds", 0, 2, "after 50ms: look "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			looks := 0
			got := failure(t, func(tb testing.TB) {
				Eventually(tb, 50*time.Millisecond, func() (bool, string) {
					looks++
					return looks == tt.okAt, fmt.Sprintf("look %d", looks)
				})
			})
			if tt.wantFailure == "" && got != "" {
				t.Errorf("failed with %q, want no failure", got)
			}
			if tt.wantFailure != "" && got != fmt.Sprintf("%s%d", tt.wantFailure, looks) {
				t.Errorf("failed with %q, want %q and the last look, %d", got, tt.wantFailure, looks)
			}
			if looks < tt.wantLooks || (tt.okAt > 0 && looks != tt.okAt) {
				t.Errorf("cond looked at %d times, want %d", looks, tt.wantLooks)
			}
		})
	}
}
