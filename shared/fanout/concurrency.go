package fanout

import (
	"fmt"
	"os"
	"strconv"
)

// ConcurrencyFromEnv reads the posts in flight a function allows from the
// environment variable name: unset or empty means def. Anything but a
// positive number is reported and replaced by def, so that a typo slows
// nothing down.
func ConcurrencyFromEnv(name string, def int) (int, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return def, fmt.Errorf("%s %q is not a positive number: using %d", name, v, def)
	}
	return n, nil
}
