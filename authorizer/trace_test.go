package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"wsapi/shared/startup"
	"wsapi/shared/tracing/tracingtest"
)

// The SSM read of the signing secret, the one call that can make a
// handshake slow, shows in the $connect trace as a GetParameter subsegment.
func TestSecretReadIsTraced(t *testing.T) {
	daemon := tracingtest.Start(t)
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
	if _, err := secrets.Secret(tracingtest.Invocation(context.Background())); err != nil {
		t.Fatal(err)
	}

	seg := daemon.Next(t)
	if seg.Name != "SSM" || seg.TraceID != tracingtest.TraceID || seg.AWS["operation"] != "GetParameter" {
		t.Errorf("subsegment = %+v, want SSM GetParameter in the invocation's trace", seg)
	}
}
