package username

import (
	"errors"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		want error
		msg  string
	}{
		{"taro", nil, ""},
		{"太郎", nil, ""},
		{"hanako.y-2", nil, ""},
		{strings.Repeat("あ", 64), nil, ""},
		{"", ErrEmpty, "must not be empty"},
		{" \t", ErrEmpty, "must not be empty"},
		{strings.Repeat("a", 65), ErrTooLong, "must be at most 64 characters, got 65"},
		{"ta\xffro", ErrInvalidUTF8, "must be valid UTF-8"},
		{"ta\uFFFDro", ErrInvalidUTF8, "must be valid UTF-8"},
		{"ta\nro", ErrControl, "must not contain control characters"},
		{"ta\x00ro", ErrControl, "must not contain control characters"},
		{"ta\u0085ro", ErrControl, "must not contain control characters"},
	}
	for _, tt := range tests {
		err := Check(tt.name)
		if !errors.Is(err, tt.want) || (err != nil && err.Error() != tt.msg) {
			t.Errorf("Check(%q) = %v, want %v (%q)", tt.name, err, tt.want, tt.msg)
		}
	}
}
