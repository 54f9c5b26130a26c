package startup

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-xray-sdk-go/v2/xray"
	"github.com/rs/zerolog"
)

// Every AWS call a function makes with its config shows in the
// invocation's trace, whichever service it calls.
func TestLoadTracesAWSCalls(t *testing.T) {
	daemon, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer daemon.Close()
	if err := xray.Configure(xray.Config{DaemonAddr: daemon.LocalAddr().String()}); err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.Write([]byte(`{"TableNames":[]}`))
	}))
	defer api.Close()
	t.Setenv("AWS_REGION", "ap-northeast-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_LAMBDA_FUNCTION_NAME", "go-websocket-api-dev-onconnect")
	t.Setenv("LOG_LEVEL", "debug")

	fn, err := Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if fn.Log.GetLevel() != zerolog.DebugLevel {
		t.Errorf("log level = %v, want LOG_LEVEL's, debug", fn.Log.GetLevel())
	}
	db := dynamodb.NewFromConfig(fn.AWS, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(api.URL) })
	//lint:ignore SA1029 aws-lambda-go keys the trace header with this very string.
	ctx := context.WithValue(context.Background(), "x-amzn-trace-id", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
	if _, err := db.ListTables(ctx, &dynamodb.ListTablesInput{}); err != nil {
		t.Fatal(err)
	}

	seg := readSegment(t, daemon)
	if seg.Name != "DynamoDB" || seg.TraceID != "1-5759e988-bd862e3fe1be46a994272793" || seg.AWS["operation"] != "ListTables" {
		t.Errorf("subsegment = %+v, want DynamoDB ListTables in the invocation's trace", seg)
	}
}

type segment struct {
	Name    string         `json:"name"`
	TraceID string         `json:"trace_id"`
	AWS     map[string]any `json:"aws"`
}

func readSegment(t *testing.T, daemon net.PacketConn) segment {
	t.Helper()
	buf := make([]byte, 64<<10)
	daemon.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, _, err := daemon.ReadFrom(buf)
	if err != nil {
		t.Fatalf("no segment reached the daemon: %v", err)
	}
	_, doc, _ := bytes.Cut(buf[:n], []byte("\n"))
	var seg segment
	if err := json.Unmarshal(doc, &seg); err != nil {
		t.Fatal(err)
	}
	return seg
}
