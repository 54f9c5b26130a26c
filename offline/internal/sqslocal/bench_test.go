package sqslocal

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// BenchmarkSendReceiveDelete moves batches of ten 4 KB messages through a
// queue as a broadcast and its event source mapping do: one op is a
// SendMessageBatch with the SDK over loopback, then a receive and a delete
// of the ten in the process, as Lambda's poller makes them.
func BenchmarkSendReceiveDelete(b *testing.B) {
	srv, c := start(b, Options{}, QueueSpec{Name: "q"})
	ctx := context.Background()
	url := srv.URL("q")
	body := strings.Repeat("x", 4096)
	entries := make([]types.SendMessageBatchRequestEntry, 10)
	for i := range entries {
		entries[i] = types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: &body}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &url, Entries: entries}); err != nil {
			b.Fatal(err)
		}
		got, err := srv.Receive(ctx, "q", 10, time.Second)
		if err != nil {
			b.Fatal(err)
		}
		if len(got) != 10 {
			b.Fatalf("received %d of 10", len(got))
		}
		handles := make([]string, len(got))
		for i, m := range got {
			handles[i] = m.ReceiptHandle
		}
		if err := srv.Delete("q", handles...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*10)/b.Elapsed().Seconds(), "msgs/s")
}
