package fanout

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"wsapi/shared/connections"
)

// api answers each connection as its table says; any other post delivers.
type api struct {
	mu     sync.Mutex
	answer map[string]error
	posted []string
}

func (a *api) Post(ctx context.Context, id string, _ []byte) error {
	a.mu.Lock()
	a.posted = append(a.posted, id)
	a.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	return a.answer[id]
}

func TestSend(t *testing.T) {
	gone := fmt.Errorf("post: %w", connections.ErrGone)
	throttled := fmt.Errorf("post: %w", connections.ErrThrottled)
	tests := []struct {
		name       string
		answer     map[string]error
		timeLeft   time.Duration
		want       Result
		wantForgot []string
	}{
		{"every post delivered", nil, 0, Result{Recipients: 3, Delivered: 3}, nil},
		{"410 forgets the connection", map[string]error{"b=": gone}, 0, Result{Recipients: 3, Delivered: 2, Gone: 1}, []string{"b="}},
		{"429 is failed and to retry", map[string]error{"a=": throttled, "c=": gone}, 0,
			Result{Recipients: 3, Delivered: 1, Gone: 1, Failed: 1, Retry: []string{"a="}}, []string{"c="}},
		{"no time left: every post skipped and to retry", nil, time.Second,
			Result{Recipients: 3, Skipped: 3, Retry: []string{"a=", "b=", "c="}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &api{answer: tt.answer}
			if a.answer == nil {
				a.answer = map[string]error{}
			}
			var mu sync.Mutex
			var forgot []string
			f := Fanout{Poster: a, Concurrency: 2, Reserve: 2 * time.Second, Requeue: true,
				Forget: func(_ context.Context, id string) error {
					mu.Lock()
					defer mu.Unlock()
					forgot = append(forgot, id)
					return nil
				}}
			ctx := context.Background()
			if tt.timeLeft > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeLeft)
				defer cancel()
			}
			got := f.Send(ctx, []string{"a=", "b=", "c="}, []byte("hi"))
			slices.Sort(got.Retry)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("Send = %+v, want %+v", got, tt.want)
			}
			if fmt.Sprint(forgot) != fmt.Sprint(tt.wantForgot) {
				t.Errorf("forgot %v, want %v", forgot, tt.wantForgot)
			}
		})
	}
}

// A post refused for good (a 4xx) is failed, not to retry.
func TestSendPermanentFailure(t *testing.T) {
	a := &api{answer: map[string]error{"a=": &statusError{403}}}
	got := Fanout{Poster: a, Concurrency: 1}.Send(context.Background(), []string{"a="}, []byte("hi"))
	if got.Failed != 1 || len(got.Retry) != 0 {
		t.Errorf("Send = %+v, want 1 failed and nothing to retry", got)
	}
}

type statusError struct{ code int }

func (e *statusError) Error() string       { return fmt.Sprintf("status %d", e.code) }
func (e *statusError) HTTPStatusCode() int { return e.code }

// A post still in flight when the reserve begins is let finish: cut off,
// it may have been delivered all the same, and retried it would arrive
// twice. What has not started by then is skipped, to retry.
func TestSendLetsAPostInFlightFinish(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	deadline, _ := ctx.Deadline()
	const reserve = 3 * time.Second // no post starts after deadline-3s
	slow := posterFunc(func(ctx context.Context, id string) error {
		// Still posting when the reserve begins, done well before its half.
		select {
		case <-time.After(time.Until(deadline.Add(-reserve)) + 200*time.Millisecond):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	got := Fanout{Poster: slow, Concurrency: 1, Reserve: reserve, Requeue: true}.Send(ctx, []string{"a=", "b="}, []byte("hi"))
	if want := (Result{Recipients: 2, Delivered: 1, Skipped: 1, Retry: []string{"b="}}); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Send = %+v, want %+v", got, want)
	}
}

// Send keeps exactly Concurrency posts in flight and posts to each id once.
func TestSendBoundsPostsInFlight(t *testing.T) {
	const concurrency, n = 7, 100
	var (
		mu            sync.Mutex
		inFlight, top int
		posted        = map[string]int{}
		full          = make(chan struct{})
	)
	p := posterFunc(func(ctx context.Context, id string) error {
		mu.Lock()
		inFlight++
		top = max(top, inFlight)
		posted[id]++
		if inFlight == concurrency && top == concurrency && len(posted) == concurrency {
			close(full)
		}
		mu.Unlock()
		select { // The first posts wait until the pool is full.
		case <-full:
		case <-time.After(10 * time.Second):
		}
		mu.Lock()
		inFlight--
		mu.Unlock()
		return nil
	})
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("c%03d=", i)
	}
	got := Fanout{Poster: p, Concurrency: concurrency}.Send(context.Background(), ids, []byte("hi"))
	if got.Delivered != n || top != concurrency || len(posted) != n {
		t.Errorf("Send = %+v with at most %d in flight, %d ids posted to; want %d delivered, %d in flight", got, top, len(posted), n, concurrency)
	}
	for id, times := range posted {
		if times != 1 {
			t.Errorf("%s posted to %d times", id, times)
		}
	}
}

type posterFunc func(ctx context.Context, id string) error

func (f posterFunc) Post(ctx context.Context, id string, _ []byte) error { return f(ctx, id) }

// Forgetting a gone connection is bounded as a post is: it cannot eat the
// half of the reserve that is the caller's alone.
func TestForgettingLeavesTheCallerItsHalfOfTheReserve(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	deadline, _ := ctx.Deadline()
	const reserve = 1600 * time.Millisecond
	gone := posterFunc(func(context.Context, string) error { return fmt.Errorf("post: %w", connections.ErrGone) })
	var left time.Duration
	slowForget := func(ctx context.Context, _ string) error {
		<-ctx.Done() // a connection in many rooms, forgotten slowly
		left = time.Until(deadline)
		return ctx.Err()
	}
	got := Fanout{Poster: gone, Forget: slowForget, Concurrency: 1, Reserve: reserve}.Send(ctx, []string{"a="}, []byte("hi"))
	if got.Gone != 1 || left < reserve/4 {
		t.Errorf("Send = %+v, the forget cut off with %v left; want 1 gone and about %v left to the caller", got, left, reserve/2)
	}
}
