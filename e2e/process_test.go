package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// childPIDs lists the processes whose parent is pid.
func childPIDs(pid int) []int {
	var out []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so read after the last ')'.
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			out = append(out, child)
		}
	}
	return out
}

// descendantPIDs are pid's children, theirs, and so on.
func descendantPIDs(pid int) []int {
	var out []int
	for _, c := range childPIDs(pid) {
		out = append(out, c)
		out = append(out, descendantPIDs(c)...)
	}
	return out
}

// commandName is a process's name as the kernel has it (/proc/<pid>/comm).
func commandName(pid int) string {
	comm, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "comm"))
	return strings.TrimSpace(string(comm))
}

// functionPIDs are the gateway's children running the bootstrap of the
// function key.
func functionPIDs(g *gatewayProc, key string) []int {
	var pids []int
	for _, pid := range childPIDs(g.cmd.Process.Pid) {
		exe, err := os.Readlink(filepath.Join("/proc", strconv.Itoa(pid), "exe"))
		if err == nil && strings.HasSuffix(exe, "/"+key+"/bootstrap") {
			pids = append(pids, pid)
		}
	}
	return pids
}
