package lambdaruntime

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// apiInstance serves a processless instance's Runtime API, so a test can
// play the runtime client's part over real HTTP.
func apiInstance(t *testing.T) (*instance, string, *logRecorder) {
	t.Helper()
	log := &logRecorder{}
	inst := newInstance(&lineWriter{w: log})
	srv := httptest.NewServer(inst.runtimeAPI())
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(inst.exited) }) // runs first: releases long polls
	return inst, srv.URL + "/2018-06-01/runtime", log
}

func post(t *testing.T, url, body string, header http.Header) (int, map[string]string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc map[string]string
	_ = json.NewDecoder(resp.Body).Decode(&doc)
	return resp.StatusCode, doc
}

// next starts a GET /next and returns a channel for its response.
func next(t *testing.T, api string) <-chan *http.Response {
	t.Helper()
	ch := make(chan *http.Response, 1)
	go func() {
		resp, err := http.Get(api + "/invocation/next")
		if err != nil {
			resp = nil // the test reports a nil response
		}
		ch <- resp
	}()
	return ch
}

func TestRuntimeAPIInvocationCycle(t *testing.T) {
	inst, api, log := apiInstance(t)
	first := next(t, api)
	<-inst.initOver

	inv := newInvocation("arn:aws:lambda:us-east-1:000000000000:function:f", []byte(`{"a":1}`), "Root=1-abc")
	inv.deadline = time.UnixMilli(1700000000123)
	if !inst.deliver(inv) {
		t.Fatal("deliver failed")
	}
	resp := <-first
	if resp == nil {
		t.Fatal("GET next failed")
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	wantHeaders := map[string]string{
		"Lambda-Runtime-Aws-Request-Id":       inv.id,
		"Lambda-Runtime-Deadline-Ms":          "1700000000123",
		"Lambda-Runtime-Invoked-Function-Arn": inv.arn,
		"Lambda-Runtime-Trace-Id":             "Root=1-abc",
		"Content-Type":                        "application/json",
	}
	for k, v := range wantHeaders {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if resp.StatusCode != http.StatusOK || string(body) != `{"a":1}` {
		t.Errorf("GET next = %d %q, want 200 and the event", resp.StatusCode, body)
	}
	if lines := log.lines(t); len(lines) != 1 || lines[0] != "START RequestId: "+inv.id+" Version: $LATEST" {
		t.Errorf("log = %q, want the START line", lines)
	}

	steps := []struct {
		name       string
		path, body string
		wantStatus int
		wantType   string
	}{
		{"unknown id", "/invocation/00000000-0000-4000-8000-000000000000/response", `"x"`, http.StatusBadRequest, "InvalidRequestID"},
		{"response", "/invocation/" + inv.id + "/response", `"done"`, http.StatusAccepted, ""},
		{"second response", "/invocation/" + inv.id + "/response", `"again"`, http.StatusForbidden, "InvalidStateTransition"},
		{"error after response", "/invocation/" + inv.id + "/error", `{}`, http.StatusForbidden, "InvalidStateTransition"},
		{"init error after init", "/init/error", `{}`, http.StatusForbidden, "InvalidStateTransition"},
	}
	for _, s := range steps {
		status, doc := post(t, api+s.path, s.body, nil)
		if status != s.wantStatus || doc["errorType"] != s.wantType {
			t.Errorf("%s: %d %v, want %d errorType %q", s.name, status, doc, s.wantStatus, s.wantType)
		}
	}

	if isClosed(inv.completed) {
		t.Fatal("invocation completed before the runtime asked for the next event")
	}
	second := next(t, api)
	<-inv.completed
	if resp, err, ok := inv.outcome(); !ok || err != nil || string(resp) != `"done"` {
		t.Errorf("outcome = %q, %v, %v; want the first response", resp, err, ok)
	}
	if status, _ := post(t, api+"/invocation/"+inv.id+"/error", `{}`, nil); status != http.StatusBadRequest {
		t.Errorf("error for a completed invocation: %d, want 400", status)
	}
	select {
	case <-second:
		t.Error("GET next answered with no event to deliver")
	default:
	}
}

func TestRuntimeAPIResponseTooLarge(t *testing.T) {
	inst, api, _ := apiInstance(t)
	first := next(t, api)
	<-inst.initOver
	inv := newInvocation("arn", []byte(`{}`), "")
	inst.deliver(inv)
	if resp := <-first; resp != nil {
		resp.Body.Close()
	}
	status, doc := post(t, api+"/invocation/"+inv.id+"/response", strings.Repeat("x", maxResponseBytes+1), nil)
	if status != http.StatusRequestEntityTooLarge || doc["errorType"] != "RequestEntityTooLarge" {
		t.Errorf("oversized response: %d %v, want 413 RequestEntityTooLarge", status, doc)
	}
	_, err, _ := inv.outcome()
	if err == nil || err.Type != "Function.ResponseSizeTooLarge" || !strings.Contains(err.Message, "(6291557 bytes)") {
		t.Errorf("outcome error = %v, want Function.ResponseSizeTooLarge for 6291557 bytes", err)
	}
}

func TestRuntimeAPIInitError(t *testing.T) {
	inst, api, _ := apiInstance(t)
	status, _ := post(t, api+"/init/error", `{"errorMessage":"bad config","errorType":"Runtime.ConfigError"}`, nil)
	if status != http.StatusAccepted {
		t.Fatalf("init/error = %d, want 202", status)
	}
	<-inst.initOver
	if fe := inst.postedInitError(); fe.Type != "Runtime.ConfigError" || fe.Message != "bad config" {
		t.Errorf("init error = %+v", fe)
	}
}

// TestRuntimeAPINextAfterInitError: a runtime that posts init/error and
// then asks for an event anyway has still failed its init.
func TestRuntimeAPINextAfterInitError(t *testing.T) {
	inst, api, _ := apiInstance(t)
	if status, _ := post(t, api+"/init/error", `{"errorMessage":"bad config","errorType":"Runtime.ConfigError"}`, nil); status != http.StatusAccepted {
		t.Fatalf("init/error = %d, want 202", status)
	}
	resp := next(t, api)
	inv := newInvocation("arn:aws:lambda:eu-west-1:000000000000:function:f", []byte(`{}`), "")
	inv.deadline = time.Now().Add(time.Minute)
	if inst.deliver(inv) {
		t.Error("an instance whose init failed was given an event")
	}
	select { // the GET /next answered, once it has been counted
	case inst.events <- inv:
	case <-time.After(10 * time.Second):
		t.Fatal("the event was not taken")
	}
	if r := <-resp; r != nil {
		r.Body.Close()
	}
	if d, ok := inst.initDuration(); ok {
		t.Errorf("init over in %v after init/error and then GET /next; want it failed", d)
	}
	if fe := inst.postedInitError(); fe == nil || fe.Type != "Runtime.ConfigError" {
		t.Errorf("init error = %+v, want the posted Runtime.ConfigError", fe)
	}
}

func TestRuntimeAPIUnknownPath(t *testing.T) {
	_, api, _ := apiInstance(t)
	resp, err := http.Post(api+"/invocation/next", "application/json", bytes.NewReader(nil))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST next = %d, want 405", resp.StatusCode)
	}
}

func TestDecodeFunctionError(t *testing.T) {
	tests := []struct {
		name, body, header string
		want               FunctionError
	}{
		{"aws-lambda-go document", `{"errorMessage":"boom","errorType":"string","stackTrace":[{"path":"main.go","line":3,"label":"main"}]}`, "string",
			FunctionError{Type: "string", Message: "boom", StackTrace: []any{map[string]any{"path": "main.go", "line": 3.0, "label": "main"}}}},
		{"type from header", `{"errorMessage":"no type"}`, "Custom.Error", FunctionError{Type: "Custom.Error", Message: "no type"}},
		{"not JSON", `plain text`, "", FunctionError{Type: "Runtime.Unknown", Message: "plain text"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := json.Marshal(decodeFunctionError([]byte(tt.body), tt.header))
			want, _ := json.Marshal(tt.want)
			if !bytes.Equal(got, want) {
				t.Errorf("got %s, want %s", got, want)
			}
		})
	}
}
