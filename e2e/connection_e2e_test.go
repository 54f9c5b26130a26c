package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"wsapi/offline/testkit"
)

// TestStillSendingClientReadsTheCloseFrame: a client still sending when
// the gateway closes it, the `ws` client sending a 200 KB message in
// fragments of 16 KB, gets the close frame that says why, 1009 and its
// reason, not a reset that loses it (1006).
func TestStillSendingClientReadsTheCloseFrame(t *testing.T) {
	t.Parallel()
	g := sharedGateway(t)
	modules, err := filepath.Abs(filepath.Join(projectDir, "node_modules"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		cmd := exec.CommandContext(ctx, "node", filepath.Join("testdata", "fragments.js"),
			g.url+"?token="+tokenFor(t, fmt.Sprintf("sender%d", i)), fmt.Sprint(200<<10), fmt.Sprint(16<<10))
		cmd.Env = append(os.Environ(), "NODE_MODULES="+modules)
		out, err := cmd.Output()
		cancel()
		if err != nil {
			t.Fatalf("ws client: %v\n%s", err, out)
		}
		var closed struct {
			Code   int
			Reason string
		}
		if err := json.Unmarshal(out, &closed); err != nil {
			t.Fatalf("ws client printed %q: %v", out, err)
		}
		if want := "Message too big: the limit is 131072 bytes"; closed.Code != 1009 || closed.Reason != want {
			t.Errorf("attempt %d: the client saw close %d %q, want 1009 %q", i, closed.Code, closed.Reason, want)
		}
	}
}

// handshakeEnd is the gateway's last line about a handshake: the client
// left during it, or it was refused, or the connection opened and then its
// DISCONNECT. It captures the connection's id.
var handshakeEnd = regexp.MustCompile(`(?m)^gateway +│ (?:CONNECT +(\S+)  (?:client left during the handshake|rejected)|DISCONNECT +(\S+) )`)

// TestAbandonedHandshakesLeaveNoRow: clients that drop their socket a few
// milliseconds after a full upgrade request, while the authorizer or
// onconnect runs, leave no registry row: every $connect that wrote one is
// followed by $disconnect.
func TestAbandonedHandshakesLeaveNoRow(t *testing.T) {
	t.Parallel()
	g := sharedGateway(t)
	host := strings.TrimPrefix(g.url, "ws://")
	leavers := make([]string, 20)
	for i := range leavers {
		leavers[i] = uniqueName("leaver")
		nc, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		req := testkit.UpgradeRequest(host, "/?token="+tokenFor(t, leavers[i]))
		if _, err := nc.Write([]byte(req)); err != nil {
			t.Fatal(err)
		}
		// The client's own impatience, not a wait for the gateway: it drops
		// the socket at moments spread over the handshake.
		time.Sleep(time.Duration(4+i%8) * time.Millisecond)
		_ = nc.(*net.TCPConn).SetLinger(0)
		nc.Close()
	}
	// The authorizer lets each leaver in, on a connection whose handshake
	// then ends: once every one has, no $connect is left to write a row.
	ids := g.connectionsOf(t, leavers...)
	testkit.Eventually(t, 15*time.Second, func() (bool, string) {
		ended := map[string]bool{}
		for _, m := range handshakeEnd.FindAllStringSubmatch(g.output(), -1) {
			ended[m[1]+m[2]] = true
		}
		var open []string
		for user, id := range ids {
			if !ended[id] {
				open = append(open, user+" "+id)
			}
		}
		return len(open) == 0, fmt.Sprintf("%d handshakes not ended: %v", len(open), open)
	})
	db := g.db(t)
	testkit.Eventually(t, 15*time.Second, func() (bool, string) {
		left := rowsOf(t, db, leavers...)
		return len(left) == 0, fmt.Sprintf("%d registry rows left by %d abandoned handshakes: %v", len(left), len(leavers), left)
	})
}
