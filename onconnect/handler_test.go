package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"wsapi/shared/invocation"
	"wsapi/shared/logging"
)

func TestHandle(t *testing.T) {
	var out bytes.Buffer
	log, _ := logging.New(&out, "go-websocket-api-dev-onconnect", "")
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "7a3c…req"})
	//lint:ignore SA1029 aws-lambda-go keys the trace header with this very string.
	ctx = context.WithValue(ctx, "x-amzn-trace-id", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")

	resp, err := invocation.Logged(log, Handle)(ctx, events.APIGatewayWebsocketProxyRequest{
		RequestContext: events.APIGatewayWebsocketProxyRequestContext{
			RouteKey:     "$connect",
			EventType:    "CONNECT",
			ConnectionID: "XDmENcnwIE0CFEQ=",
			Identity:     events.APIGatewayRequestIdentity{SourceIP: "203.0.113.7", UserAgent: "wscat/6.1.0"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Body != "Connected." {
		t.Errorf("response = %d %q, want 200 Connected.", resp.StatusCode, resp.Body)
	}

	lines := bytes.Split(bytes.TrimSpace(out.Bytes()), []byte("\n"))
	if len(lines) != 2 {
		t.Fatalf("want 2 log lines (connected, invocation done), got %d:\n%s", len(lines), out.String())
	}
	var connected map[string]any
	if err := json.Unmarshal(lines[0], &connected); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"function":     "go-websocket-api-dev-onconnect",
		"route":        "$connect",
		"requestId":    "7a3c…req",
		"connectionId": "XDmENcnwIE0CFEQ=",
		"traceId":      "1-5759e988-bd862e3fe1be46a994272793",
		"sourceIp":     "203.0.113.7",
		"userAgent":    "wscat/6.1.0",
		"message":      "connected",
	}
	for k, v := range want {
		if connected[k] != v {
			t.Errorf("log field %s = %v, want %v", k, connected[k], v)
		}
	}
}
