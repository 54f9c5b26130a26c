package eventsource

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"wsapi/offline/internal/sqslocal"
)

// BenchmarkFanOutBatches is a 10,000-member broadcast's path through the
// queue: a function sends 100 messages of 100 member ids with the SDK
// (ten SendMessageBatch calls), the mapping (batch 10, concurrency 5)
// invokes a worker that returns at once, and the op ends when all 100 are
// deleted. The worker's own cost is not in it.
func BenchmarkFanOutBatches(b *testing.B) {
	srv := sqslocal.New(sqslocal.Options{Region: "us-east-1", AccountID: "000000000000"})
	srv.Set(sqslocal.QueueSpec{Name: "fanout"})
	hs := httptest.NewServer(srv)
	defer hs.Close()
	defer srv.Close()
	client := sqs.New(sqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(hs.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")})
	inv := &invoker{batches: make(chan events.SQSEvent, 200)}
	deleted := make(chan int, 200)
	pollers := New(b.Context(), srv, inv, func(r Result) {
		if r.Err != nil {
			b.Error(r.Err)
		}
		deleted <- r.Deleted
	})
	defer pollers.Close()
	pollers.Set(Mapping{ID: "M", Queue: "fanout", Function: "worker", BatchSize: 10, MaximumConcurrency: 5})
	ids := make([]string, 100)
	for i := range ids {
		ids[i] = fmt.Sprintf("%q", "conn-"+strconv.Itoa(i)+"-XDmENcnwIE0CFEQ=")
	}
	body := `{"room":"r","connections":[` + strings.Join(ids, ",") + `],"data":"hello everyone"}`
	url := srv.URL("fanout")
	ctx := context.Background()
	for b.Loop() {
		for range 10 {
			entries := make([]types.SendMessageBatchRequestEntry, 10)
			for i := range entries {
				entries[i] = types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: &body}
			}
			if _, err := client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &url, Entries: entries}); err != nil {
				b.Fatal(err)
			}
		}
		for n := 0; n < 100; {
			n += <-deleted
			<-inv.batches
		}
	}
}
