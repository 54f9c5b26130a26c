package connections

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"
)

// TestRetryable: what another try may fix, from the answers @connections
// gives, as the client classifies them.
func TestRetryable(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		errorType string
		want      bool
	}{
		{"gone", 410, "GoneException", false},
		{"throttled", 429, "LimitExceededException", true},
		{"forbidden", 403, "ForbiddenException", false},
		{"too large", 413, "PayloadTooLargeException", false},
		{"bad request", 400, "BadRequestException", false},
		{"server error", 500, "InternalServerErrorException", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := fakeAPI(t, tt.status, tt.errorType, `{"message":"x"}`)
			err := New(testConfig(), srv.URL+"/prod").Post(context.Background(), id, []byte("hi"))
			if err == nil {
				t.Fatal("Post: want an error")
			}
			if got := Retryable(err); got != tt.want {
				t.Errorf("Retryable(%v) = %v, want %v", err, got, tt.want)
			}
		})
	}

	unreachable := httptest.NewServer(nil)
	unreachable.Close()
	err := New(testConfig(), unreachable.URL+"/prod").Post(context.Background(), id, []byte("hi"))
	if err == nil || !Retryable(err) {
		t.Errorf("no answer at all: Retryable(%v) = false, want true", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := fmt.Errorf("post: %w", ctx.Err()); !Retryable(err) {
		t.Errorf("cut off by its context: Retryable(%v) = false, want true", err)
	}
	if Retryable(nil) {
		t.Error("Retryable(nil) = true")
	}
	if Retryable(errors.New("x")) != true {
		t.Error("an error with no HTTP answer is not retryable")
	}
}
