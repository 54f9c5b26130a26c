package xraydaemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"wsapi/offline/internal/xraydaemon/xraytrace"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	xrayheader "github.com/aws/aws-xray-sdk-go/v2/header"
	"github.com/aws/aws-xray-sdk-go/v2/instrumentation/awsv2"
	"github.com/aws/aws-xray-sdk-go/v2/xray"
	"github.com/aws/aws-xray-sdk-go/v2/xraylog"
)

// useSDK points the real X-Ray SDK at d the way Lambda does, through
// AWS_XRAY_DAEMON_ADDRESS, and returns the context aws-lambda-go gives a
// handler: the trace header under "x-amzn-trace-id". The SDK's
// configuration is global, so tests using it must not run in parallel.
func useSDK(t *testing.T, d *Daemon) (ctx context.Context, traceID, segmentID string) {
	t.Helper()
	t.Setenv("AWS_XRAY_DAEMON_ADDRESS", d.Addr())
	xray.SetLogger(xraylog.NewDefaultLogger(io.Discard, xraylog.LogLevelError))
	if err := xray.Configure(xray.Config{DaemonAddr: d.Addr()}); err != nil {
		t.Fatal(err)
	}
	h, traceID, segmentID := NewTraceHeader(true)
	//lint:ignore SA1029 aws-lambda-go stores the header under this plain string key, and the SDK looks it up so.
	ctx = context.WithValue(context.Background(), xray.LambdaTraceHeaderKey, h)
	return ctx, traceID, segmentID
}

// connectionsAPI is an @connections client, instrumented by instrument,
// for a stand-in of API Gateway's endpoint that answers a post to the
// connection "gone" with 410 GoneException and any other with 200.
func connectionsAPI(t *testing.T, instrument func(*apigatewaymanagementapi.Options)) *apigatewaymanagementapi.Client {
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/gone") {
			w.Header().Set("x-amzn-ErrorType", "GoneException")
			w.WriteHeader(http.StatusGone)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(endpoint.Close)
	return apigatewaymanagementapi.New(apigatewaymanagementapi.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(endpoint.URL),
		Credentials:      aws.AnonymousCredentials{},
		RetryMaxAttempts: 1,
	}, instrument)
}

// durations makes rendered timings comparable.
var durations = regexp.MustCompile(`\d+\.\d ms`)

// recordHello records hello's function segment, as the gateway does once
// the invocation ends, and returns the trace and its rendering with every
// duration as "N ms".
func recordHello(t *testing.T, d *Daemon, done <-chan *xraytrace.Trace, traceID, segmentID string, start time.Time) (*xraytrace.Trace, string) {
	t.Helper()
	if err := d.Record(Segment{
		TraceID: traceID, ID: segmentID, Name: "go-websocket-api-local-hello",
		Start: start, End: time.Now(),
		Annotations: map[string]any{"route": "hello"},
	}); err != nil {
		t.Fatal(err)
	}
	tr := waitTrace(t, done)
	return tr, durations.ReplaceAllString(render(t, tr), "N ms")
}

func TestSDKSubsegmentsFormOneTrace(t *testing.T) {
	d, done := startDaemon(t, Config{Settle: 50 * time.Millisecond})
	ctx, traceID, segmentID := useSDK(t, d)

	api := connectionsAPI(t, func(o *apigatewaymanagementapi.Options) { awsv2.AWSV2Instrumentor(&o.APIOptions) })

	start := time.Now()
	// What the hello handler does: one subsegment per post, the SDK call
	// nested in it by the instrumentor.
	for _, conn := range []string{"abc=", "gone"} {
		sctx, seg := xray.BeginSubsegment(ctx, "PostToConnection")
		_ = seg.AddAnnotation("connectionId", conn)
		_ = seg.AddAnnotation("bytes", 27)
		_, err := api.PostToConnection(sctx, &apigatewaymanagementapi.PostToConnectionInput{
			ConnectionId: aws.String(conn),
			Data:         []byte(`{"message":"hello, world"}`),
		})
		outcome := "ok"
		if err != nil {
			outcome = "gone"
		}
		_ = seg.AddAnnotation("outcome", outcome)
		seg.Close(err)
	}
	_, seg := xray.BeginSubsegment(ctx, "Registry")
	seg.Close(errors.New("registry: table missing"))

	tr, got := recordHello(t, d, done, traceID, segmentID, start)
	if len(tr.Roots) != 1 || len(tr.Roots[0].Children) != 3 || len(tr.Roots[0].Children[1].Children) != 1 {
		t.Fatalf("unexpected shape:\n%s", got)
	}
	gone := tr.Roots[0].Children[1]
	want := fmt.Sprintf(`trace %s  N ms
└─ go-websocket-api-local-hello  N ms  (Lambda function)  route=hello
   ├─ PostToConnection  N ms  bytes=27  connectionId=abc=  outcome=ok
   │  └─ ApiGatewayManagementApi  N ms  (AWS)  PostToConnection  HTTP 200
   ├─ PostToConnection  N ms  bytes=27  connectionId=gone  outcome=gone  FAULT: %s
   │  └─ ApiGatewayManagementApi  N ms  (AWS)  PostToConnection  HTTP 410  FAULT: %s  ERROR
   └─ Registry  N ms  FAULT: registry: table missing
`, traceID, gone.Cause, gone.Children[0].Cause)
	if got != want {
		t.Errorf("rendered\n%s\nwant\n%s", got, want)
	}
	for _, n := range []*xraytrace.Node{gone, gone.Children[0]} {
		if !strings.Contains(n.Cause, "StatusCode: 410") || !strings.Contains(n.Cause, "GoneException") {
			t.Errorf("%s: cause %q does not carry the service error", n.Name, n.Cause)
		}
	}
	var walk func(n *xraytrace.Node)
	walk = func(n *xraytrace.Node) {
		if n.InProgress || n.Duration() <= 0 {
			t.Errorf("%s: in progress %v, duration %v", n.Name, n.InProgress, n.Duration())
		}
		for _, c := range n.Children {
			if c.Start.Before(n.Start) {
				t.Errorf("%s starts before its parent %s", c.Name, n.Name)
			}
			walk(c)
		}
	}
	walk(tr.Roots[0])
	if s := d.Stats(); s.Malformed != 0 || s.Datagrams != 3 {
		t.Errorf("stats = %+v, want 3 well-formed datagrams (one per top-level subsegment)", s)
	}
}

func TestSDKStreamedSubsegmentsNest(t *testing.T) {
	d, done := startDaemon(t, Config{Settle: 50 * time.Millisecond})
	ctx, traceID, segmentID := useSDK(t, d)

	// Past 20 subsegments the SDK streams closed ones as datagrams of their
	// own, naming their parent, ahead of the parent itself.
	const children = 25
	start := time.Now()
	pctx, parent := xray.BeginSubsegment(ctx, "Broadcast")
	for i := range children {
		_, c := xray.BeginSubsegment(pctx, fmt.Sprintf("post-%02d", i))
		c.Close(nil)
	}
	parent.Close(nil)
	if err := d.Record(Segment{TraceID: traceID, ID: segmentID, Name: "fn", Start: start, End: time.Now()}); err != nil {
		t.Fatal(err)
	}
	tr := waitTrace(t, done)

	if len(tr.Roots) != 1 || len(tr.Roots[0].Children) != 1 {
		t.Fatalf("want one root with one child:\n%s", render(t, tr))
	}
	b := tr.Roots[0].Children[0]
	seen := map[string]bool{}
	for _, c := range b.Children {
		seen[c.Name] = true
	}
	if b.Name != "Broadcast" || len(b.Children) != children || len(seen) != children {
		t.Errorf("Broadcast has %d children (%d distinct):\n%s", len(b.Children), len(seen), render(t, tr))
	}
	if s := d.Stats(); s.Datagrams < 2 || s.Malformed != 0 {
		t.Errorf("stats = %+v, want streamed datagrams", s)
	}
}

func TestNewTraceHeaderParsesAsLambdaHeader(t *testing.T) {
	seen := map[string]bool{}
	for i := range 100 {
		sampled := i%2 == 0
		want := xrayheader.NotSampled
		if sampled {
			want = xrayheader.Sampled
		}
		h, traceID, segmentID := NewTraceHeader(sampled)
		parsed := xrayheader.FromString(h)
		if parsed.TraceID != traceID || parsed.ParentID != segmentID || parsed.SamplingDecision != want {
			t.Fatalf("SDK read %q as %+v", h, parsed)
		}
		if !validTraceID(traceID) || !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(segmentID) {
			t.Fatalf("ids %q %q", traceID, segmentID)
		}
		if seen[traceID] {
			t.Fatalf("trace id %s repeated", traceID)
		}
		seen[traceID] = true
	}
}

// An unsampled invocation's subsegments never leave the function: the
// daemon sees only the sampled one sent after them.
func TestUnsampledSendsNothing(t *testing.T) {
	d, done := startDaemon(t, Config{Settle: 20 * time.Millisecond})
	ctx, traceID, segmentID := useSDK(t, d)
	h, _, _ := NewTraceHeader(false)
	//lint:ignore SA1029 aws-lambda-go stores the header under this plain string key, and the SDK looks it up so.
	unsampled := context.WithValue(context.Background(), xray.LambdaTraceHeaderKey, h)
	for _, c := range []context.Context{unsampled, ctx} {
		_, seg := xray.BeginSubsegment(c, "PostToConnection")
		seg.Close(nil)
	}
	if err := d.Record(Segment{TraceID: traceID, ID: segmentID, Name: "hello", Start: time.Now(), End: time.Now()}); err != nil {
		t.Fatal(err)
	}
	tr := waitTrace(t, done)
	if tr.ID != traceID || len(tr.Roots) != 1 || len(tr.Roots[0].Children) != 1 {
		t.Fatalf("unexpected trace:\n%s", render(t, tr))
	}
	if s := d.Stats(); s.Datagrams != 1 {
		t.Errorf("daemon got %d datagrams, want only the sampled one", s.Datagrams)
	}
}
