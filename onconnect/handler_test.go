package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"wsapi/shared/invocation"
	"wsapi/shared/logging"
	"wsapi/shared/registry"
)

type fakeRegistry struct {
	added []registry.Entry
	err   error
}

func (f *fakeRegistry) Add(_ context.Context, e registry.Entry) error {
	if f.err != nil {
		return f.err
	}
	f.added = append(f.added, e)
	return nil
}

func connect(authorizer any) events.APIGatewayWebsocketProxyRequest {
	return events.APIGatewayWebsocketProxyRequest{
		RequestContext: events.APIGatewayWebsocketProxyRequestContext{
			RouteKey:     "$connect",
			EventType:    "CONNECT",
			ConnectionID: "XDmENcnwIE0CFEQ=",
			ConnectedAt:  1764064800123,
			Identity:     events.APIGatewayRequestIdentity{SourceIP: "203.0.113.7", UserAgent: "wscat/6.1.0"},
			Authorizer:   authorizer,
		},
	}
}

func TestHandle(t *testing.T) {
	taro := map[string]any{"principalId": "taro", "userName": "taro"}
	tests := []struct {
		name       string
		authorizer any
		regErr     error
		status     int
		wantErr    bool
		wantAdded  []registry.Entry
	}{
		{"recorded under the verified user", taro, nil, 200, false, []registry.Entry{{
			ConnectionID: "XDmENcnwIE0CFEQ=", UserName: "taro", SourceIP: "203.0.113.7", ConnectedAt: time.UnixMilli(1764064800123),
		}}},
		{"no verified user", nil, nil, 403, false, nil},
		{"registry down: refused, not orphaned", taro, errors.New("ProvisionedThroughputExceededException"), 500, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := &fakeRegistry{err: tt.regErr}
			resp, err := Handler{Registry: reg}.Handle(context.Background(), connect(tt.authorizer))
			if (err != nil) != tt.wantErr || (tt.regErr != nil && !errors.Is(err, tt.regErr)) {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if resp.StatusCode != tt.status {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.status)
			}
			if len(reg.added) != len(tt.wantAdded) || (len(reg.added) == 1 && (reg.added[0].UserName != "taro" ||
				reg.added[0].ConnectionID != tt.wantAdded[0].ConnectionID || reg.added[0].SourceIP != tt.wantAdded[0].SourceIP ||
				!reg.added[0].ConnectedAt.Equal(tt.wantAdded[0].ConnectedAt))) {
				t.Errorf("added %+v, want %+v", reg.added, tt.wantAdded)
			}
		})
	}
}

func TestLogFields(t *testing.T) {
	var out bytes.Buffer
	log, _ := logging.New(&out, "go-websocket-api-dev-onconnect", "")
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "7a3c…req"})
	//lint:ignore SA1029 aws-lambda-go keys the trace header with this very string.
	ctx = context.WithValue(ctx, "x-amzn-trace-id", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")

	h := Handler{Registry: &fakeRegistry{}}
	if _, err := invocation.Logged(log, h.Handle)(ctx, connect(map[string]any{"principalId": "taro"})); err != nil {
		t.Fatal(err)
	}
	var connected map[string]any
	if err := json.Unmarshal(bytes.SplitN(out.Bytes(), []byte("\n"), 2)[0], &connected); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"function":     "go-websocket-api-dev-onconnect",
		"route":        "$connect",
		"requestId":    "7a3c…req",
		"connectionId": "XDmENcnwIE0CFEQ=",
		"traceId":      "1-5759e988-bd862e3fe1be46a994272793",
		"userName":     "taro",
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
