package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestStillSendingClientReadsTheCloseFrame: a client still sending when
// the gateway closes it, the `ws` client sending a 200 KB message in
// fragments of 16 KB, gets the close frame that says why, 1009 and its
// reason, not a reset that loses it (1006).
func TestStillSendingClientReadsTheCloseFrame(t *testing.T) {
	g := startGateway(t)
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
