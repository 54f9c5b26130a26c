package gateway

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi/types"
)

// TestSlowReaderHoldsBackNoOne: a post to a client that never reads is
// answered at once, 200 while its buffer has room and 429
// LimitExceededException once it is full, and posts to everyone else go on.
func TestSlowReaderHoldsBackNoOne(t *testing.T) {
	h := start(t, nil)
	slow := h.dial(t, "/")
	slowID := connectionID(t, slow) // and never read again
	fast := h.dial(t, "/")
	fastID := connectionID(t, fast)
	api := client(h.srv.URL, testKey, testSecret)
	data := bytes.Repeat([]byte("x"), 100<<10)

	var limited *types.LimitExceededException
	for n := 0; ; n++ {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err := api.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: &slowID, Data: data})
		cancel()
		if errors.As(err, &limited) {
			break
		}
		if err != nil {
			t.Fatalf("post %d to a client that does not read: %v, want 200 or 429 at once", n, err)
		}
		if n > 2000 {
			t.Fatal("200 MB posted to a client that does not read and still no 429")
		}
	}
	for i := range 20 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err := api.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: &fastID, Data: fmt.Appendf(nil, "m%d", i)})
		cancel()
		if err != nil {
			t.Fatalf("post to another client while one does not read: %v", err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for i := range 20 {
		_, got, err := fast.Read(ctx)
		if want := fmt.Sprintf("m%d", i); err != nil || string(got) != want {
			t.Fatalf("read %q %v, want %s: posts arrive in order", got, err, want)
		}
	}
}

// TestUndeliverableFrameEndsConnection: a frame accepted for a client that
// then never takes it is not dropped unseen: the connection ends and
// $disconnect says why.
func TestUndeliverableFrameEndsConnection(t *testing.T) {
	h := start(t, func(c *Config) { c.WriteTimeout = 200 * time.Millisecond })
	slow := h.dial(t, "/")
	id := connectionID(t, slow) // and never read again
	api := client(h.srv.URL, testKey, testSecret)
	data := bytes.Repeat([]byte("x"), 100<<10)
	// A 429 says only that the buffer is full now: the kernel may still take
	// what is queued. Posting on until the connection is gone fills it for
	// good, whatever the kernel's buffers hold.
	var limited *types.LimitExceededException
	for n := 0; n < 20000; n++ {
		_, err := api.PostToConnection(context.Background(), &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: &id, Data: data})
		if err != nil && !errors.As(err, &limited) {
			break
		}
	}
	rc := h.disconnected(t).RequestContext
	if rc.DisconnectStatusCode != 1006 || rc.DisconnectReason == nil || !strings.HasPrefix(*rc.DisconnectReason, "Frame not delivered") {
		t.Errorf("$disconnect got %d %q, want 1006 Frame not delivered", rc.DisconnectStatusCode, aws.ToString(rc.DisconnectReason))
	}
}

// TestEmptyFramesFillTheBuffer: every frame held for a client counts
// against its buffer, an empty one too, so that posts of nothing to a
// client that does not read cannot queue without limit.
func TestEmptyFramesFillTheBuffer(t *testing.T) {
	c := &conn{}
	c.out.writing = true // a write to the client that does not end
	for n := 0; ; n++ {
		err := c.post(nil, false)
		if errors.Is(err, errBufferFull) {
			return
		}
		if err != nil {
			t.Fatalf("post %d: %v", n, err)
		}
		if n > maxQueuedBytes {
			t.Fatalf("%d empty frames queued for one client and still no 429", n)
		}
	}
}
