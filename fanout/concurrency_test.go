package main

import "testing"

func TestConcurrency(t *testing.T) {
	tests := []struct {
		env     string
		want    int
		wantErr bool
	}{
		{"", defaultConcurrency, false},
		{"10", 10, false},
		{"0", defaultConcurrency, true},
		{"x", defaultConcurrency, true},
	}
	for _, tt := range tests {
		if got, err := concurrency(tt.env); got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("concurrency(%q) = %d, %v; want %d, error %v", tt.env, got, err, tt.want, tt.wantErr)
		}
	}
}
