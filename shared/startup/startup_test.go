package startup

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/rs/zerolog"

	"wsapi/shared/tracing/tracingtest"
)

// Every AWS call a function makes with its config shows in the
// invocation's trace, whichever service it calls.
func TestLoadTracesAWSCalls(t *testing.T) {
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

	fn, err := Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if fn.Log.GetLevel() != zerolog.DebugLevel {
		t.Errorf("log level = %v, want LOG_LEVEL's, debug", fn.Log.GetLevel())
	}
	db := dynamodb.NewFromConfig(fn.AWS, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(api.URL) })
	if _, err := db.ListTables(tracingtest.Invocation(context.Background()), &dynamodb.ListTablesInput{}); err != nil {
		t.Fatal(err)
	}

	seg := daemon.Next(t)
	if seg.Name != "DynamoDB" || seg.TraceID != tracingtest.TraceID || seg.AWS["operation"] != "ListTables" {
		t.Errorf("subsegment = %+v, want DynamoDB ListTables in the invocation's trace", seg)
	}
}
