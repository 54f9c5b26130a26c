package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"wsapi/offline/testkit"
	"wsapi/workspace"
)

// TestFirstStart starts the gateway as make offline does on a fresh clone:
// nothing built, so it builds every function for this machine while it
// packages. It says what it builds before the go command runs and each
// function as it is built; a client that comes meanwhile is answered 503
// with Retry-After; and nothing is built for Lambda (no bin/arm64), what
// packaging needed of bin/ being placeholders, which no deploy takes.
func TestFirstStart(t *testing.T) {
	t.Parallel()
	root := freshClone(t)
	g := launchCopy(t, root, "-build", "-watch=false")

	listening := g.waitOutputWithin(t, `(?m)^gateway +│ listening at ws://(\S+);`, 1, 60*time.Second)[0]
	addr := regexp.MustCompile(`ws://(\S+);`).FindStringSubmatch(listening)[1]
	resp, body := testkit.Handshake(t, addr, addr, "/")
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "building the functions") {
		t.Errorf("a client during the start got %s, Retry-After %q, %s; want 503 with Retry-After and the reason", resp.Status, resp.Header.Get("Retry-After"), body)
	}

	g.awaitReady(t)
	fns, err := workspace.Functions(filepath.Join(root, "serverless.yml"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(g.output(), "\n")
	at := func(re string) int {
		rx := regexp.MustCompile(re)
		for n, l := range lines {
			if rx.MatchString(l) {
				return n
			}
		}
		return -1
	}
	started := at(`^build +│ building \d+ functions for this machine into \.offline/bin, to run them here`)
	ready := at(`│ ready: `)
	if started < 0 || started > ready {
		t.Errorf("no build line before the ready line:\n%s", g.output())
	}
	for _, fn := range fns {
		if n := at(`^build +│ ` + fn + ` built in [0-9.]+m?s$`); n < started || n > ready {
			t.Errorf("%s: no line with its build time between the build's first line and ready (line %d):\n%s", fn, n, g.output())
		}
	}

	if resp, _ := testkit.Handshake(t, addr, addr, "/"); resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusSwitchingProtocols {
		t.Errorf("once ready, a handshake without a token got %s, want the API's own answer", resp.Status)
	}
	if _, err := os.Stat(filepath.Join(root, "bin", "arm64")); !os.IsNotExist(err) {
		t.Errorf("bin/arm64 exists (%v): the gateway built for Lambda", err)
	}
	zips, _ := filepath.Glob(filepath.Join(root, "bin", "*.zip"))
	if len(zips) == 0 {
		t.Fatal("no bin/<fn>.zip: packaging had nothing to package")
	}
	for _, zip := range zips {
		data, err := os.ReadFile(zip)
		if err != nil || !strings.HasPrefix(string(data), "placeholder for bin/") {
			t.Errorf("%s is not a placeholder (%v): %.40q", zip, err, data)
		}
	}
	c := g.dial(t, "taro", "")
	if got := send(t, c, `{"action":"hello","userName":"taro"}`); got != `{"message":"hello, taro!"}` {
		t.Errorf("hello got %s", got)
	}
}
