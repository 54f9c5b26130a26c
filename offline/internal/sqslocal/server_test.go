package sqslocal

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"wsapi/offline/testkit"
)

// start serves a Server on loopback and returns an SDK client for it.
func start(t testing.TB, opts Options, specs ...QueueSpec) (*Server, *sqs.Client) {
	t.Helper()
	if opts.Region == "" {
		opts.Region, opts.AccountID = "us-east-1", "000000000000"
	}
	srv := New(opts)
	for _, s := range specs {
		srv.Set(s)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		srv.Close()
		hs.Close()
	})
	client := sqs.New(sqs.Options{
		Region:       opts.Region,
		BaseEndpoint: aws.String(hs.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
	})
	return srv, client
}

func TestSendReceiveDelete(t *testing.T) {
	srv, c := start(t, Options{}, QueueSpec{Name: "work"})
	ctx := context.Background()
	url := srv.URL("work")
	sent, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String(`{"to":["a","b"]}`)})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl: &url, MaxNumberOfMessages: 10,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{"All"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Messages) != 1 || *got.Messages[0].MessageId != *sent.MessageId || *got.Messages[0].Body != `{"to":["a","b"]}` {
		t.Fatalf("received %+v, want the message sent", got.Messages)
	}
	m := got.Messages[0]
	if m.Attributes["ApproximateReceiveCount"] != "1" || m.Attributes["SentTimestamp"] == "" || m.Attributes["ApproximateFirstReceiveTimestamp"] == "" {
		t.Errorf("attributes %v", m.Attributes)
	}
	again, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url})
	if err != nil || len(again.Messages) != 0 {
		t.Fatalf("an in-flight message was received again: %v %v", again, err)
	}
	if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	assertCounts(t, c, url, "0", "0")
}

func assertCounts(t *testing.T, c *sqs.Client, url, visible, inFlight string) {
	t.Helper()
	attrs, err := c.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl: &url, AttributeNames: []types.QueueAttributeName{"All"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if attrs.Attributes["ApproximateNumberOfMessages"] != visible || attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] != inFlight {
		t.Errorf("counts %v, want %s visible, %s in flight", attrs.Attributes, visible, inFlight)
	}
}

func TestErrors(t *testing.T) {
	srv, c := start(t, Options{}, QueueSpec{Name: "small", MaxMessageSize: 1024})
	ctx := context.Background()
	url := srv.URL("small")
	entries := func(n int) []types.SendMessageBatchRequestEntry {
		var out []types.SendMessageBatchRequestEntry
		for i := range n {
			out = append(out, types.SendMessageBatchRequestEntry{Id: aws.String(string(rune('a' + i))), MessageBody: aws.String("x")})
		}
		return out
	}
	for _, tc := range []struct {
		name string
		call func() error
		want any
	}{
		{"unknown queue", func() error {
			_, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(srv.URL("nope")), MessageBody: aws.String("x")})
			return err
		}, new(*types.QueueDoesNotExist)},
		{"GetQueueUrl of an unknown queue", func() error {
			_, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("nope")})
			return err
		}, new(*types.QueueDoesNotExist)},
		{"eleven entries", func() error {
			_, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &url, Entries: entries(11)})
			return err
		}, new(*types.TooManyEntriesInBatchRequest)},
		{"no entries", func() error {
			_, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &url, Entries: []types.SendMessageBatchRequestEntry{}})
			return err
		}, new(*types.EmptyBatchRequest)},
		{"repeated ids", func() error {
			e := entries(2)
			e[1].Id = e[0].Id
			_, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &url, Entries: e})
			return err
		}, new(*types.BatchEntryIdsNotDistinct)},
		{"batch over the size", func() error {
			e := entries(2)
			e[0].MessageBody = aws.String(strings.Repeat("x", 1024))
			_, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &url, Entries: e})
			return err
		}, new(*types.BatchRequestTooLong)},
		{"delete with a malformed handle", func() error {
			_, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: aws.String("bogus")})
			return err
		}, new(*types.ReceiptHandleIsInvalid)},
		{"visibility of a message not in flight", func() error {
			_, err := c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: &url, ReceiptHandle: aws.String("gone:1"), VisibilityTimeout: 5})
			return err
		}, new(*types.MessageNotInflight)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if err == nil || !errors.As(err, tc.want) {
				t.Fatalf("error %v, want a %T", err, tc.want)
			}
		})
	}
	t.Run("message over the size", func(t *testing.T) {
		_, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String(strings.Repeat("x", 1025))})
		if err == nil || !strings.Contains(err.Error(), "InvalidParameterValue") {
			t.Fatalf("error %v, want InvalidParameterValue", err)
		}
	})
}

func TestBatches(t *testing.T) {
	srv, c := start(t, Options{}, QueueSpec{Name: "q"})
	ctx := context.Background()
	url := srv.URL("q")
	var entries []types.SendMessageBatchRequestEntry
	for _, id := range []string{"a", "b", "c"} {
		entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(id), MessageBody: aws.String("body " + id)})
	}
	entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String("bad"), MessageBody: aws.String("\x01")})
	sent, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &url, Entries: entries})
	if err != nil {
		t.Fatal(err)
	}
	if len(sent.Successful) != 3 || len(sent.Failed) != 1 || *sent.Failed[0].Code != "InvalidMessageContents" {
		t.Fatalf("sent %+v", sent)
	}
	got, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 2})
	if err != nil || len(got.Messages) != 2 {
		t.Fatalf("received %v, %v; want 2 of 3", got, err)
	}
	del := []types.DeleteMessageBatchRequestEntry{
		{Id: aws.String("one"), ReceiptHandle: got.Messages[0].ReceiptHandle},
		{Id: aws.String("two"), ReceiptHandle: aws.String("malformed")},
	}
	res, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: &url, Entries: del})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Successful) != 1 || len(res.Failed) != 1 || *res.Failed[0].Id != "two" {
		t.Fatalf("deleted %+v", res)
	}
	assertCounts(t, c, url, "1", "1")
}

func TestVisibilityTimeoutAndRedrive(t *testing.T) {
	var mu sync.Mutex
	var moved []Moved
	srv, c := start(t, Options{OnMoved: func(m Moved) { mu.Lock(); moved = append(moved, m); mu.Unlock() }},
		QueueSpec{Name: "dlq"},
		QueueSpec{Name: "work", VisibilityTimeout: time.Second, DeadLetterQueue: "dlq", MaxReceiveCount: 2})
	ctx := context.Background()
	url := srv.URL("work")
	sent, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("poison")})
	if err != nil {
		t.Fatal(err)
	}
	for receive := 1; receive <= 2; receive++ {
		// The long poll wakes when the message is visible again, a second
		// after the previous receive.
		got, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: &url, WaitTimeSeconds: 5,
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{"ApproximateReceiveCount"},
		})
		if err != nil || len(got.Messages) != 1 {
			t.Fatalf("receive %d: %v %v", receive, got, err)
		}
		if n := got.Messages[0].Attributes["ApproximateReceiveCount"]; n != string(rune('0'+receive)) {
			t.Fatalf("receive %d: ApproximateReceiveCount %s", receive, n)
		}
	}
	got, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 2})
	if err != nil || len(got.Messages) != 0 {
		t.Fatalf("after maxReceiveCount the message was delivered again: %v %v", got, err)
	}
	dlq := srv.URL("dlq")
	inDLQ, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &dlq})
	if err != nil || len(inDLQ.Messages) != 1 || *inDLQ.Messages[0].MessageId != *sent.MessageId {
		t.Fatalf("dead-letter queue holds %v, %v", inDLQ, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := (Moved{Queue: "work", DeadLetterQueue: "dlq", MessageID: *sent.MessageId, ReceiveCount: 2, Body: "poison"}); len(moved) != 1 || moved[0] != want {
		t.Fatalf("moved %+v, want %+v", moved, want)
	}
}

func TestChangeMessageVisibilityReturnsTheMessage(t *testing.T) {
	srv, c := start(t, Options{}, QueueSpec{Name: "q", VisibilityTimeout: time.Hour})
	ctx := context.Background()
	url := srv.URL("q")
	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("m")}); err != nil {
		t.Fatal(err)
	}
	got, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url})
	if err != nil || len(got.Messages) != 1 {
		t.Fatal(got, err)
	}
	if _, err := c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: &url, ReceiptHandle: got.Messages[0].ReceiptHandle, VisibilityTimeout: 0}); err != nil {
		t.Fatal(err)
	}
	again, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url})
	if err != nil || len(again.Messages) != 1 || *again.Messages[0].ReceiptHandle == *got.Messages[0].ReceiptHandle {
		t.Fatalf("after visibility 0: %v %v", again, err)
	}
	// The first receive's handle no longer deletes it, as SQS documents.
	if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: got.Messages[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	assertCounts(t, c, url, "0", "1")
}

func TestLongPollIsWokenBySend(t *testing.T) {
	srv, c := start(t, Options{}, QueueSpec{Name: "q"})
	ctx := context.Background()
	url := srv.URL("q")
	done := make(chan *sqs.ReceiveMessageOutput, 1)
	go func() {
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 20})
		if err != nil {
			t.Error(err)
		}
		done <- out
	}()
	// The poll must be waiting before the send for the test to mean
	// anything; a send before it would be received at once either way.
	waitFor(t, func() bool {
		srv.mu.Lock()
		defer srv.mu.Unlock()
		return srv.queues["q"].waiting > 0
	})
	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("wake")}); err != nil {
		t.Fatal(err)
	}
	select {
	case out := <-done:
		if out == nil || len(out.Messages) != 1 {
			t.Fatalf("long poll answered %v", out)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the long poll was not woken by the send")
	}
}

func TestCloseEndsLongPolls(t *testing.T) {
	srv, c := start(t, Options{}, QueueSpec{Name: "q"})
	url := srv.URL("q")
	done := make(chan error, 1)
	go func() {
		_, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 20})
		done <- err
	}()
	waitFor(t, func() bool {
		srv.mu.Lock()
		defer srv.mu.Unlock()
		return srv.queues["q"].waiting > 0
	})
	srv.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not end the long poll")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	testkit.Eventually(t, 10*time.Second, func() (bool, string) { return cond(), "condition not met" })
}
