package childproc

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// fatalSignalsCaught reads which of SIGINT, SIGTERM and SIGHUP process pid
// has a handler for (SigCgt in /proc/<pid>/status), as a bit mask.
func fatalSignalsCaught(pid int) (uint64, bool) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "SigCgt:"); ok {
			mask, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			if err != nil {
				return 0, false
			}
			fatal := uint64(1)<<(syscall.SIGINT-1) | uint64(1)<<(syscall.SIGTERM-1) | uint64(1)<<(syscall.SIGHUP-1)
			return mask & fatal, true
		}
	}
	return 0, false
}
