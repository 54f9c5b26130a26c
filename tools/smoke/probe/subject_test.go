package probe

import (
	"errors"
	"testing"
	"time"

	"wsapi/authorizer/token"
)

func TestSubjectOf(t *testing.T) {
	signed, err := token.Sign(secret, "太郎", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		tok     string
		want    string
		wantErr error
	}{
		{signed, "太郎", nil},
		{"not-a-token", "", ErrNoSubject},
		{"a.%%%.c", "", ErrNoSubject},
		{"eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2ln", "", ErrNoSubject}, // {"exp":1}: no sub
	}
	for _, tt := range tests {
		got, err := SubjectOf(tt.tok)
		if got != tt.want || !errors.Is(err, tt.wantErr) {
			t.Errorf("SubjectOf(%q) = %q, %v, want %q, %v", tt.tok, got, err, tt.want, tt.wantErr)
		}
	}
}
