package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/coder/websocket"

	"wsapi/offline/testkit"
)

// dropConnection opens a connection as user and drops it with a TCP reset,
// as a phone that loses its network does: no close handshake.
func (g *gatewayProc) dropConnection(t testing.TB, user string) {
	t.Helper()
	var tcp *net.TCPConn
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err == nil {
			tcp = c.(*net.TCPConn)
		}
		return c, err
	}}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, g.url+"?token="+tokenFor(t, user), &websocket.DialOptions{HTTPClient: client})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	_ = c // dropped below the library
	if err := tcp.SetLinger(0); err != nil {
		t.Fatal(err)
	}
	tcp.Close()
}

func (g *gatewayProc) openFiles(t testing.TB) int {
	t.Helper()
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", g.cmd.Process.Pid))
	if err != nil {
		t.Skip("needs /proc to count the gateway's open files")
	}
	return len(fds)
}

// TestDroppedConnectionsReleaseSockets: a thousand clients that vanish with
// a TCP reset leave no socket open in the gateway.
func TestDroppedConnectionsReleaseSockets(t *testing.T) {
	t.Parallel()
	g := startGateway(t)
	// The first connections start the function instances, whose pipes are
	// open files too: the count starts once they run.
	for i := range 10 {
		g.dropConnection(t, fmt.Sprintf("warm%d", i))
	}
	g.waitOutput(t, `DISCONNECT`, 10)
	before := g.openFiles(t)
	const drops = 1000
	for i := range drops {
		g.dropConnection(t, fmt.Sprintf("user%d", i))
	}
	g.waitOutput(t, `DISCONNECT`, 10+drops)
	// Instances started meanwhile for $connect and $disconnect running side
	// by side hold a few pipes each; a leak holds one socket per drop.
	const instanceFiles = 40
	testkit.Eventually(t, 30*time.Second, func() (bool, string) {
		n := g.openFiles(t)
		return n <= before+instanceFiles, fmt.Sprintf("the gateway holds %d open files after %d dropped connections, %d before", n, drops, before)
	})
}
