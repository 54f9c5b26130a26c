package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"wsapi/shared/connections"
)

// stallingAPI stands in for @connections as the invocation runs out of
// time: a post to a connection in hang waits until its context ends, as a
// post that never gets an answer does; a post to one in gone answers 410;
// any other post succeeds at once if its context is still live.
type stallingAPI struct {
	mu        sync.Mutex
	hang      map[string]bool
	gone      map[string]bool
	attempted []string
	frames    map[string][]string
}

func (a *stallingAPI) Post(ctx context.Context, id string, data []byte) error {
	a.mu.Lock()
	a.attempted = append(a.attempted, id)
	a.mu.Unlock()
	switch {
	case a.hang[id]:
		<-ctx.Done()
		return fmt.Errorf("post to connection %s: %w", id, ctx.Err())
	case a.gone[id]:
		return gone(id)
	case ctx.Err() != nil:
		return fmt.Errorf("post to connection %s: %w", id, ctx.Err())
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.frames[id] = append(a.frames[id], string(data))
	return nil
}

// The fan-out stops ReceiptTime before the invocation's deadline, so that
// the sender always hears what became of the message.
func TestFanOutLeavesTimeForTheReceipt(t *testing.T) {
	const sender = "taroPhone00000="
	tests := []struct {
		name        string
		ids         []string
		hang, gone  []string
		concurrency int
		timeLeft    time.Duration // 0: no deadline
		receipt     string
		attempted   []string
	}{
		{
			name: "no deadline", ids: []string{"a=", "b=", "c="}, concurrency: 2,
			receipt:   `{"action":"send","to":"hanako","delivered":3,"failed":0}`,
			attempted: []string{"a=", "b=", "c="},
		},
		{
			name: "time enough", ids: []string{"a=", "b=", "c="}, concurrency: 2, timeLeft: time.Minute,
			receipt:   `{"action":"send","to":"hanako","delivered":3,"failed":0}`,
			attempted: []string{"a=", "b=", "c="},
		},
		{
			name: "less than the receipt's time left: nothing is attempted", ids: []string{"a=", "b=", "c="}, concurrency: 2, timeLeft: time.Second,
			receipt: `{"action":"send","to":"hanako","delivered":0,"failed":0,"skipped":3}`,
		},
		{
			name: "a stalled post is cut off, the rest skipped", ids: []string{"a=", "b=", "c=", "d="}, hang: []string{"b="}, concurrency: 1, timeLeft: 3 * time.Second,
			receipt:   `{"action":"send","to":"hanako","delivered":1,"failed":1,"skipped":2}`,
			attempted: []string{"a=", "b="},
		},
		{
			name: "every slot stalled", ids: []string{"a=", "b=", "c=", "d=", "e="}, hang: []string{"a=", "b="}, concurrency: 2, timeLeft: 3 * time.Second,
			receipt:   `{"action":"send","to":"hanako","delivered":0,"failed":2,"skipped":3}`,
			attempted: []string{"a=", "b="},
		},
		{
			name: "gone, failed and skipped add up", ids: []string{"a=", "b=", "c="}, gone: []string{"a="}, hang: []string{"b="}, concurrency: 1, timeLeft: 3 * time.Second,
			receipt:   `{"action":"send","to":"hanako","delivered":0,"failed":1,"skipped":1}`,
			attempted: []string{"a=", "b="},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &stallingAPI{hang: set(tt.hang), gone: set(tt.gone), frames: map[string][]string{}}
			h := Handler{
				Connections: func(string, string) connections.Poster { return a },
				Registry:    &directory{users: map[string][]string{"hanako": tt.ids}},
				Concurrency: tt.concurrency,
				ReceiptTime: 2 * time.Second,
				Now:         func() time.Time { return sentAt },
			}
			ctx := context.Background()
			if tt.timeLeft > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeLeft)
				defer cancel()
			}

			resp, err := h.Handle(ctx, request(`{"action":"send","to":"hanako","message":"hi"}`, taro))
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("Handle = %d, %v; want 200 and the receipt sent", resp.StatusCode, err)
			}
			if got := a.frames[sender]; len(got) != 1 || got[0] != tt.receipt {
				t.Fatalf("receipt = %q, want %q", got, tt.receipt)
			}
			attempted := slices.DeleteFunc(slices.Clone(a.attempted), func(id string) bool { return id == sender })
			slices.Sort(attempted)
			if !slices.Equal(attempted, tt.attempted) {
				t.Errorf("attempted %v, want %v", attempted, tt.attempted)
			}
			var r receipt
			if err := json.Unmarshal([]byte(tt.receipt), &r); err != nil {
				t.Fatal(err)
			}
			if sum := r.Delivered + r.Failed + r.Skipped + len(tt.gone); sum != len(tt.ids) {
				t.Errorf("delivered %d + failed %d + skipped %d + gone %d = %d, want every connection, %d",
					r.Delivered, r.Failed, r.Skipped, len(tt.gone), sum, len(tt.ids))
			}
		})
	}
}

func set(ids []string) map[string]bool {
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}
