package cloudformation

import (
	"strconv"
	"time"
)

// The readers of resources take a property's resolved value as
// CloudFormation does: a number may be written as a string, and a scalar
// read where a string belongs.

// String reads a scalar as a string; "" when unset.
func String(v any) string {
	if v == nil {
		return ""
	}
	return scalar(v)
}

// Strings reads a list of scalars.
func Strings(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		out = append(out, String(x))
	}
	return out
}

// Int reads a whole number, written as one or as a string.
func Int(v any) (int, bool) {
	switch x := v.(type) {
	case float64:
		return int(x), true
	case string:
		n, err := strconv.Atoi(x)
		return n, err == nil
	}
	return 0, false
}

// Seconds reads a whole number of seconds, or gives def when unset.
func Seconds(v any, def time.Duration) time.Duration {
	if n, ok := Int(v); ok {
		return time.Duration(n) * time.Second
	}
	return def
}
