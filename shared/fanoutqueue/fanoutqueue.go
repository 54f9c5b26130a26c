// Package fanoutqueue hands a room's audience, too large to post to inside
// a route's 29 seconds, to the fan-out worker through Amazon SQS: the
// audience is split into jobs, one SQS message each, that the worker posts
// concurrently; what a worker cannot deliver yet comes back as a new job.
//
// A job is the SQS message body, JSON:
//
//	{"domainName":"abc.execute-api.ap-northeast-1.amazonaws.com","stage":"prod",
//	 "room":"lobby","messageId":"…","frame":"<base64 of the frame>",
//	 "connectionIds":["XDmENcnwIE0CFEQ=",…],"attempt":0}
//
// The frame is base64: SQS refuses some characters JSON may carry raw
// (U+FFFE, U+FFFF), and a frame is the client's text.
package fanoutqueue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// SQS's limits: a message, and all the messages of one SendMessageBatch
// together, at most 256 KiB; at most 10 messages a batch.
const (
	MaxMessageBytes = 256 << 10
	MaxBatchEntries = 10
)

// MaxIDsPerJob bounds a job's audience. A worker posts 25 at a time at
// some 25 ms a post, about 1,000 posts a second: a job of 1,000 takes about
// a second, so a worker's batch of 5 jobs ends well inside its 30-second
// timeout even with throttling retries, and a job redelivered after a crash
// repeats at most 1,000 posts. 1,000 ids of 16 characters are 19 KB; with
// the largest frame (128 KB, 171 KB as base64) a job stays under 256 KB.
const MaxIDsPerJob = 1000

// Job is one batch of an audience for the worker.
type Job struct {
	DomainName    string   `json:"domainName"`
	Stage         string   `json:"stage"`
	Room          string   `json:"room,omitempty"`
	MessageID     string   `json:"messageId"`
	Frame         []byte   `json:"frame"`
	ConnectionIDs []string `json:"connectionIds"`
	// Attempt counts the times this audience came back to the queue.
	Attempt int `json:"attempt,omitempty"`
}

// Split returns base's audience ids as jobs of at most MaxIDsPerJob ids,
// each encoding to at most MaxMessageBytes.
func Split(base Job, ids []string) ([]Job, error) {
	base.ConnectionIDs = []string{}
	empty, err := json.Marshal(base)
	if err != nil {
		return nil, err
	}
	var jobs []Job
	var cur []string
	size := len(empty)
	for _, id := range ids {
		quoted, _ := json.Marshal(id)
		add := len(quoted) + 1 // and a comma
		if len(empty)+add > MaxMessageBytes {
			return nil, fmt.Errorf("fanoutqueue: connection id of %d bytes cannot fit a job with a %d-byte frame", len(id), len(base.Frame))
		}
		if len(cur) == MaxIDsPerJob || size+add > MaxMessageBytes {
			j := base
			j.ConnectionIDs = cur
			jobs = append(jobs, j)
			cur, size = nil, len(empty)
		}
		cur = append(cur, id)
		size += add
	}
	if len(cur) > 0 {
		j := base
		j.ConnectionIDs = cur
		jobs = append(jobs, j)
	}
	return jobs, nil
}

// Decode reads a job from an SQS message body.
func Decode(body string) (Job, error) {
	var j Job
	if err := json.Unmarshal([]byte(body), &j); err != nil {
		return Job{}, fmt.Errorf("fanoutqueue: job: %w", err)
	}
	if j.DomainName == "" || j.Stage == "" || len(j.Frame) == 0 || len(j.ConnectionIDs) == 0 {
		return Job{}, errors.New("fanoutqueue: job without domainName, stage, frame or connectionIds")
	}
	return j, nil
}

// API is the part of the SQS API the queue uses.
type API interface {
	SendMessageBatch(ctx context.Context, params *sqs.SendMessageBatchInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error)
}

// Queue is the fan-out queue.
type Queue struct {
	api API
	url string
}

// New returns the queue at url (FANOUT_QUEUE_URL).
func New(api API, url string) *Queue { return &Queue{api: api, url: url} }

// NewFromConfig returns the queue at url through the SQS client of cfg,
// which finds the endpoint as the SDK does (AWS_ENDPOINT_URL_SQS offline).
func NewFromConfig(cfg aws.Config, url string) *Queue {
	c := sqs.NewFromConfig(cfg)
	// A method value, not the client: see registry.NewFromConfig.
	return New(sendBatch(c.SendMessageBatch), url)
}

type sendBatch func(context.Context, *sqs.SendMessageBatchInput, ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error)

func (f sendBatch) SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, o ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	return f(ctx, in, o...)
}

// batchesInFlight bounds the SendMessageBatch calls one Enqueue makes at once.
const batchesInFlight = 4

// sendAttempts is how often an entry SQS failed on its side is sent.
const sendAttempts = 3

// Enqueue sends jobs, each visible to the worker after delay (at most SQS's
// 15 minutes), in as few SendMessageBatch calls as SQS's limits allow. It
// returns an error if any job could not be sent; the others are sent.
func (q *Queue) Enqueue(ctx context.Context, jobs []Job, delay time.Duration) error {
	bodies := make([]string, len(jobs))
	for i, j := range jobs {
		b, err := json.Marshal(j)
		if err != nil {
			return fmt.Errorf("fanoutqueue: encode job: %w", err)
		}
		if len(b) > MaxMessageBytes {
			return fmt.Errorf("fanoutqueue: job of %d bytes, over SQS's %d", len(b), MaxMessageBytes)
		}
		bodies[i] = string(b)
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		errs  []error
		slots = make(chan struct{}, batchesInFlight)
	)
	for _, batch := range Batches(bodies) {
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			if err := q.send(ctx, batch, delay); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Batches groups bodies into SendMessageBatch calls: at most
// MaxBatchEntries bodies and MaxMessageBytes together in each.
func Batches(bodies []string) [][]string {
	var out [][]string
	var cur []string
	size := 0
	for _, b := range bodies {
		if len(cur) == MaxBatchEntries || (len(cur) > 0 && size+len(b) > MaxMessageBytes) {
			out = append(out, cur)
			cur, size = nil, 0
		}
		cur = append(cur, b)
		size += len(b)
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

func (q *Queue) send(ctx context.Context, bodies []string, delay time.Duration) error {
	pending := map[string]string{}
	for i, b := range bodies {
		pending[strconv.Itoa(i)] = b
	}
	for attempt := 1; ; attempt++ {
		in := &sqs.SendMessageBatchInput{QueueUrl: aws.String(q.url)}
		for id, b := range pending {
			in.Entries = append(in.Entries, types.SendMessageBatchRequestEntry{
				Id: aws.String(id), MessageBody: aws.String(b), DelaySeconds: int32(min(delay, 15*time.Minute) / time.Second),
			})
		}
		out, err := q.api.SendMessageBatch(ctx, in)
		if err != nil {
			return fmt.Errorf("fanoutqueue: send %d jobs: %w", len(pending), err)
		}
		failed := map[string]string{}
		for _, f := range out.Failed {
			id := aws.ToString(f.Id)
			if f.SenderFault || attempt == sendAttempts {
				return fmt.Errorf("fanoutqueue: job refused: %s: %s", aws.ToString(f.Code), aws.ToString(f.Message))
			}
			failed[id] = pending[id]
		}
		if len(failed) == 0 {
			return nil
		}
		pending = failed
	}
}
