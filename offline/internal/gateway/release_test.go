package gateway

import (
	"fmt"
	"net"
	"os"
	"testing"
	"time"

	"wsapi/offline/testkit"
)

func openFiles(t *testing.T) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("needs /proc/self/fd to count open files")
	}
	return len(fds)
}

// TestDroppedConnectionsReleaseSockets: clients that vanish without a close
// handshake (a TCP reset, as when a phone loses its network) leave no
// socket behind in the gateway.
func TestDroppedConnectionsReleaseSockets(t *testing.T) {
	h := start(t, func(c *Config) { delete(c.Routes, "$disconnect") })
	before := openFiles(t)
	const drops = 1000
	for range drops {
		c := h.rawDial(t, "/")
		if err := c.nc.(*net.TCPConn).SetLinger(0); err != nil {
			t.Fatal(err)
		}
		c.nc.Close() // SO_LINGER 0: the close sends RST.
	}
	testkit.Eventually(t, 20*time.Second, func() (bool, string) {
		n, left := openFiles(t), h.gw.Connections()
		return n <= before && left == 0, fmt.Sprintf("%d files open after %d dropped connections, %d before; %d connections left", n, drops, before, left)
	})
}
