package hostbuild

import (
	"bytes"
	"errors"
	"io/fs"
	"path/filepath"
	"testing"

	"wsapi/offline/testkit"
)

func TestSameBytes(t *testing.T) {
	block := string(bytes.Repeat([]byte("go"), 128<<10)) // as long as sameBytes reads at once
	tests := []struct {
		name string
		a, b string
		want bool
	}{
		{"empty", "", "", true},
		{"same", "bootstrap", "bootstrap", true},
		{"same, a whole read", block, block, true},
		{"same, over a read", block + "x", block + "x", true},
		{"one byte more", "bootstrap", "bootstrapx", false},
		{"the same size", "bootstrap", "bootstrab", false},
		{"the same size, after a whole read", block + "a", block + "b", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			testkit.WriteFiles(t, dir, map[string]string{"a": tt.a, "b": tt.b})
			if got, err := sameBytes(filepath.Join(dir, "a"), filepath.Join(dir, "b")); got != tt.want || err != nil {
				t.Errorf("sameBytes = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
	if _, err := sameBytes(filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("sameBytes of no files: %v, want fs.ErrNotExist", err)
	}
}
