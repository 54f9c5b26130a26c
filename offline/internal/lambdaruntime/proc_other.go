//go:build unix && !linux

package lambdaruntime

import (
	"errors"
	"os"
)

// Peak memory is read from /proc, which only Linux has: REPORT says 0.
func openStatus(int) (*os.File, error) { return nil, errors.ErrUnsupported }

func peakMemoryMB(*os.File) int { return 0 }
