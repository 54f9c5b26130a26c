package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"wsapi/offline/testkit"
)

// holdsOpen tells whether the gateway has path open.
func holdsOpen(t testing.TB, g *gatewayProc, path string) bool {
	t.Helper()
	dir := fmt.Sprintf("/proc/%d/fd", g.cmd.Process.Pid)
	fds, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("needs /proc to list the gateway's open files: %v", err)
	}
	for _, fd := range fds {
		if target, err := os.Readlink(filepath.Join(dir, fd.Name())); err == nil && target == path {
			return true
		}
	}
	return false
}

// TestRemovedFunctionStopsUnderAnotherConfig serves a copy of
// serverless.yml named other.yml with -config: a change to other.yml is
// reloaded, and a function removed from it stops running and its log file
// is closed.
func TestRemovedFunctionStopsUnderAnotherConfig(t *testing.T) {
	t.Parallel()
	root := workspaceCopy(t)
	copyFile(t, filepath.Join(root, "serverless.yml"), filepath.Join(root, "other.yml"))
	g := startCopy(t, root, "-config", filepath.Join(root, "other.yml"))
	c := g.dial(t, "taro", "")
	if got := send(t, c, `{"action":"hello","userName":"taro"}`); got != `{"message":"hello, taro!"}` {
		t.Fatalf("hello: %s", got)
	}
	pids := functionPIDs(g, "hello")
	if len(pids) == 0 {
		t.Fatal("no hello process after an invocation of hello")
	}
	log := filepath.Join(g.logs, "hello.log")
	if !holdsOpen(t, g, log) {
		t.Fatalf("the gateway does not hold %s open while hello is deployed", log)
	}

	// One save: the function, its route, the extension of its permission
	// and its role.
	yml := filepath.Join(root, "other.yml")
	b, err := os.ReadFile(yml)
	if err != nil {
		t.Fatal(err)
	}
	edited := string(b)
	for _, cut := range []string{
		"  hello:\n    handler: bootstrap\n    package:\n      artifact: bin/hello.zip\n    role: HelloRole\n    events:\n      - websocket:\n          route: hello\n",
		"    HelloLambdaPermissionWebsockets:\n      Properties:\n        SourceArn: ${self:custom.thisApi}\n",
	} {
		if !strings.Contains(edited, cut) {
			t.Fatalf("other.yml holds no %q", cut)
		}
		edited = strings.Replace(edited, cut, "", 1)
	}
	// Its role, which names its log group, goes too: up to the next role.
	from, to := strings.Index(edited, "    HelloRole:\n"), strings.Index(edited, "    SendRole:\n")
	if from < 0 || to < from {
		t.Fatal("other.yml has no HelloRole followed by SendRole")
	}
	edited = edited[:from] + edited[to:]
	if err := os.WriteFile(yml, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	g.waitOutputWithin(t, `(?m)^reload +│ other\.yml: route hello removed, function hello removed \(\d+\.\d s\)$`, 1, 60*time.Second)
	for _, pid := range pids {
		if !testkit.Gone(pid) {
			t.Errorf("hello's process %d still runs after hello was removed", pid)
		}
	}
	if holdsOpen(t, g, log) {
		t.Errorf("the gateway still holds %s open after hello was removed", log)
	}
	if got := send(t, c, `{"action":"hello","userName":"taro"}`); !strings.Contains(got, `"message": "Forbidden"`) {
		t.Errorf("hello once removed: %s, want Forbidden", got)
	}
}
