package sqslocal

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
)

// Endpoint serves a Server's queues over SQS's JSON protocol on a loopback
// port of its own, which it opens with the first queue, at the start or at
// a reload alike, as dynamolocal's Endpoint starts with the first table.
type Endpoint struct {
	Server *Server
	// Started is called once the queues are served, with their endpoint.
	Started func(endpoint string)

	http     *http.Server
	endpoint string
}

// Set creates or changes a queue, serving the queues first if they are
// not yet; it returns the endpoint functions reach SQS at.
func (q *Endpoint) Set(_ context.Context, spec QueueSpec) (string, error) {
	if q.http == nil {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", fmt.Errorf("serving SQS: %w", err)
		}
		q.http = &http.Server{Handler: q.Server}
		go func() { _ = q.http.Serve(ln) }() // Serve returns ErrServerClosed at Close.
		q.endpoint = "http://" + ln.Addr().String()
		if q.Started != nil {
			q.Started(q.endpoint)
		}
	}
	q.Server.Set(spec)
	return q.endpoint, nil
}

// Remove deletes a queue and its messages.
func (q *Endpoint) Remove(name string) { q.Server.Remove(name) }

// Close ends the long polls in progress and stops serving.
func (q *Endpoint) Close() error {
	q.Server.Close()
	if q.http == nil {
		return nil
	}
	if err := q.http.Close(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
