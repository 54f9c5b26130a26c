package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"wsapi/offline/testkit"
)

// The README's session and what the gateway prints around it.

func TestTutorialSession(t *testing.T) {
	t.Parallel()
	g := sharedGateway(t)
	c := g.dial(t, "taro", "")

	var forbidden struct{ Message, ConnectionID, RequestID string }
	got := send(t, c, `{}`)
	if err := json.Unmarshal([]byte(got), &forbidden); err != nil || forbidden.Message != "Forbidden" || len(forbidden.ConnectionID) != 16 {
		t.Fatalf("{} got %s, want API Gateway's Forbidden with the connection id", got)
	}
	if want := fmt.Sprintf(`{"message": "Forbidden", "connectionId":"%s", "requestId":"%s"}`, forbidden.ConnectionID, forbidden.RequestID); got != want {
		t.Errorf("Forbidden frame = %s, want exactly %s", got, want)
	}

	tests := []struct{ send, want string }{
		{`{"action":"hello","userName":"taro"}`, `{"message":"hello, taro!"}`},
		{`{"action":"hello","userName":"太郎"}`, `{"message":"hello, 太郎!"}`},
		{`not json`, fmt.Sprintf(`{"message": "Forbidden", "connectionId":"%s", "requestId":"`, forbidden.ConnectionID)},
		{`{"action":"hello"}`, `{"error":"missing_field","message":"userName is required"}`},
		{`{"action":"hello","userName":""}`, `{"error":"invalid_field","message":"userName must not be empty"}`},
		{`{"action":"hello","userName":7}`, `{"error":"invalid_field","message":"userName must be a string"}`},
		{`{"action":"hello","userName":"` + strings.Repeat("x", 65) + `"}`, `{"error":"invalid_field","message":"userName must be at most 64 characters, got 65"}`},
		{`{"action":"hello","userName":"a\u0007b"}`, `{"error":"invalid_field","message":"userName must not contain control characters"}`},
		{`{"action":"hello","userName":"\ud800"}`, `{"error":"invalid_field","message":"userName must be valid UTF-8"}`},
		// Still open after every error above.
		{`{"action":"hello","userName":"hanako"}`, `{"message":"hello, hanako!"}`},
	}
	for _, tt := range tests {
		if got := send(t, c, tt.send); !strings.HasPrefix(got, tt.want) {
			t.Errorf("%s\n got %s\nwant %s", tt.send, got, tt.want)
		}
	}
}

func TestReplyGoesToTheCallerOnly(t *testing.T) {
	t.Parallel()
	g := sharedGateway(t)
	victim := g.dial(t, "hanako", "")
	var f struct{ ConnectionID string }
	if err := json.Unmarshal([]byte(send(t, victim, `{}`)), &f); err != nil || f.ConnectionID == "" {
		t.Fatalf("no connection id for the victim: %v", err)
	}

	attacker := g.dial(t, "mallory", "")
	msg := fmt.Sprintf(`{"action":"hello","userName":"mallory","connectionId":%q}`, f.ConnectionID)
	if got := send(t, attacker, msg); got != `{"message":"hello, mallory!"}` {
		t.Errorf("attacker got %s", got)
	}
	// The victim must get nothing: its next frame is the answer to its own message.
	if got := send(t, victim, `{"action":"hello","userName":"taro"}`); got != `{"message":"hello, taro!"}` {
		t.Errorf("victim got %s, a frame meant for nobody", got)
	}
}

func TestLogsAndTraces(t *testing.T) {
	t.Parallel()
	g := startGateway(t)
	// API Gateway answers a handshake without the identity source, the
	// token, itself: the authorizer does not run for it (authorizer.log).
	for _, query := range []string{"", "?token=", "?user=taro"} {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		_, resp, err := websocket.Dial(ctx, g.url+query, nil)
		cancel()
		if err == nil || resp == nil || resp.StatusCode != 401 {
			t.Fatalf("handshake %q: %v %v, want refused with 401", query, err, resp)
		}
	}
	c := g.dial(t, "taro", "")
	send(t, c, `{"action":"hello","userName":"taro"}`)
	// The reply can arrive before the invocation ends; a message sent before
	// then would start a second instance, as on Lambda.
	g.waitOutput(t, `hello +│ END RequestId`, 1)
	send(t, c, `{"action":"hello","userName":"taro"}`)
	c.Close(websocket.StatusNormalClosure, "bye")

	for _, want := range []string{
		`(?m)^hello +│ START RequestId: [0-9a-f-]{36} Version: \$LATEST$`,
		`(?m)^hello +│ REPORT RequestId: [0-9a-f-]{36}\tDuration: [0-9.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: [0-9.]+ ms$`,
		// The second hello is warm: no Init Duration.
		`(?m)^hello +│ REPORT RequestId: [0-9a-f-]{36}\tDuration: [0-9.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB$`,
		`(?m)^hello +│ \{"level":"info","function":"go-websocket-api-local-hello","route":"hello","requestId":"[0-9a-f-]{36}","connectionId":"[A-Za-z0-9]{15}=","traceId":"1-[0-9a-f]{8}-[0-9a-f]{24}","bytes":26,"durationMs":[0-9.]+,"outcome":"ok"`,
		`(?m)^onconnect +│ .*"sourceIp":"127.0.0.1"`,
		`(?m)^ondisconnect +│ .*"disconnectStatusCode":1000,"disconnectReason":"bye"`,
		`(?m)^x-ray +│ └─ go-websocket-api-local-hello  [0-9.]+ ms  \(Lambda function\)  requestId=[0-9a-f-]{36}  route=hello$`,
		`(?m)^x-ray +│    └─ PostToConnection  [0-9.]+ ms  bytes=26  connectionId=[A-Za-z0-9]{15}=  outcome=ok$`,
		`(?m)^x-ray +│ └─ go-websocket-api-local-ondisconnect`,
	} {
		g.waitOutput(t, want, 1)
	}

	logFile, err := os.ReadFile(filepath.Join(g.logs, "hello.log"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(logFile), "START RequestId"); n != 2 {
		t.Errorf("hello.log holds %d invocations, want 2:\n%s", n, logFile)
	}
	if strings.Contains(string(logFile), "onconnect") {
		t.Error("hello.log holds another function's lines")
	}
	// An invocation's START line is written as it starts: taro's before his
	// handshake ended, any for the refused ones before his began.
	logFile, err = os.ReadFile(filepath.Join(g.logs, "authorizer.log"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(logFile), "START RequestId"); n != 1 {
		t.Errorf("authorizer.log holds %d invocations, want taro's alone (not the 3 handshakes without a token):\n%s", n, logFile)
	}
}

// Traces follow Lambda's sampling (the first invocation of each function
// every second, 5% of the rest) unless -trace-all asks for every one.
func TestTraceSampling(t *testing.T) {
	t.Parallel()
	const hellos = 40
	for _, tt := range []struct {
		args     []string
		min, max int
	}{
		{nil, 1, hellos / 2},
		{[]string{"-trace-all"}, hellos, hellos},
	} {
		t.Run(fmt.Sprint(tt.args), func(t *testing.T) {
			g := startGateway(t, tt.args...)
			c := g.dial(t, "taro", "")
			for range hellos {
				send(t, c, `{"action":"hello","userName":"taro"}`)
			}
			g.waitOutput(t, `hello +│ END RequestId`, hellos)
			c.Close(websocket.StatusNormalClosure, "bye")
			// $disconnect is the first of its function: traced, and printed
			// after the hellos' traces (each waits the same settle time).
			g.waitOutput(t, `(?m)^x-ray +│ └─ go-websocket-api-local-ondisconnect`, 1)
			helloTrace := `(?m)^x-ray +│ └─ go-websocket-api-local-hello `
			if tt.min == tt.max {
				g.waitOutput(t, helloTrace, tt.min) // a straggler may come after it
			}
			n := len(regexp.MustCompile(helloTrace).FindAllString(g.output(), -1))
			if n < tt.min || n > tt.max {
				t.Errorf("%d of %d hellos traced, want %d to %d", n, hellos, tt.min, tt.max)
			}
		})
	}
}

func TestCtrlC(t *testing.T) {
	t.Parallel()
	g := startGateway(t)
	clients := []*websocket.Conn{g.dial(t, "taro", ""), g.dial(t, "taro", "/local")}
	for _, c := range clients {
		send(t, c, `{"action":"hello","userName":"taro"}`)
	}
	children := childPIDs(g.cmd.Process.Pid)
	if len(children) < 3 {
		t.Fatalf("gateway runs %d function processes, want onconnect, ondisconnect and hello at least", len(children))
	}

	closed := make(chan error, len(clients))
	for _, c := range clients {
		go func() {
			_, _, err := c.Read(context.Background())
			closed <- err
		}()
	}
	if err := g.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	for range clients {
		select {
		case err := <-closed:
			if websocket.CloseStatus(err) != websocket.StatusGoingAway {
				t.Errorf("client saw %v, want close 1001", err)
			}
		case <-time.After(15 * time.Second):
			t.Fatal("clients were not closed")
		}
	}
	if code := g.awaitExit(t, 20*time.Second); code != 0 {
		t.Errorf("gateway exit code %d, want 0", code)
	}
	out := g.output()
	if n := strings.Count(out, `"disconnectStatusCode":1001`); n != len(clients) {
		t.Errorf("$disconnect ran %d times with 1001, want %d", n, len(clients))
	}
	for _, pid := range children {
		if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
			t.Errorf("function process %d outlived the gateway", pid)
		}
	}
}

// TestWscat is the README's session, typed into the real wscat.
func TestWscat(t *testing.T) {
	t.Parallel()
	g := sharedGateway(t)
	user := uniqueName("taro")
	cmd := exec.Command("npx", "--no-install", "wscat", "-c", g.url+"?token="+tokenFor(t, user))
	cmd.Dir = projectDir
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("wscat (npm ci installs it): %v", err)
	}
	defer func() {
		stdin.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	// Without a terminal wscat prints no "Connected" banner, and lines typed
	// before it connects are lost: the gateway's CONNECT line of its
	// connection says when to type.
	var mu sync.Mutex
	var printed strings.Builder
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := stdout.Read(buf)
			mu.Lock()
			printed.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	waitFor := func(want string) {
		t.Helper()
		testkit.Eventually(t, 20*time.Second, func() (bool, string) {
			mu.Lock()
			got := printed.String()
			mu.Unlock()
			return strings.Contains(got, want), fmt.Sprintf("wscat printed %q, want %q; gateway output:\n%s", got, want, g.output())
		})
	}
	g.waitOutput(t, `gateway +│ CONNECT +`+regexp.QuoteMeta(g.connectionsOf(t, user)[user])+`  from `, 1)
	session := []struct{ send, want string }{
		{`{"action":"hello","userName":"taro"}`, `{"message":"hello, taro!"}` + "\n"},
		{`{"action":"hello"}`, `{"error":"missing_field","message":"userName is required"}` + "\n"},
		{`hello`, `{"message": "Forbidden", "connectionId":"`},
	}
	for _, s := range session {
		io.WriteString(stdin, s.send+"\n")
		waitFor(s.want)
	}
}
