package main

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
	"github.com/aws/aws-xray-sdk-go/v2/xray"

	"wsapi/shared/startup"
)

// The SSM read of the signing secret, the one call that can make a
// handshake slow, shows in the $connect trace as a GetParameter subsegment.
func TestSecretReadIsTraced(t *testing.T) {
	daemon, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer daemon.Close()
	if err := xray.Configure(xray.Config{DaemonAddr: daemon.LocalAddr().String()}); err != nil {
		t.Fatal(err)
	}
	ssmAPI := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		json.NewEncoder(w).Encode(map[string]any{"Parameter": map[string]any{
			"Name": "/go-websocket-api/dev/token-secret", "Type": "SecureString", "Value": string(secret),
		}})
	}))
	defer ssmAPI.Close()
	t.Setenv("AWS_REGION", "ap-northeast-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")

	fn, err := startup.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	fn.AWS.BaseEndpoint = aws.String(ssmAPI.URL)
	secrets := NewParameterSecret(newParameterClient(fn.AWS), "/go-websocket-api/dev/token-secret")
	//lint:ignore SA1029 aws-lambda-go keys the trace header with this very string.
	ctx := context.WithValue(context.Background(), "x-amzn-trace-id", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
	if _, err := secrets.Secret(ctx); err != nil {
		t.Fatal(err)
	}

	buf := make([]byte, 64<<10)
	daemon.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, _, err := daemon.ReadFrom(buf)
	if err != nil {
		t.Fatalf("no subsegment reached the daemon: %v", err)
	}
	_, doc, _ := bytes.Cut(buf[:n], []byte("\n"))
	var seg struct {
		Name    string         `json:"name"`
		TraceID string         `json:"trace_id"`
		AWS     map[string]any `json:"aws"`
	}
	if err := json.Unmarshal(doc, &seg); err != nil {
		t.Fatal(err)
	}
	if seg.Name != "SSM" || seg.TraceID != "1-5759e988-bd862e3fe1be46a994272793" || seg.AWS["operation"] != "GetParameter" {
		t.Errorf("subsegment = %+v, want SSM GetParameter in the invocation's trace", seg)
	}
}
