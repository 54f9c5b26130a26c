package connections

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/rs/zerolog"

	"wsapi/shared/logging"
	"wsapi/shared/tracing"
	"wsapi/shared/tracing/tracingtest"
)

const (
	id       = "R0oXAdfD0kwCH6w="
	wantPath = "/prod/@connections/R0oXAdfD0kwCH6w%3D"
)

// call is one request the fake @connections API received.
type call struct {
	method, rawPath, auth string
	body                  []byte
}

// fakeAPI answers like the @connections API: status, X-Amzn-ErrorType and
// a JSON body, the way API Gateway does.
func fakeAPI(t *testing.T, status int, errorType string, body string) (*httptest.Server, *[]call) {
	t.Helper()
	var mu sync.Mutex
	calls := &[]call{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		*calls = append(*calls, call{r.Method, r.URL.EscapedPath(), r.Header.Get("Authorization"), b})
		mu.Unlock()
		if errorType != "" {
			w.Header().Set("X-Amzn-ErrorType", errorType)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, calls
}

func testConfig() aws.Config {
	return aws.Config{
		Region:      "ap-northeast-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		// Throttling retries would only slow the error cases down.
		RetryMaxAttempts: 1,
	}
}

func TestPost(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		errorType string
		body      string
		wantErr   error
		outcome   string
	}{
		{"delivered", 200, "", "", nil, "ok"},
		{"gone", 410, "GoneException", `{"message":null}`, ErrGone, "gone"},
		{"too large", 413, "PayloadTooLargeException", `{"message":"Message too long"}`, ErrPayloadTooLarge, "error"},
		{"forbidden", 403, "ForbiddenException", `{"message":"Forbidden"}`, nil, "error"},
		{"throttled", 429, "LimitExceededException", `{"message":"Limit exceeded"}`, ErrThrottled, "throttled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, calls := fakeAPI(t, tt.status, tt.errorType, tt.body)
			var logs bytes.Buffer
			base, _ := logging.New(&logs, "fn", "")
			ctx := logging.WithInvocation(context.Background(), base, logging.Invocation{Route: "hello", ConnectionID: "caller="})

			err := New(testConfig(), srv.URL+"/prod").Post(ctx, id, []byte(`{"message":"hello, taro!"}`))

			if tt.status == 200 && err != nil {
				t.Fatalf("Post: %v", err)
			}
			if tt.status != 200 && err == nil {
				t.Fatal("Post: want an error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want errors.Is %v", err, tt.wantErr)
			}
			if got := Outcome(err); got != tt.outcome {
				t.Errorf("Outcome = %q, want %q", got, tt.outcome)
			}

			if len(*calls) != 1 {
				t.Fatalf("the API got %d calls, want 1", len(*calls))
			}
			c := (*calls)[0]
			// The id is URL-encoded: it contains '='.
			if c.method != http.MethodPost || c.rawPath != wantPath {
				t.Errorf("request = %s %s, want POST %s", c.method, c.rawPath, wantPath)
			}
			if !strings.HasPrefix(c.auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") || !strings.Contains(c.auth, "/ap-northeast-1/execute-api/aws4_request") {
				t.Errorf("Authorization = %q, want a SigV4 signature for execute-api", c.auth)
			}
			if string(c.body) != `{"message":"hello, taro!"}` {
				t.Errorf("body = %q", c.body)
			}

			var line map[string]any
			if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
				t.Fatalf("want one JSON log line, got %q", logs.String())
			}
			for k, v := range map[string]any{"connectionId": id, "bytes": float64(26), "outcome": tt.outcome, "route": "hello", "message": "PostToConnection"} {
				if line[k] != v {
					t.Errorf("log %s = %v, want %v", k, line[k], v)
				}
			}
			if _, ok := line["durationMs"].(float64); !ok {
				t.Errorf("log line has no durationMs: %v", line)
			}
		})
	}
}

func TestGetAndDelete(t *testing.T) {
	srv, calls := fakeAPI(t, 200, "", `{"connectedAt":"2026-11-25T10:00:00Z","identity":{"sourceIp":"203.0.113.7","userAgent":"wscat"},"lastActiveAt":"2026-11-25T10:05:00Z"}`)
	c := New(testConfig(), srv.URL+"/prod")
	conn, err := c.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	want := Connection{
		ConnectedAt:  time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC),
		LastActiveAt: time.Date(2026, 11, 25, 10, 5, 0, 0, time.UTC),
		SourceIP:     "203.0.113.7",
		UserAgent:    "wscat",
	}
	if !conn.ConnectedAt.Equal(want.ConnectedAt) || !conn.LastActiveAt.Equal(want.LastActiveAt) || conn.SourceIP != want.SourceIP || conn.UserAgent != want.UserAgent {
		t.Errorf("Get = %+v, want %+v", conn, want)
	}
	if err := c.Delete(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if (*calls)[0].method != http.MethodGet || (*calls)[1].method != http.MethodDelete || (*calls)[1].rawPath != wantPath {
		t.Errorf("calls = %+v", *calls)
	}

	gone, _ := fakeAPI(t, 410, "GoneException", `{}`)
	if _, err := New(testConfig(), gone.URL+"/prod").Get(context.Background(), id); !errors.Is(err, ErrGone) {
		t.Errorf("Get of a gone connection: err = %v, want ErrGone", err)
	}
	if err := New(testConfig(), gone.URL+"/prod").Delete(context.Background(), id); !errors.Is(err, ErrGone) {
		t.Errorf("Delete of a gone connection: err = %v, want ErrGone", err)
	}
}

// TestPostTraced stands a UDP listener in for the X-Ray daemon and checks
// that every PostToConnection reaches it as its own span, annotated, with
// the SDK's call beneath it, whichever backend traces.
func TestPostTraced(t *testing.T) {
	ids := []string{"first=", "second=", "third="}
	post := func(t *testing.T, b *tracing.Backend) {
		srv, _ := fakeAPI(t, 200, "", "")
		cfg := testConfig()
		b.Instrument(&cfg)
		client := New(cfg, srv.URL+"/prod")
		err := tracingtest.Invoke(context.Background(), b, func(ctx context.Context) error {
			for _, to := range ids {
				if err := client.Post(ctx, to, []byte("hi")); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	t.Run("xray", func(t *testing.T) {
		daemon := tracingtest.Start(t)
		b, _ := tracing.New(context.Background(), zerolog.Nop(), tracing.XRay)
		post(t, b)
		seen := map[string]map[string]any{}
		for len(seen) < len(ids) {
			seg := daemon.Next(t)
			if seg.Name != "PostToConnection" {
				continue
			}
			if seg.Type != "subsegment" || seg.TraceID != tracingtest.TraceID {
				t.Errorf("segment type %q trace %q, want a subsegment of the invocation's trace", seg.Type, seg.TraceID)
			}
			if len(seg.Subsegments) == 0 || seg.Subsegments[0].Name != "ApiGatewayManagementApi" {
				t.Errorf("want the SDK call traced inside PostToConnection, got %+v", seg.Subsegments)
			}
			seen[seg.Annotations["connectionId"].(string)] = seg.Annotations
		}
		for _, to := range ids {
			if a := seen[to]; a["bytes"] != float64(2) || a["outcome"] != "ok" {
				t.Errorf("annotations for %s = %v, want bytes 2 and outcome ok", to, a)
			}
		}
	})

	t.Run("otel", func(t *testing.T) {
		daemon := tracingtest.Start(t)
		b, err := tracing.New(context.Background(), zerolog.Nop(), tracing.OTel)
		if err != nil {
			t.Fatal(err)
		}
		post(t, b)
		spans := daemon.NextSpans(t)
		sdkCalls := map[string]tracingtest.Span{} // by parent
		for _, s := range spans {
			if s.Name == "ApiGatewayManagementApi.PostToConnection" {
				sdkCalls[s.ParentID] = s
			}
		}
		seen := map[string]bool{}
		for _, s := range spans {
			if s.Name != "PostToConnection" {
				continue
			}
			to, _ := s.Attributes["connectionId"].(string)
			seen[to] = true
			if s.TraceID != tracingtest.TraceID || s.Attributes["bytes"] != int64(2) || s.Attributes["outcome"] != "ok" || s.Fault {
				t.Errorf("span for %s = %+v, want bytes 2 and outcome ok in the invocation's trace", to, s)
			}
			if call, ok := sdkCalls[s.ID]; !ok || call.Attributes["http.response.status_code"] != int64(200) {
				t.Errorf("want the SDK call traced inside PostToConnection to %s, got %+v", to, call)
			}
		}
		if len(seen) != len(ids) {
			t.Errorf("PostToConnection spans for %v, want %v", seen, ids)
		}
	})
}

// TestPostRetriesThrottling: a 429 LimitExceededException (the client's
// buffer is full, or the rate is over) is retried with backoff by the SDK's
// standard retryer, and the frame is delivered once.
func TestPostRetriesThrottling(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n == 1 {
			w.Header().Set("X-Amzn-ErrorType", "LimitExceededException")
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"message":"Limit exceeded"}`)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	cfg := testConfig()
	cfg.RetryMaxAttempts = 0 // the SDK's default: 3 attempts
	if err := New(cfg, srv.URL+"/prod").Post(context.Background(), id, []byte("hi")); err != nil {
		t.Fatalf("Post after one throttle: %v", err)
	}
	if calls != 2 {
		t.Errorf("the API got %d calls, want 2: one throttled, one delivered", calls)
	}
}
