package lambdaruntime

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"wsapi/offline/testkit"
)

// bin holds the testdata programs, built once per test run as real
// bootstraps are: -tags lambda.norpc.
var bin string

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		runHelper()
		return
	}
	dir, err := os.MkdirTemp("", "lambdaruntime-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = dir
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", dir+string(filepath.Separator),
		"./testdata/echo", "./testdata/panic", "./testdata/initexit", "./testdata/initerror")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building testdata: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// logRecorder is a Function.Log that keeps every Write.
type logRecorder struct {
	mu     sync.Mutex
	writes []string
}

func (l *logRecorder) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writes = append(l.writes, string(p))
	return len(p), nil
}

// lines returns the lines written so far, checking each Write was one line.
func (l *logRecorder) lines(t *testing.T) []string {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]string, 0, len(l.writes))
	for _, w := range l.writes {
		if !strings.HasSuffix(w, "\n") || strings.Count(w, "\n") != 1 {
			t.Errorf("Write %q is not one complete line", w)
		}
		out = append(out, strings.TrimSuffix(w, "\n"))
	}
	return out
}

func newRuntime(t testing.TB, fns ...Function) *Runtime {
	t.Helper()
	rt, err := New(Options{Region: "eu-west-1", XRayDaemonAddr: "127.0.0.1:2999"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := rt.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	for _, fn := range fns {
		if err := rt.Add(fn); err != nil {
			t.Fatal(err)
		}
	}
	return rt
}

func echoFunction(name string, log *logRecorder) Function {
	fn := Function{Name: name, Executable: filepath.Join(bin, "echo"), Timeout: 5 * time.Second, MemoryMB: 256, MaxConcurrency: 2}
	if log != nil {
		fn.Log = log
	}
	return fn
}

type echoReply struct {
	Event       json.RawMessage   `json:"event"`
	PID         int               `json:"pid"`
	RequestID   string            `json:"requestId"`
	FunctionARN string            `json:"functionArn"`
	TraceID     string            `json:"traceId"`
	DeadlineMS  int64             `json:"deadlineMs"`
	Env         map[string]string `json:"env"`
}

func invoke(t *testing.T, rt *Runtime, fn, payload string) *Result {
	t.Helper()
	// Longer than any function's timeout here: the function's timeout,
	// not this wait, is what ends an invocation that goes wrong.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := rt.Invoke(ctx, fn, []byte(payload), "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
	if err != nil {
		t.Fatalf("Invoke(%s, %s): %v", fn, payload, err)
	}
	return res
}

func invokeEcho(t *testing.T, rt *Runtime, fn, payload string) (*Result, echoReply) {
	t.Helper()
	res := invoke(t, rt, fn, payload)
	if res.Err != nil {
		t.Fatalf("Invoke(%s, %s) failed: %v", fn, payload, res.Err)
	}
	var r echoReply
	if err := json.Unmarshal(res.Payload, &r); err != nil {
		t.Fatalf("reply %q: %v", res.Payload, err)
	}
	return res, r
}

func waitGone(t *testing.T, pid int) {
	t.Helper()
	testkit.Eventually(t, 5*time.Second, func() (bool, string) {
		return testkit.Gone(pid), fmt.Sprintf("process %d still alive", pid)
	})
}

func TestInvokeEchoRoundTrip(t *testing.T) {
	rt := newRuntime(t, echoFunction("svc-dev-echo", nil))
	const trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"

	before := time.Now()
	res, r := invokeEcho(t, rt, "svc-dev-echo", `{"say":"hi"}`)
	if string(r.Event) != `{"say":"hi"}` {
		t.Errorf("event = %s, want the payload", r.Event)
	}
	if r.RequestID != res.RequestID || !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(r.RequestID) {
		t.Errorf("request id seen by the handler %q, result %q: want the same UUID", r.RequestID, res.RequestID)
	}
	if want := "arn:aws:lambda:eu-west-1:000000000000:function:svc-dev-echo"; r.FunctionARN != want {
		t.Errorf("function ARN = %q, want %q", r.FunctionARN, want)
	}
	if r.TraceID != trace {
		t.Errorf("trace id = %q, want %q", r.TraceID, trace)
	}
	deadline := time.UnixMilli(r.DeadlineMS)
	if lo, hi := before.Add(5*time.Second-time.Second), time.Now().Add(5*time.Second); deadline.Before(lo) || deadline.After(hi) {
		t.Errorf("deadline %v not about 5 s after the invocation started", deadline)
	}
	if res.InitDuration <= 0 {
		t.Errorf("first invocation: InitDuration = %v, want a cold start", res.InitDuration)
	}
	if res.Duration <= 0 || res.Start.Before(before) {
		t.Errorf("Start %v, Duration %v: want the invocation's own", res.Start, res.Duration)
	}
	if res.MaxMemoryMB <= 0 {
		t.Errorf("MaxMemoryMB = %d, want the process's peak", res.MaxMemoryMB)
	}

	res2, r2 := invokeEcho(t, rt, "svc-dev-echo", `{"n":2}`)
	if r2.PID != r.PID {
		t.Errorf("second invocation ran in pid %d, want the warm pid %d", r2.PID, r.PID)
	}
	if res2.InitDuration != 0 {
		t.Errorf("warm invocation: InitDuration = %v, want 0", res2.InitDuration)
	}
	if res2.RequestID == res.RequestID {
		t.Errorf("both invocations have request id %s", res.RequestID)
	}
}

func TestInvokeUnknownFunction(t *testing.T) {
	rt := newRuntime(t)
	_, err := rt.Invoke(context.Background(), "nope", []byte(`{}`), "")
	if !errors.Is(err, ErrFunctionNotFound) {
		t.Fatalf("err = %v, want ErrFunctionNotFound", err)
	}
}

func TestConcurrentInvocationsShareAtMostMaxInstances(t *testing.T) {
	fn := echoFunction("svc-dev-echo", nil)
	fn.MaxConcurrency = 3
	rt := newRuntime(t, fn)

	const n = 8
	replies := make([]echoReply, n)
	var wg sync.WaitGroup
	for k := range n {
		wg.Go(func() {
			_, replies[k] = invokeEcho(t, rt, fn.Name, fmt.Sprintf(`{"sleep_ms":150,"k":%d}`, k))
		})
	}
	wg.Wait()

	pids := map[int]bool{}
	ids := map[string]bool{}
	for k, r := range replies {
		var ev struct{ K int }
		_ = json.Unmarshal(r.Event, &ev)
		if ev.K != k {
			t.Errorf("invocation %d got the reply to event %s", k, r.Event)
		}
		pids[r.PID] = true
		ids[r.RequestID] = true
	}
	if len(pids) > fn.MaxConcurrency || len(pids) < 2 {
		t.Errorf("%d instances served %d parallel invocations, want between 2 and %d", len(pids), n, fn.MaxConcurrency)
	}
	if len(ids) != n {
		t.Errorf("%d distinct request ids for %d invocations", len(ids), n)
	}
}

func TestInvocationWaitsForCapacityUntilContextEnds(t *testing.T) {
	fn := echoFunction("svc-dev-echo", nil)
	fn.MaxConcurrency = 1
	rt := newRuntime(t, fn)
	invokeEcho(t, rt, fn.Name, `{}`) // warm, so the busy call below starts at once

	busy := make(chan struct{})
	go func() {
		defer close(busy)
		invokeEcho(t, rt, fn.Name, `{"sleep_ms":1000}`)
	}()
	// Wait until the busy invocation holds the only instance.
	testkit.Eventually(t, 5*time.Second, func() (bool, string) {
		return inFlight(rt.fns[fn.Name]) > 0, "busy invocation never started"
	})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := rt.Invoke(ctx, fn.Name, []byte(`{}`), "")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want context.DeadlineExceeded", err)
	}
	<-busy
}

func TestTimeoutKillsInstance(t *testing.T) {
	log := &logRecorder{}
	fn := echoFunction("svc-dev-echo", log)
	fn.Timeout = 300 * time.Millisecond
	rt := newRuntime(t, fn)
	_, warm := invokeEcho(t, rt, fn.Name, `{}`)

	res := invoke(t, rt, fn.Name, `{"sleep_ms":10000}`)
	if res.Err == nil || res.Err.Type != "Sandbox.Timedout" {
		t.Fatalf("Err = %v, want Sandbox.Timedout", res.Err)
	}
	if want := "RequestId: " + res.RequestID + " Error: Task timed out after 0.30 seconds"; res.Err.Message != want {
		t.Errorf("message = %q, want %q", res.Err.Message, want)
	}
	if res.Duration != fn.Timeout {
		t.Errorf("Duration = %v, want the timeout", res.Duration)
	}
	if !testkit.Gone(warm.PID) {
		t.Errorf("timed-out process %d is still alive", warm.PID)
	}

	res2, r2 := invokeEcho(t, rt, fn.Name, `{}`)
	if r2.PID == warm.PID || res2.InitDuration == 0 {
		t.Errorf("after a timeout: pid %d (was %d), InitDuration %v: want a cold start", r2.PID, warm.PID, res2.InitDuration)
	}

	lines := log.lines(t)
	report := findLine(t, lines, "REPORT RequestId: "+res.RequestID)
	if !strings.Contains(report, "\tDuration: 300.00 ms\t") || !strings.HasSuffix(report, "\tStatus: timeout") {
		t.Errorf("REPORT of the timed-out invocation = %q", report)
	}
	timeout := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ` + res.RequestID + ` Task timed out after 0\.30 seconds$`)
	if idx := indexOf(lines, report); idx+1 >= len(lines) || !timeout.MatchString(lines[idx+1]) {
		t.Errorf("line after REPORT should be the timeout line; lines:\n%s", strings.Join(lines, "\n"))
	}
}

func TestFunctionFailures(t *testing.T) {
	tests := []struct {
		name, exe, payload string
		env                map[string]string
		wantType           string
		wantMessage        *regexp.Regexp
		wantReplaced       bool     // the next invocation is a cold start
		wantLines          []string // in order, each matched as a prefix
		// timeout is the function's, 5 s when zero: none of these cases is
		// about the timeout, which only ends a case that goes wrong.
		timeout time.Duration
	}{
		{
			name: "handled error", exe: "echo", payload: `{"fail":"no such item"}`,
			wantType: "errorString", wantMessage: regexp.MustCompile(`^no such item$`),
		},
		{
			name: "panic", exe: "panic", payload: `{}`,
			wantType: "string", wantMessage: regexp.MustCompile(`^boom$`), wantReplaced: true,
			wantLines: []string{"START ", "panic: about to panic", "RequestId: ", "Runtime.ExitError", "END ", "REPORT "},
		},
		{
			name: "exit during init", exe: "initexit", payload: `{}`,
			wantType:    "Runtime.ExitError",
			wantMessage: regexp.MustCompile(`^RequestId: [0-9a-f-]{36} Error: Runtime exited with error: exit status 3$`), wantReplaced: true,
			wantLines: []string{"initexit: TABLE_NAME is not set", "INIT_REPORT Init Duration: ", "START ", "RequestId: ", "Runtime.ExitError", "END ", "REPORT "},
		},
		{
			name: "init error posted", exe: "initerror", payload: `{}`,
			wantType: "Runtime.ConfigError", wantMessage: regexp.MustCompile(`^cannot load configuration$`), wantReplaced: true,
			wantLines: []string{"initerror: reporting an init error", "INIT_REPORT Init Duration: ", "START ", "END ", "REPORT "},
		},
		{
			name: "response too large", exe: "echo", payload: `{"big_mb":7}`,
			wantType:     "Function.ResponseSizeTooLarge",
			wantMessage:  regexp.MustCompile(`^Response payload size \(\d+ bytes\) exceeded maximum allowed payload size \(6291556 bytes\)\.$`),
			wantReplaced: true, // aws-lambda-go exits when the Runtime API refuses its response
			// Building and sending 7 MB under the race detector on a
			// loaded machine can take longer than 5 s.
			timeout: time.Minute,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := &logRecorder{}
			timeout := cmp.Or(tt.timeout, 5*time.Second)
			fn := Function{Name: "svc-dev-" + tt.exe, Executable: filepath.Join(bin, tt.exe), Env: tt.env, Timeout: timeout, MaxConcurrency: 1, Log: log}
			rt := newRuntime(t, fn)

			res := invoke(t, rt, fn.Name, tt.payload)
			if res.Err == nil {
				t.Fatalf("invocation succeeded with %q, want %s", res.Payload, tt.wantType)
			}
			if res.Err.Type != tt.wantType || !tt.wantMessage.MatchString(res.Err.Message) {
				t.Errorf("Err = %s / %q, want %s / %v", res.Err.Type, res.Err.Message, tt.wantType, tt.wantMessage)
			}
			if res.Payload != nil {
				t.Errorf("Payload = %q alongside an error", res.Payload)
			}
			lines := log.lines(t)
			checkInOrder(t, lines, tt.wantLines)
			report := findLine(t, lines, "REPORT RequestId: "+res.RequestID)
			if tt.wantReplaced != strings.Contains(report, "\tStatus: error") {
				t.Errorf("REPORT = %q; want Status: error only when the runtime died", report)
			}

			if tt.exe != "echo" {
				return
			}
			// The function still answers, from the same process or a new one.
			res2 := invoke(t, rt, fn.Name, `{}`)
			if res2.Err != nil {
				t.Fatalf("next invocation: %v", res2.Err)
			}
			if cold := res2.InitDuration > 0; cold != tt.wantReplaced {
				t.Errorf("next invocation cold = %v, want %v", cold, tt.wantReplaced)
			}
		})
	}
}

func TestLogLines(t *testing.T) {
	log := &logRecorder{}
	rt := newRuntime(t, echoFunction("svc-dev-echo", log))
	cold, _ := invokeEcho(t, rt, "svc-dev-echo", `{"say":"first"}`)
	warm, _ := invokeEcho(t, rt, "svc-dev-echo", `{"say":"second"}`)
	lines := log.lines(t)

	want := []string{
		"echo: init",
		"START RequestId: " + cold.RequestID + " Version: $LATEST",
		"stdout: first",
		"stderr: first",
		"END RequestId: " + cold.RequestID,
		"REPORT RequestId: " + cold.RequestID,
		"START RequestId: " + warm.RequestID + " Version: $LATEST",
		"stdout: second",
		"stderr: second",
		"END RequestId: " + warm.RequestID,
		"REPORT RequestId: " + warm.RequestID,
	}
	if len(lines) != len(want) {
		t.Fatalf("log:\n%s\nwant %d lines", strings.Join(lines, "\n"), len(want))
	}
	for k := range want {
		if !strings.HasPrefix(lines[k], want[k]) {
			t.Errorf("line %d = %q, want %q", k, lines[k], want[k])
		}
	}
	reportRE := regexp.MustCompile(`^REPORT RequestId: \S+\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB\tMax Memory Used: \d+ MB(\tInit Duration: \d+\.\d\d ms)?$`)
	for _, k := range []int{5, 10} {
		m := reportRE.FindStringSubmatch(lines[k])
		if m == nil {
			t.Errorf("REPORT line %q is not in Lambda's format", lines[k])
			continue
		}
		if hasInit := m[1] != ""; hasInit != (k == 5) {
			t.Errorf("REPORT line %q: Init Duration should appear on the cold start only", lines[k])
		}
	}
}

func TestEnvironment(t *testing.T) {
	t.Setenv("AWS_SECRET_ACCESS_KEY", "parent-secret")
	t.Setenv("LAMBDARUNTIME_PARENT_ONLY", "1")
	fn := echoFunction("svc-dev-echo", nil)
	fn.Env = map[string]string{"TABLE_NAME": "connections", "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR"}
	rt := newRuntime(t, fn)
	_, r := invokeEcho(t, rt, fn.Name, `{"env":true}`)
	env := r.Env

	want := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        "svc-dev-echo",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/svc-dev-echo",
		"AWS_REGION":                      "eu-west-1",
		"AWS_DEFAULT_REGION":              "eu-west-1",
		"AWS_EXECUTION_ENV":               "AWS_Lambda_provided.al2023",
		"LAMBDA_TASK_ROOT":                bin,
		"_HANDLER":                        "bootstrap",
		"TZ":                              ":UTC",
		"AWS_XRAY_DAEMON_ADDRESS":         "127.0.0.1:2999",
		"AWS_ACCESS_KEY_ID":               AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":           SecretAccessKey,
		"AWS_SESSION_TOKEN":               SessionToken,
		"TABLE_NAME":                      "connections",
		"AWS_XRAY_CONTEXT_MISSING":        "IGNORE_ERROR", // unreserved: the function's setting wins
		"PATH":                            os.Getenv("PATH"),
	}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("%s = %q, want %q", k, env[k], v)
		}
	}
	if !regexp.MustCompile(`^127\.0\.0\.1:\d+$`).MatchString(env["AWS_LAMBDA_RUNTIME_API"]) {
		t.Errorf("AWS_LAMBDA_RUNTIME_API = %q, want host:port", env["AWS_LAMBDA_RUNTIME_API"])
	}
	if !regexp.MustCompile(`^\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}$`).MatchString(env["AWS_LAMBDA_LOG_STREAM_NAME"]) {
		t.Errorf("AWS_LAMBDA_LOG_STREAM_NAME = %q", env["AWS_LAMBDA_LOG_STREAM_NAME"])
	}
	for _, k := range []string{"LAMBDARUNTIME_PARENT_ONLY", "HOME", "_LAMBDA_SERVER_PORT"} {
		if v, ok := env[k]; ok {
			t.Errorf("%s = %q leaked into the function", k, v)
		}
	}
}

func TestAddRejects(t *testing.T) {
	notExec := filepath.Join(t.TempDir(), "bootstrap")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	echo := filepath.Join(bin, "echo")
	tests := []struct {
		name string
		fn   Function
		want string
	}{
		{"no name", Function{Executable: echo}, "no name"},
		{"missing executable", Function{Name: "f", Executable: filepath.Join(bin, "missing")}, "no such file"},
		{"not executable", Function{Name: "f", Executable: notExec}, "not an executable"},
		{"reserved key", Function{Name: "f", Executable: echo, Env: map[string]string{"AWS_REGION": "x", "AWS_SESSION_TOKEN": "y", "OK": "z"}},
			"reserved keys that are not supported for modification: [AWS_REGION AWS_SESSION_TOKEN]"},
		{"duplicate", Function{Name: "dup", Executable: echo}, "added twice"},
	}
	rt := newRuntime(t, Function{Name: "dup", Executable: echo})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := rt.Add(tt.fn)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Add = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestCloseStopsEveryProcess(t *testing.T) {
	rt, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	fn := echoFunction("svc-dev-echo", nil)
	fn.MaxConcurrency = 3
	if err := rt.Add(fn); err != nil {
		t.Fatal(err)
	}
	// Two idle instances, and a third busy when Close comes.
	var pids []int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			_, r := invokeEcho(t, rt, fn.Name, `{"sleep_ms":100}`)
			mu.Lock()
			pids = append(pids, r.PID)
			mu.Unlock()
		})
	}
	wg.Wait()
	busy := make(chan *Result, 1)
	go func() {
		res, err := rt.Invoke(context.Background(), fn.Name, []byte(`{"sleep_ms":10000}`), "")
		if err != nil {
			t.Errorf("busy invocation: %v", err)
		}
		busy <- res
	}()
	testkit.Eventually(t, 5*time.Second, func() (bool, string) {
		return inFlight(rt.fns[fn.Name]) > 0, "busy invocation never started"
	})

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	if err := rt.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("Close took %v", took)
	}
	if res := <-busy; res == nil || res.Err == nil || res.Err.Type != "Runtime.ExitError" {
		t.Errorf("invocation cut short by Close: %+v, want Runtime.ExitError", res)
	}
	rt.fns[fn.Name].mu.Lock()
	left := len(rt.fns[fn.Name].all)
	rt.fns[fn.Name].mu.Unlock()
	if left != 0 {
		t.Errorf("%d instances still tracked after Close", left)
	}
	for _, pid := range pids {
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("process %d after Close: kill(0) = %v, want ESRCH", pid, err)
		}
	}
	if _, err := rt.Invoke(context.Background(), fn.Name, []byte(`{}`), ""); !errors.Is(err, ErrClosed) {
		t.Errorf("Invoke after Close = %v, want ErrClosed", err)
	}
	if err := rt.Close(ctx); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// helperEnv makes the test binary run runHelper: a gateway stand-in that
// starts one function, prints its pid, and waits to be killed.
const helperEnv = "LAMBDARUNTIME_TEST_HELPER_BIN"

func runHelper() {
	rt, err := New(Options{})
	if err == nil {
		err = rt.Add(Function{Name: "orphan", Executable: filepath.Join(os.Getenv(helperEnv), "echo")})
	}
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	res, err := rt.Invoke(context.Background(), "orphan", []byte(`{}`), "")
	if err != nil || res.Err != nil {
		fmt.Println("error:", err, res)
		os.Exit(1)
	}
	var r echoReply
	_ = json.Unmarshal(res.Payload, &r)
	fmt.Println(r.PID)
	time.Sleep(time.Minute)
	os.Exit(1)
}

func TestKilledGatewayLeavesNoOrphans(t *testing.T) {
	helper := exec.Command(os.Args[0], "-test.run=^$")
	helper.Env = append(os.Environ(), helperEnv+"="+bin)
	out, err := helper.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = helper.Process.Kill(); _ = helper.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the helper: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatalf("helper said %q", line)
	}
	if testkit.Gone(pid) {
		t.Fatalf("function process %d is not running", pid)
	}
	if err := helper.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = helper.Wait()
	waitGone(t, pid)
}

func BenchmarkInvokeWarm(b *testing.B) {
	rt := newRuntime(b, echoFunction("svc-dev-echo", nil))
	ctx := context.Background()
	payload := []byte(`{"action":"hello","data":"benchmark"}`)
	if _, err := rt.Invoke(ctx, "svc-dev-echo", payload, ""); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		res, err := rt.Invoke(ctx, "svc-dev-echo", payload, "")
		if err != nil || res.Err != nil {
			b.Fatal(err, res.Err)
		}
	}
}

// BenchmarkInvokeWarmParallel reports how many invocations per second the
// runtime carries through warm instances of a function that does nothing,
// with 100 callers and 10 instances: the most any route can reach on this
// machine before its own work.
func BenchmarkInvokeWarmParallel(b *testing.B) {
	fn := echoFunction("svc-dev-echo", nil)
	fn.MaxConcurrency = 10
	rt := newRuntime(b, fn)
	ctx := context.Background()
	payload := []byte(`{"action":"hello","data":"benchmark"}`)
	if _, err := rt.Invoke(ctx, "svc-dev-echo", payload, ""); err != nil {
		b.Fatal(err)
	}
	b.SetParallelism(100 / runtime.GOMAXPROCS(0))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			res, err := rt.Invoke(ctx, "svc-dev-echo", payload, "")
			if err != nil {
				b.Error(err)
				return
			}
			if res.Err != nil {
				b.Error(res.Err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "invocations/s")
}

func findLine(t *testing.T, lines []string, prefix string) string {
	t.Helper()
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	t.Fatalf("no line starts with %q in:\n%s", prefix, strings.Join(lines, "\n"))
	return ""
}

func indexOf(lines []string, s string) int {
	for k, l := range lines {
		if l == s {
			return k
		}
	}
	return -1
}

// checkInOrder checks that lines has a line starting with each of prefixes,
// in that order.
func checkInOrder(t *testing.T, lines, prefixes []string) {
	t.Helper()
	k := 0
	for _, l := range lines {
		if k < len(prefixes) && strings.HasPrefix(l, prefixes[k]) {
			k++
		}
	}
	if k < len(prefixes) {
		t.Errorf("missing %q (in order %q) in log:\n%s", prefixes[k], prefixes, strings.Join(lines, "\n"))
	}
}
