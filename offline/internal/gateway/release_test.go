package gateway

import (
	"net"
	"os"
	"testing"
	"time"
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
	deadline := time.Now().Add(20 * time.Second)
	for {
		n := openFiles(t)
		if n <= before && h.gw.Connections() == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d files open after %d dropped connections, %d before; %d connections left", n, drops, before, h.gw.Connections())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
