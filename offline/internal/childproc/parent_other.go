//go:build !linux

package childproc

// fatalSignalsCaught is unknown without /proc: only the parent's exit is
// seen.
func fatalSignalsCaught(int) (uint64, bool) { return 0, false }
