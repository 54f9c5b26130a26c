package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"wsapi/workspace"
)

// Save to the new reply on a connection that stays open: each iteration
// edits the code on disk and sends a hello until the reply shows the edit.
// The build cache is warm after the first iteration; b.N of a few is
// enough (-benchtime 5x).

// hello is a hello of taro's, as each benchmark sends it.
const hello = `{"action":"hello","userName":"taro"}`

// helloOnACopy starts the gateway on a copy of the workspace and opens a
// connection that hello answers.
func helloOnACopy(b *testing.B) (root string, g *gatewayProc, c *websocket.Conn) {
	root = workspaceCopy(b)
	g = startCopy(b, root)
	c = g.dial(b, "taro", "")
	if got := send(b, c, hello); got != `{"message":"hello, taro!"}` {
		b.Fatalf("before any change: %s", got)
	}
	return root, g, c
}

// BenchmarkReloadOneFunction edits hello/handler.go: hello alone rebuilds.
func BenchmarkReloadOneFunction(b *testing.B) {
	root, g, c := helloOnACopy(b)
	greeting := "hello"
	for i := 0; b.Loop(); i++ {
		next := fmt.Sprintf("hello%d", i)
		editFile(b, root, "hello/handler.go", `"`+greeting+`, " + name`, `"`+next+`, " + name`)
		greeting = next
		awaitReply(b, c, hello, `{"message":"`+next+`, taro!"}`, 60*time.Second)
	}
	reportBuildTime(b, g)
}

// BenchmarkReloadShared edits shared/logging, which every function imports:
// all of them rebuild, and the iteration ends at the first reply after the
// reload is reported.
func BenchmarkReloadShared(b *testing.B) {
	root, g, c := helloOnACopy(b)
	file := filepath.Join(root, "shared", "logging", "logging.go")
	orig, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	// Every function logs: all of serverless.yml's rebuild, named in order.
	functions, err := workspace.Functions(filepath.Join(root, "serverless.yml"))
	if err != nil {
		b.Fatal(err)
	}
	rebuilt := `(?m)^reload +│ ` + regexp.QuoteMeta(strings.Join(functions, ", ")) + ` rebuilt in .* \(shared/logging/logging\.go\)$`
	for i := 0; b.Loop(); i++ {
		// A change to the package's code, as an edit is, not to its API.
		code := fmt.Appendf(orig, "\nvar reloadBenchmark = %d\n", i)
		if err := os.WriteFile(file, code, 0o644); err != nil {
			b.Fatal(err)
		}
		g.waitOutputWithin(b, rebuilt, i+1, 60*time.Second)
		if got := send(b, c, hello); got != `{"message":"hello, taro!"}` {
			b.Fatalf("after the reload: %s", got)
		}
	}
	reportBuildTime(b, g)
}

// BenchmarkReloadTemplate adds a route to serverless.yml, reusing hello's
// function: the iteration ends when the new route answers on the open
// connection. It is packaging again, reading the template and setting the
// routes.
func BenchmarkReloadTemplate(b *testing.B) {
	root, g, c := helloOnACopy(b)
	for i := 0; b.Loop(); i++ {
		route := fmt.Sprintf("hello%d", i)
		editFile(b, root, "serverless.yml", "          route: hello\n", "          route: hello\n      - websocket:\n          route: "+route+"\n")
		awaitReply(b, c, `{"action":"`+route+`","userName":"taro"}`, `{"message":"hello, taro!"}`, 60*time.Second)
	}
	reportSeconds(b, g, `(?m)^reload +│ serverless\.yml: .* \(([0-9.]+) s\)$`, "reload-s/op")
}

// reportBuildTime reports the part of each iteration the reload lines give
// as the build and deployment ("rebuilt in 0.9 s"), to tell it from the
// rest: noticing the save, the new instance's cold start, the reply.
func reportBuildTime(b *testing.B, g *gatewayProc) {
	reportSeconds(b, g, `(?m)^reload +│ .* rebuilt in ([0-9.]+) s`, "rebuild-s/op")
}

// reportSeconds reports, as unit, the mean of the seconds the gateway's
// lines matching re give in their first group.
func reportSeconds(b *testing.B, g *gatewayProc, re, unit string) {
	var total float64
	ms := regexp.MustCompile(re).FindAllStringSubmatch(g.output(), -1)
	for _, m := range ms {
		s, _ := strconv.ParseFloat(m[1], 64) // the pattern admits only numbers
		total += s
	}
	if len(ms) > 0 {
		b.ReportMetric(total/float64(len(ms)), unit)
	}
}
