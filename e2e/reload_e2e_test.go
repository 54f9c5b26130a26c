package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"wsapi/offline/testkit"
)

// The reload tests run the gateway on a copy of the workspace, whose code
// they edit as a developer would.

// workspaceCopy copies the workspace as freshClone does and puts there the
// functions' bootstraps, as make offline builds them: those TestMain built,
// which a build in the copy finds up to date (goEnv). It returns the
// copy's root.
func workspaceCopy(t testing.TB) string {
	t.Helper()
	root := freshClone(t)
	linkBuild(t, filepath.Join(buildDir, "bin"), filepath.Join(root, ".offline", "bin"))
	return root
}

// freshClone copies the workspace's modules, go.work, serverless.yml and
// package.json into a temporary directory, links node_modules and puts the
// gateway there, as the plugin builds it: a clone before its first make
// offline, no bootstrap built. No bin/: offline packaging needs no zip
// built for Lambda (TestFirstStart). It returns the copy's root.
func freshClone(t testing.TB) string {
	t.Helper()
	w := newTempProject(t, projectDir)
	w.copy(t, "serverless.yml", "package.json", "package-lock.json")
	w.copyModules(t)
	linkBuild(t, filepath.Join(buildDir, "gateway"), filepath.Join(w.Dir, ".offline", "gateway"))
	return w.Dir
}

// linkBuild hard-links the file src, or each file under the directory src,
// to the same place under dst. A link shares nothing a build writes: the go
// command and the gateway replace an executable, never write into it.
func linkBuild(t testing.TB, src, dst string) {
	t.Helper()
	mirror(t, src, dst, nil, func(from, to string) error {
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
		return os.Link(from, to)
	})
}

// startCopy starts the gateway built in the workspace copy at root, on its
// own serverless.yml and bootstraps, from the copy's root and with its
// directories named as make offline names them, and waits until it is
// ready.
func startCopy(t testing.TB, root string, args ...string) *gatewayProc {
	t.Helper()
	g := launchCopy(t, root, args...)
	g.awaitReady(t)
	return g
}

// launchCopy starts the gateway as startCopy does and returns at once.
func launchCopy(t testing.TB, root string, args ...string) *gatewayProc {
	t.Helper()
	logs := t.TempDir()
	args = append([]string{"-port", "0", "-config", filepath.Join(root, "serverless.yml"), "-bin", ".offline/bin",
		"-logs", logs, "-env", "TOKEN_SECRET=" + testSecret}, args...)
	cmd := exec.Command(filepath.Join(root, ".offline", "gateway"), args...)
	cmd.Dir = root
	cmd.Env = goEnv()
	return runGateway(t, cmd, logs)
}

// editFile replaces old by new in the copy's file.
func editFile(t testing.TB, root, file, old, new string) {
	t.Helper()
	path := filepath.Join(root, file)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s holds no %q", file, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// awaitReply sends msg on c until the reply is want, or fails at the
// deadline.
func awaitReply(t testing.TB, c *websocket.Conn, msg, want string, within time.Duration) {
	t.Helper()
	testkit.Eventually(t, within, func() (bool, string) {
		got := send(t, c, msg)
		return got == want, fmt.Sprintf("%s: still %s, want %s", msg, got, want)
	})
}

// principal is who the connection is to the functions: the authorizer's
// principalId, as send signs a message with it. A message to oneself comes
// back as a delivery and a receipt.
func principal(t testing.TB, c *websocket.Conn, user string) string {
	t.Helper()
	first := send(t, c, fmt.Sprintf(`{"action":"send","to":%q,"message":"who am I"}`, user))
	frames := []string{first, read(t, c)}
	for _, f := range frames {
		var d struct{ From, Message string }
		if err := json.Unmarshal([]byte(f), &d); err == nil && d.Message == "who am I" {
			return d.From
		}
	}
	t.Fatalf("no delivery of a message to oneself among %q", frames)
	return ""
}

func TestChangesReloadWithoutDroppingConnections(t *testing.T) {
	t.Parallel()
	root := workspaceCopy(t)
	g := startCopy(t, root)
	c := g.dial(t, "taro", "")
	id := connID(t, c)
	if who := principal(t, c, "taro"); who != "taro" {
		t.Fatalf("principalId = %q, want taro", who)
	}
	if got := send(t, c, hello); got != `{"message":"hello, taro!"}` {
		t.Fatalf("before any change: %s", got)
	}

	editFile(t, root, "hello/handler.go", `"hello, " + name + "!"`, `"hi, " + name + "!"`)
	awaitReply(t, c, hello, `{"message":"hi, taro!"}`, 60*time.Second)
	g.waitOutputWithin(t, `(?m)^reload +│ hello rebuilt in \d+\.\d s \(hello/handler\.go\)$`, 1, 60*time.Second)

	editFile(t, root, "hello/handler.go", `Message: "hi, " + name + "!"`, `Message: "hi, " + name + "!"`+"\n\tbroken(")
	g.waitOutputWithin(t, `(?m)^reload +│ hello did not build, its last good build still serves:\n(reload +│ .*\n)*reload +│   hello/handler\.go:\d+:\d+: syntax error`, 1, 60*time.Second)
	if got := send(t, c, hello); got != `{"message":"hi, taro!"}` {
		t.Errorf("after a failed build: %s, want the last good build's greeting", got)
	}

	editFile(t, root, "hello/handler.go", `"hi, " + name + "!"`+"\n\tbroken(", `"hey, " + name + "!"`)
	awaitReply(t, c, hello, `{"message":"hey, taro!"}`, 60*time.Second)

	// A route added to serverless.yml, reusing hello's function, is served
	// on the same connection; before, it is any unmatched route's.
	const xyzzy = `{"action":"xyzzy","userName":"taro"}`
	if got := send(t, c, xyzzy); !strings.HasPrefix(got, `{"message": "Forbidden"`) {
		t.Fatalf("xyzzy before it is declared: %s, want Forbidden", got)
	}
	// In the same save, a table added is created in the running dynalite,
	// and hello's timeout changed deploys hello anew.
	yml := filepath.Join(root, "serverless.yml")
	b, err := os.ReadFile(yml)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(b), "          route: hello\n", "          route: hello\n      - websocket:\n          route: xyzzy\n", 1)
	edited = strings.Replace(edited, "    role: HelloRole\n", "    role: HelloRole\n    timeout: 7\n", 1)
	edited = strings.Replace(edited, "    ConnectionsTable:\n", `    ScoresTable:
      Type: AWS::DynamoDB::Table
      Properties:
        TableName: reload-scores
        BillingMode: PAY_PER_REQUEST
        AttributeDefinitions: [{AttributeName: player, AttributeType: S}]
        KeySchema: [{AttributeName: player, KeyType: HASH}]
    ConnectionsTable:
`, 1)
	if !strings.Contains(edited, "route: xyzzy") || !strings.Contains(edited, "timeout: 7") || !strings.Contains(edited, "ScoresTable") {
		t.Fatal("serverless.yml no longer has hello's route, role or ConnectionsTable to edit beside")
	}
	if err := os.WriteFile(yml, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	awaitReply(t, c, xyzzy, `{"message":"hey, taro!"}`, 60*time.Second)
	g.waitOutputWithin(t, `(?m)^reload +│ serverless\.yml: route xyzzy added, function hello changed, table ScoresTable added \(\d+\.\d s\)$`, 1, 60*time.Second)
	g.waitOutputWithin(t, `(?m)^dynamodb +│ created reload-scores `, 1, 60*time.Second)

	// A serverless.yml the framework refuses: its error is shown, and the
	// last good template still serves.
	editFile(t, root, "serverless.yml", "    role: HelloRole\n", "    role: HelloRole\n    websocket:\n      route: typo\n")
	g.waitOutputWithin(t, `(?m)^reload +│ serverless\.yml: .*: the last good template still serves$`, 1, 60*time.Second)
	if !regexp.MustCompile(`(?m)^serverless +│ .*Configuration error at 'functions\.hello': unrecognized property 'websocket'`).MatchString(g.output()) {
		t.Errorf("the framework's error is missing")
	}
	for _, msg := range []string{hello, xyzzy} {
		if got := send(t, c, msg); got != `{"message":"hey, taro!"}` {
			t.Errorf("%s after serverless.yml broke: %s, want the last good template's greeting", msg, got)
		}
	}

	// Fixed, and the xyzzy route removed: it answers as any unmatched
	// route again.
	editFile(t, root, "serverless.yml", "    websocket:\n      route: typo\n", "")
	editFile(t, root, "serverless.yml", "      - websocket:\n          route: xyzzy\n", "")
	g.waitOutputWithin(t, `(?m)^reload +│ serverless\.yml: route xyzzy removed \(\d+\.\d s\)$`, 1, 60*time.Second)
	if got := send(t, c, xyzzy); !strings.HasPrefix(got, `{"message": "Forbidden"`) {
		t.Errorf("xyzzy once removed: %s, want Forbidden", got)
	}
	if got := send(t, c, hello); got != `{"message":"hey, taro!"}` {
		t.Errorf("hello after xyzzy was removed: %s", got)
	}

	if got := connID(t, c); got != id {
		t.Errorf("connection id went from %s to %s", id, got)
	}
	if who := principal(t, c, "taro"); who != "taro" {
		t.Errorf("principalId after the reloads = %q, want taro", who)
	}
	if out := g.output(); regexp.MustCompile(`(?m)^ondisconnect +│ START`).MatchString(out) {
		t.Error("a connection was closed during the reloads")
	}
	// One line per reload: the framework's banner is not repeated.
	if n := len(regexp.MustCompile(`(?m)^serverless +│ Packaging `).FindAllString(g.output(), -1)); n != 1 {
		t.Errorf("the framework's banner printed %d times, want once, at the start", n)
	}
	if n := len(regexp.MustCompile(`(?m)^reload +│ \S+ rebuilt`).FindAllString(g.output(), -1)); n != 2 {
		t.Errorf("%d reloads reported, want 2 (the broken save reloads nothing)", n)
	}
}
