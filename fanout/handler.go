package main

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/rs/zerolog"

	"wsapi/shared/connections"
	"wsapi/shared/fanout"
	"wsapi/shared/fanoutqueue"
	"wsapi/shared/invocation"
	"wsapi/shared/logging"
)

// Queue takes back what a job could not deliver yet.
type Queue interface {
	Enqueue(ctx context.Context, jobs []fanoutqueue.Job, delay time.Duration) error
}

// Handler posts the jobs of one batch off the fan-out queue.
//
// Each job ends one of three ways: delivered (or gone, and forgotten); its
// undelivered connections queued again as a new job of only those, after a
// backoff; or, when that is not possible (queueing failed, MaxAttempts
// used up, the invocation out of time), reported in batchItemFailures, so
// that SQS delivers the whole job again after its visibility timeout and,
// after maxReceiveCount times, moves it to the dead-letter queue. A worker
// that crashes reports nothing: SQS delivers its whole batch again. A
// connection may so get a frame twice, never none; the frame's messageId
// tells a repeat apart.
//
// A new job rather than the record itself: posts already delivered are
// not repeated, and the backoff (DelaySeconds) is the job's own rather
// than the queue's visibility timeout of minutes.
type Handler struct {
	// Connections returns the @connections client of the API at domainName and stage.
	Connections func(domainName, stage string) connections.Poster
	Forget      fanout.Forget
	Queue       Queue
	// Concurrency bounds the posts in flight of the whole invocation: its
	// jobs are posted one after the other.
	Concurrency int
	Log         zerolog.Logger
}

// defaultConcurrency is the posts one worker has in flight; serverless.yml
// sets FANOUT_CONCURRENCY and says how it bounds the account's rate.
const defaultConcurrency = 25

// MaxAttempts is how many times one audience goes back to the queue as a
// new job before its record is left to SQS's redelivery and dead-letter queue.
const MaxAttempts = 5

// reserve is kept back from the invocation's deadline to queue what is
// left and answer.
const reserve = 3 * time.Second

// backoff is how long a job's leftovers wait before the next attempt: 2, 4,
// 8, 16 s. SDK retries with backoff already came first, inside each post.
func backoff(attempt int) time.Duration {
	return time.Duration(1<<min(attempt, 9)) * time.Second
}

// Handle posts each record's job and answers which records SQS must
// deliver again.
func (h Handler) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	start := time.Now()
	ctx = logging.WithInvocation(ctx, h.Log, invocation.Of(ctx, "fanout"))
	log := logging.From(ctx)

	var resp events.SQSEventResponse
	for _, rec := range ev.Records {
		if !h.handle(ctx, rec) {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
		}
	}
	log.Info().Int("records", len(ev.Records)).Int("returned", len(resp.BatchItemFailures)).
		Float64("durationMs", float64(time.Since(start).Microseconds())/1000).
		Msg("batch done")
	return resp, nil
}

// handle posts one record's job; false means SQS must deliver it again.
func (h Handler) handle(ctx context.Context, rec events.SQSMessage) bool {
	log := logging.From(ctx).With().Str("sqsMessageId", rec.MessageId).Logger()
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < 2*reserve {
		log.Warn().Msg("out of time: left to the queue")
		return false
	}
	job, err := fanoutqueue.Decode(rec.Body)
	if err != nil {
		// Kept, not dropped: after maxReceiveCount it waits in the
		// dead-letter queue for someone to look at it.
		log.Error().Err(err).Msg("unreadable job")
		return false
	}
	res := fanout.Fanout{
		Poster: h.Connections(job.DomainName, job.Stage), Forget: h.Forget,
		Concurrency: h.Concurrency, Reserve: reserve, Requeue: true,
	}.Send(ctx, job.ConnectionIDs, job.Frame)
	if len(res.Retry) == 0 {
		return true
	}
	if job.Attempt+1 >= MaxAttempts {
		log.Warn().Int("attempt", job.Attempt).Int("undelivered", len(res.Retry)).Str("messageId", job.MessageID).Msg("attempts used up: left to the queue")
		return false
	}
	next := job
	next.Attempt++
	jobs, err := fanoutqueue.Split(next, res.Retry)
	if err == nil {
		err = h.Queue.Enqueue(ctx, jobs, backoff(next.Attempt))
	}
	if err != nil {
		log.Error().Err(err).Int("undelivered", len(res.Retry)).Msg("queue undelivered: the whole job goes again")
		return false
	}
	return true
}
