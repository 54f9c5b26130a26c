package sqslocal

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Options place the queues, as their URLs and ARNs name them.
type Options struct {
	Region, AccountID string
	// OnMoved, if set, is told of every message moved to a dead-letter
	// queue; it is called outside the server's lock.
	OnMoved func(Moved)
}

// Server is an http.Handler serving SQS's JSON protocol for the queues Set
// on it. It is safe for concurrent use.
type Server struct {
	opts Options
	done chan struct{} // closed by Close, ending long polls
	once sync.Once

	mu     sync.Mutex
	queues map[string]*queue
}

// New returns a Server with no queues.
func New(opts Options) *Server {
	return &Server{opts: opts, done: make(chan struct{}), queues: map[string]*queue{}}
}

// URL is the queue URL of name, as Ref of an AWS::SQS::Queue gives it.
func (s *Server) URL(name string) string {
	return fmt.Sprintf("https://sqs.%s.amazonaws.com/%s/%s", s.opts.Region, s.opts.AccountID, name)
}

// ARN is the queue ARN of name.
func (s *Server) ARN(name string) string {
	return fmt.Sprintf("arn:aws:sqs:%s:%s:%s", s.opts.Region, s.opts.AccountID, name)
}

// Set creates the queue spec names, or changes its configuration; the
// messages of a queue that exists are kept.
func (s *Server) Set(spec QueueSpec) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if q, ok := s.queues[spec.Name]; ok {
		q.spec = spec.withDefaults()
		return
	}
	s.queues[spec.Name] = newQueue(spec, s.ARN(spec.Name))
}

// Remove deletes a queue and its messages.
func (s *Server) Remove(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if q, ok := s.queues[name]; ok {
		q.signal()
		delete(s.queues, name)
	}
}

// Close ends the long polls in progress: they answer with what they have.
func (s *Server) Close() { s.once.Do(func() { close(s.done) }) }

// operations by the name X-Amz-Target gives after "AmazonSQS.".
var operations = map[string]func(*Server, context.Context, []byte) (any, *apiError){
	"SendMessage":             (*Server).sendMessage,
	"SendMessageBatch":        (*Server).sendMessageBatch,
	"ReceiveMessage":          (*Server).receiveMessage,
	"DeleteMessage":           (*Server).deleteMessage,
	"DeleteMessageBatch":      (*Server).deleteMessageBatch,
	"ChangeMessageVisibility": (*Server).changeMessageVisibility,
	"GetQueueUrl":             (*Server).getQueueURL,
	"GetQueueAttributes":      (*Server).getQueueAttributes,
}

// maxRequestBody bounds what is read of a request: a batch at the largest
// message size a queue can take, with its JSON framing.
const maxRequestBody = 2 << 20

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AmazonSQS.")
	op := operations[name]
	if r.Method != http.MethodPost || !ok || op == nil {
		writeError(w, errorf("InvalidAction", "", "The action %q is not valid for this endpoint: the local SQS serves %s over the JSON protocol",
			r.Header.Get("X-Amz-Target"), strings.Join(sortedOperations(), ", ")))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil {
		writeError(w, errorf("InvalidParameterValue", "", "reading the request: %v", err))
		return
	}
	if len(body) > maxRequestBody {
		writeError(w, errorf("BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong", "the request is over %d bytes", maxRequestBody))
		return
	}
	out, apiErr := op(s, r.Context(), body)
	if apiErr != nil {
		writeError(w, apiErr)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// writeJSON answers with a Content-Length and no trailing newline: the SDK
// stops reading at the end of the JSON document, and a chunked body it did
// not drain costs the connection, which it then retries a receive on.
func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		status, data = http.StatusInternalServerError, []byte(`{"__type":"com.amazonaws.sqs#InternalError","message":"encoding the response failed"}`)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	_, _ = w.Write(data) // The client is gone if this fails.
}

func sortedOperations() []string {
	names := make([]string, 0, len(operations))
	for n := range operations {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func decode(body []byte, in any) *apiError {
	if err := json.Unmarshal(body, in); err != nil {
		return errorf("InvalidParameterValue", "", "the request is not valid JSON for this operation: %v", err)
	}
	return nil
}

// queueName reads the queue a QueueUrl names: its last path segment, as
// SQS accepts any URL form that names the account and queue.
func queueName(url string) string {
	return url[strings.LastIndex(url, "/")+1:]
}

// lookup finds a queue; the caller holds s.mu.
func (s *Server) lookup(url string) (*queue, *apiError) {
	if url == "" {
		return nil, errorf("MissingParameter", "", "The request must contain the parameter QueueUrl.")
	}
	q, ok := s.queues[queueName(url)]
	if !ok {
		return nil, noQueue(url)
	}
	return q, nil
}

func (s *Server) notify(moved []Moved) {
	if s.opts.OnMoved == nil {
		return
	}
	for _, m := range moved {
		s.opts.OnMoved(m)
	}
}
