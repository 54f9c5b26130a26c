package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// helloTree is hello's whole trace as the gateway prints it, the same for
// both tracing backends: the function, its PostToConnection, and the
// @connections call under it. It captures the trace id and the request id.
var helloTree = regexp.MustCompile(`(?m)^x-ray +│ trace (1-[0-9a-f]{8}-[0-9a-f]{24})  [0-9.]+ ms\n` +
	`x-ray +│ └─ go-websocket-api-local-hello  [0-9.]+ ms  \(Lambda function\)  requestId=([0-9a-f-]{36})  route=hello\n` +
	`x-ray +│    └─ PostToConnection  [0-9.]+ ms  bytes=26  connectionId=[A-Za-z0-9]{15}=  outcome=ok\n` +
	`x-ray +│       └─ ApiGatewayManagementApi  [0-9.]+ ms  \(AWS\)  PostToConnection  HTTP 200\n`)

// TestTracingBackends serves the functions with each tracing backend, as
// `make offline` and `make offline TRACING=otel` do: hello's tree is the
// same, and the trace its log line names is the tree's.
func TestTracingBackends(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		backend string
		args    []string
	}{
		{"xray", nil},
		{"otel", []string{"-param", "tracing=otel"}},
	} {
		t.Run(tt.backend, func(t *testing.T) {
			g := startGateway(t, append([]string{"-trace-all"}, tt.args...)...)
			c := g.dial(t, "taro", "")
			if got := send(t, c, `{"action":"hello","userName":"taro"}`); got != `{"message":"hello, taro!"}` {
				t.Fatalf("hello answered %s", got)
			}
			g.waitOutput(t, helloTree.String(), 1)
			m := helloTree.FindStringSubmatch(g.output())
			traceID, requestID := m[1], m[2]

			line := g.waitOutput(t, `(?m)^hello +│ \{.*"message":"PostToConnection".*$`, 1)[0]
			var logged struct{ RequestID, TraceID string }
			if err := json.Unmarshal([]byte(line[strings.Index(line, "{"):]), &logged); err != nil {
				t.Fatalf("log line %s: %v", line, err)
			}
			if logged.RequestID != requestID || logged.TraceID != traceID {
				t.Errorf("log line of request %s names trace %s; the tree is request %s, trace %s",
					logged.RequestID, logged.TraceID, requestID, traceID)
			}

			// The backend is the one asked for, not X-Ray standing in for
			// an OpenTelemetry that could not start (which the function
			// would log as a warning).
			if env := functionEnv(t, g, "go-websocket-api-local-hello"); env["TRACING"] != tt.backend {
				t.Errorf("hello runs with TRACING=%q, want %s", env["TRACING"], tt.backend)
			}
			if warn := regexp.MustCompile(`(?m)^hello +│ .*"level":"(warn|error)".*$`).FindString(g.output()); warn != "" {
				t.Errorf("hello logged %s", warn)
			}
		})
	}
}

// functionEnv is the environment of the running process of the function
// deployed as name.
func functionEnv(t *testing.T, g *gatewayProc, name string) map[string]string {
	t.Helper()
	for _, pid := range descendantPIDs(g.cmd.Process.Pid) {
		raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "environ"))
		if err != nil {
			continue
		}
		env := map[string]string{}
		for kv := range bytes.SplitSeq(raw, []byte{0}) {
			if k, v, ok := strings.Cut(string(kv), "="); ok {
				env[k] = v
			}
		}
		if env["AWS_LAMBDA_FUNCTION_NAME"] == name {
			return env
		}
	}
	t.Fatalf("no process of %s runs under the gateway", name)
	return nil
}

// TestParamRefused: a -param the gateway cannot pass on stops it before
// anything starts, saying why.
func TestParamRefused(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-param", "tracing"}, `-param "tracing": want key=value, such as tracing=otel`},
		{[]string{"-param", "=otel"}, `-param "=otel": want key=value`},
		{[]string{"-param", "build=on"}, `-param "build=on": the gateway packages with build=off itself`},
		{[]string{"-template", "t.json", "-param", "tracing=otel"}, "-template serves a template as it is, and -param is for `serverless package`"},
	} {
		cmd := exec.Command(filepath.Join(buildDir, "gateway"), append([]string{"-port", "0"}, tt.args...)...)
		cmd.Dir = t.TempDir()
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), tt.want) {
			t.Errorf("gateway %v: %v\n%s\nwant it to stop saying %s", tt.args, err, out, tt.want)
		}
	}
}
