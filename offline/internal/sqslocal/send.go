package sqslocal

import (
	"context"
	"crypto/rand"
	"fmt"
	"regexp"
	"time"
	"unicode/utf8"
)

type sendEntry struct {
	ID                string `json:"Id"`
	MessageBody       *string
	DelaySeconds      *int
	MessageAttributes map[string]any
}

type sendOutput struct {
	ID               string `json:"Id,omitempty"`
	MessageID        string `json:"MessageId"`
	MD5OfMessageBody string
}

func (s *Server) sendMessage(_ context.Context, body []byte) (any, *apiError) {
	var in struct {
		QueueURL string `json:"QueueUrl"`
		sendEntry
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in.QueueURL)
	if err != nil {
		return nil, err
	}
	if err := q.validSend(in.sendEntry); err != nil {
		return nil, err
	}
	return s.send(q, in.sendEntry, time.Now()), nil
}

func (s *Server) sendMessageBatch(_ context.Context, body []byte) (any, *apiError) {
	var in struct {
		QueueURL string `json:"QueueUrl"`
		Entries  []sendEntry
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in.QueueURL)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(in.Entries))
	total := 0
	for i, e := range in.Entries {
		ids[i] = e.ID
		if e.MessageBody != nil {
			total += len(*e.MessageBody)
		}
	}
	if err := validBatch(ids); err != nil {
		return nil, err
	}
	if total > q.spec.MaxMessageSize {
		return nil, errorf("BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong",
			"Batch requests cannot be longer than %d bytes. You have sent %d bytes.", q.spec.MaxMessageSize, total)
	}
	out := batchOutput[sendOutput]{Successful: []sendOutput{}, Failed: []batchFailure{}}
	t := time.Now()
	for _, e := range in.Entries {
		if err := q.validSend(e); err != nil {
			out.Failed = append(out.Failed, failure(e.ID, err))
			continue
		}
		res := s.send(q, e, t)
		res.ID = e.ID
		out.Successful = append(out.Successful, res)
	}
	return out, nil
}

func (q *queue) validSend(e sendEntry) *apiError {
	if e.MessageBody == nil || *e.MessageBody == "" {
		return errorf("MissingParameter", "", "The request must contain the parameter MessageBody.")
	}
	if n := len(*e.MessageBody); n > q.spec.MaxMessageSize {
		return invalidParameter("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", q.spec.MaxMessageSize)
	}
	if !validContents(*e.MessageBody) {
		return errorf("InvalidMessageContents", "", "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF")
	}
	if e.DelaySeconds != nil && (*e.DelaySeconds < 0 || *e.DelaySeconds > 900) {
		return invalidParameter("Value %d for parameter DelaySeconds is invalid. Reason: must be between 0 and 900, if provided.", *e.DelaySeconds)
	}
	return nil
}

// validContents applies SQS's allowed characters for a message body.
func validContents(body string) bool {
	if !utf8.ValidString(body) {
		return false
	}
	for _, r := range body {
		switch {
		case r == 0x9 || r == 0xA || r == 0xD,
			r >= 0x20 && r <= 0xD7FF,
			r >= 0xE000 && r <= 0xFFFD,
			r >= 0x10000 && r <= 0x10FFFF:
		default:
			return false
		}
	}
	return true
}

// send enqueues a valid entry; the caller holds s.mu.
func (s *Server) send(q *queue, e sendEntry, t time.Time) sendOutput {
	m := &message{
		id:         messageID(),
		body:       *e.MessageBody,
		attributes: e.MessageAttributes,
		sent:       t,
		index:      -1,
	}
	m.md5 = md5Hex(m.body)
	delay := q.spec.Delay
	if e.DelaySeconds != nil {
		delay = time.Duration(*e.DelaySeconds) * time.Second
	}
	q.add(m, t, delay)
	return sendOutput{MessageID: m.id, MD5OfMessageBody: m.md5}
}

// messageID is a random UUID, as SQS's message ids are.
func messageID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read does not fail
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

type batchOutput[T any] struct {
	Successful []T
	Failed     []batchFailure
}

type batchFailure struct {
	ID          string `json:"Id"`
	SenderFault bool
	Code        string
	Message     string
}

func failure(id string, err *apiError) batchFailure {
	return batchFailure{ID: id, SenderFault: true, Code: err.typ, Message: err.message}
}

var batchEntryID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// validBatch applies SQS's rules on a batch's entries and their ids.
func validBatch(ids []string) *apiError {
	switch {
	case len(ids) == 0:
		return errorf("EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest", "There should be at least one SendMessageBatchRequestEntry in the request.")
	case len(ids) > maxBatchEntries:
		return errorf("TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
			"Maximum number of entries per request are %d. You have sent %d.", maxBatchEntries, len(ids))
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if !batchEntryID.MatchString(id) {
			return errorf("InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId",
				"A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.")
		}
		if seen[id] {
			return errorf("BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Id %s repeated.", id)
		}
		seen[id] = true
	}
	return nil
}
