// Package fanout posts one frame to many connections: at most Concurrency
// posts in flight, every connection that answers 410 forgotten on the spot,
// the fan-out stopped short of the invocation's deadline, and what became of
// every post counted. A user's connections (send), a small room (broadcast)
// and a batch off the fan-out queue are each one audience of it.
//
// Each fan-out is one X-Ray subsegment and ends with one log line; each post
// inside it keeps its own (package connections).
package fanout

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"wsapi/shared/connections"
	"wsapi/shared/logging"
	"wsapi/shared/tracing"
)

// Forget drops every record of a connection that is gone.
type Forget func(ctx context.Context, connectionID string) error

// All forgets a connection in every place fs keep it, going on past a
// failure so that one store's error leaves no other one stale.
func All(fs ...Forget) Forget {
	return func(ctx context.Context, connectionID string) error {
		errs := make([]error, 0, len(fs))
		for _, f := range fs {
			errs = append(errs, f(ctx, connectionID))
		}
		return errors.Join(errs...)
	}
}

// Fanout is how one frame goes out to an audience.
type Fanout struct {
	Poster connections.Poster
	Forget Forget
	// Concurrency bounds the posts in flight.
	Concurrency int
	// Reserve is kept back from the context's deadline for what the caller
	// does after the fan-out (a receipt, handing the rest back to the
	// queue): no post starts once less than this is left. A post already
	// in flight, and the forgetting of a connection it found gone, may go
	// on into the first half of it: cut off, a post may have been delivered
	// all the same, and handed back it would be delivered twice. The
	// second half is the caller's alone.
	Reserve time.Duration
	// Requeue says the caller hands Result.Retry back to the queue: the
	// log counts those posts as retried rather than failed or skipped.
	Requeue bool
}

// Result is what became of a fan-out's posts: Delivered, Gone, Failed and
// Skipped add up to Recipients.
type Result struct {
	Recipients int
	Delivered  int
	// Gone counts connections that answered 410, now forgotten.
	Gone int
	// Failed counts posts that were made and did not deliver, those cut off
	// by the deadline included.
	Failed int
	// Skipped counts posts not made because the deadline was near.
	Skipped int
	// Retry holds the connections another try may reach: failed posts that
	// were throttled, cut off or not answered, and the skipped ones.
	Retry []string
}

// Send posts frame to every id once.
//
// A fixed set of Concurrency goroutines takes the ids in turn, rather than
// a goroutine a post: each grows its stack through the SDK's middleware
// once, not once a post, which was a tenth of a large fan-out's CPU.
func (f Fanout) Send(ctx context.Context, ids []string, frame []byte) Result {
	start := time.Now()
	ctx, span := tracing.Start(ctx, "FanOut")
	postCtx, startBy := ctx, time.Time{}
	if deadline, ok := ctx.Deadline(); ok {
		startBy = deadline.Add(-f.Reserve)
		var cancel context.CancelFunc
		postCtx, cancel = context.WithDeadline(ctx, deadline.Add(-f.Reserve/2))
		defer cancel()
	}
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		res  = Result{Recipients: len(ids)}
		next atomic.Int64 // the index of the next id to post to
	)
	// An id is taken only after the clock is read, so every id taken is
	// posted to and those not taken are the tail of ids.
	take := func() (string, bool) {
		if postCtx.Err() != nil || !startBy.IsZero() && !time.Now().Before(startBy) {
			return "", false
		}
		i := next.Add(1) - 1
		if i >= int64(len(ids)) {
			return "", false
		}
		return ids[i], true
	}
	for range min(max(f.Concurrency, 1), len(ids)) {
		wg.Go(func() {
			for id, ok := take(); ok; id, ok = take() {
				err := f.post(postCtx, id, frame)
				mu.Lock()
				switch {
				case err == nil:
					res.Delivered++
				case errors.Is(err, connections.ErrGone):
					res.Gone++
				default:
					res.Failed++
					if connections.Retryable(err) {
						res.Retry = append(res.Retry, id)
					}
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	started := min(int(next.Load()), len(ids))
	res.Skipped = len(ids) - started
	res.Retry = append(res.Retry, ids[started:]...)
	f.report(ctx, span, res, time.Since(start))
	return res
}

// post sends frame to id, and forgets id if it is gone. Forgetting runs
// under the posts' context too: a connection in many rooms takes a
// DynamoDB call or two a room, which must not eat the caller's half of the
// reserve; one not forgotten in time is forgotten at its next 410, or by TTL.
func (f Fanout) post(ctx context.Context, id string, frame []byte) error {
	err := f.Poster.Post(ctx, id, frame)
	if errors.Is(err, connections.ErrGone) && f.Forget != nil {
		if ferr := f.Forget(ctx, id); ferr != nil {
			logging.From(ctx).Warn().Err(ferr).Str("to", id).Msg("forget gone connection")
		}
	}
	return err
}

// report ends the fan-out's subsegment and writes its one log line.
func (f Fanout) report(ctx context.Context, span *tracing.Span, r Result, d time.Duration) {
	failed, skipped, retried := r.Failed, r.Skipped, 0
	if f.Requeue {
		retried = len(r.Retry)
		failed -= retried - r.Skipped
		skipped = 0
	}
	for k, v := range map[string]int{"recipients": r.Recipients, "delivered": r.Delivered, "gone": r.Gone, "failed": failed, "retried": retried, "skipped": skipped} {
		span.Annotate(k, v)
	}
	span.End(nil)
	logging.From(ctx).Info().
		Int("recipients", r.Recipients).Int("delivered", r.Delivered).Int("gone", r.Gone).
		Int("failed", failed).Int("retried", retried).Int("skipped", skipped).
		Float64("durationMs", float64(d.Microseconds())/1000).
		Msg("fan-out")
}
