package fanout

import "testing"

func TestConcurrencyFromEnv(t *testing.T) {
	const def = 32
	tests := []struct {
		env     string
		want    int
		wantErr bool
	}{
		{"", def, false},
		{"1", 1, false},
		{"64", 64, false},
		{"0", def, true},
		{"-3", def, true},
		{"ten", def, true},
		{"8 ", def, true},
	}
	for _, tt := range tests {
		t.Setenv("TEST_CONCURRENCY", tt.env)
		got, err := ConcurrencyFromEnv("TEST_CONCURRENCY", def)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("TEST_CONCURRENCY=%q: %d, %v; want %d, error %v", tt.env, got, err, tt.want, tt.wantErr)
		}
	}
}
