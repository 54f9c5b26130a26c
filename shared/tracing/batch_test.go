package tracing_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/rs/zerolog"

	"wsapi/shared/tracing"
	"wsapi/shared/tracing/tracingtest"
)

// A full batch of the largest spans a function sends, posts to
// @connections that fail and the SDK calls beneath them, fits one UDP
// datagram with room to spare for longer attribute values.
func TestBatchFitsOneDatagram(t *testing.T) {
	daemon := tracingtest.Start(t)
	var n atomic.Int64
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amzn-Requestid", fmt.Sprintf("8476a536-e9f4-11e8-9739-%012d", n.Add(1)))
		w.Header().Set("X-Amzn-ErrorType", "GoneException")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusGone)
		fmt.Fprint(w, `{"message":"the connection is gone"}`)
	}))
	defer api.Close()
	b := newBackend(t, tracing.OTel, zerolog.Nop())
	cfg := aws.Config{Region: "ap-northeast-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""), RetryMaxAttempts: 1}
	b.Instrument(&cfg)
	client := apigatewaymanagementapi.NewFromConfig(cfg, func(o *apigatewaymanagementapi.Options) { o.BaseEndpoint = aws.String(api.URL + "/prod") })

	posts := tracing.MaxBatch / 2 // two spans each, and the invocation's makes one batch and one more
	err := tracingtest.Invoke(context.Background(), b, func(ctx context.Context) error {
		for i := range posts {
			ctx, span := tracing.Start(ctx, "PostToConnection")
			id := fmt.Sprintf("XDmENcnwIE0CF%03d=", i)
			_, err := client.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(id), Data: []byte("hi")})
			span.Annotate("connectionId", id)
			span.Annotate("bytes", 2)
			span.Annotate("outcome", "gone")
			span.End(fmt.Errorf("post to connection %s: %w", id, err))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	size, spans := daemon.NextSize(t)
	if len(spans) != tracing.MaxBatch {
		t.Fatalf("first datagram holds %d spans, want a full batch of %d", len(spans), tracing.MaxBatch)
	}
	t.Logf("%d spans in a datagram of %d bytes, %d bytes a span", len(spans), size, size/len(spans))
	// Half of UDP's 65,507 bytes: a batch of spans twice this size still fits.
	if size > 65_507/2 {
		t.Errorf("a full batch takes %d bytes, leaving too little room under UDP's 65,507", size)
	}
}
