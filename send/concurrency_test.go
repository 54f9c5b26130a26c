package main

import "testing"

func TestConcurrency(t *testing.T) {
	tests := []struct {
		env     string
		want    int
		wantErr bool
	}{
		{"", defaultConcurrency, false},
		{"1", 1, false},
		{"64", 64, false},
		{"0", defaultConcurrency, true},
		{"-3", defaultConcurrency, true},
		{"ten", defaultConcurrency, true},
		{"8 ", defaultConcurrency, true},
	}
	for _, tt := range tests {
		got, err := concurrency(tt.env)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("concurrency(%q) = %d, %v; want %d, error %v", tt.env, got, err, tt.want, tt.wantErr)
		}
	}
}
