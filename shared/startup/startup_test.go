package startup

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/rs/zerolog"

	"wsapi/shared/tracing"
	"wsapi/shared/tracing/tracingtest"
)

// Every AWS call a function makes with its config shows in the
// invocation's trace, whichever service it calls and whichever backend
// TRACING names.
func TestLoadTracesAWSCalls(t *testing.T) {
	for _, backend := range []string{"", tracing.XRay, tracing.OTel} {
		t.Run("TRACING="+backend, func(t *testing.T) {
			daemon := tracingtest.Start(t)
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
			t.Setenv("TRACING", backend)

			fn, err := Load(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if fn.Log.GetLevel() != zerolog.DebugLevel {
				t.Errorf("log level = %v, want LOG_LEVEL's, debug", fn.Log.GetLevel())
			}
			want := backend
			if want == "" {
				want = tracing.XRay
			}
			if fn.Tracing.Name() != want {
				t.Fatalf("TRACING=%q traces with %s, want %s", backend, fn.Tracing.Name(), want)
			}
			db := dynamodb.NewFromConfig(fn.AWS, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(api.URL) })
			err = tracingtest.Invoke(context.Background(), fn.Tracing, func(ctx context.Context) error {
				_, err := db.ListTables(ctx, &dynamodb.ListTablesInput{})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}

			if want == tracing.XRay {
				seg := daemon.Next(t)
				if seg.Name != "DynamoDB" || seg.TraceID != tracingtest.TraceID || seg.AWS["operation"] != "ListTables" {
					t.Errorf("subsegment = %+v, want DynamoDB ListTables in the invocation's trace", seg)
				}
				return
			}
			spans := daemon.NextSpans(t)
			if len(spans) != 2 || spans[0].Name != "DynamoDB.ListTables" || spans[0].TraceID != tracingtest.TraceID || spans[0].ParentID != spans[1].ID {
				t.Errorf("spans = %+v, want DynamoDB.ListTables under the invocation's span", spans)
			}
		})
	}
}

// A TRACING the functions do not know leaves them tracing with X-Ray.
func TestLoadUnknownTracing(t *testing.T) {
	t.Setenv("AWS_REGION", "ap-northeast-1")
	t.Setenv("TRACING", "otle")
	fn, err := Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if fn.Tracing.Name() != tracing.XRay {
		t.Errorf("TRACING=otle traces with %s, want xray", fn.Tracing.Name())
	}
}
