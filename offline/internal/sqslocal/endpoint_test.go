package sqslocal

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestEndpointServesOnItsOwnPort drives the real local SQS: the first queue
// starts it, and a client of its endpoint reaches the queues Set on it.
func TestEndpointServesOnItsOwnPort(t *testing.T) {
	var started []string
	q := &Endpoint{Server: New(Options{Region: "us-east-1", AccountID: "000000000000"}),
		Started: func(endpoint string) { started = append(started, endpoint) }}
	defer q.Close()
	first, err := q.Set(t.Context(), QueueSpec{Name: "a"})
	if err != nil {
		t.Fatal(err)
	}
	second, err := q.Set(t.Context(), QueueSpec{Name: "b", VisibilityTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if first != second || len(started) != 1 || started[0] != first || !strings.HasPrefix(first, "http://127.0.0.1:") {
		t.Fatalf("endpoints %s, %s, started %v: want one loopback endpoint, started once", first, second, started)
	}
	if code := getQueueURL(t, first, "b"); code != 200 {
		t.Errorf("GetQueueUrl b = %d, want 200", code)
	}
	q.Remove("b")
	if code := getQueueURL(t, first, "b"); code != 400 {
		t.Errorf("GetQueueUrl b after Remove = %d, want 400", code)
	}
}

func getQueueURL(t *testing.T, endpoint, name string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, endpoint, strings.NewReader(`{"QueueName":"`+name+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Target", "AmazonSQS.GetQueueUrl")
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp.StatusCode
}
