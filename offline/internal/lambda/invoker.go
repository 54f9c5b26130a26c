// Package lambda is the Lambda service's side of an invocation, for API
// Gateway and for event source mappings alike: it makes the tracing
// decision, runs the function in the local runtime (lambdaruntime) and
// records the function's segment of a traced invocation, so the function's
// own subsegments hang under it.
package lambda

import (
	"context"
	"fmt"
	"sync"
	"time"

	"wsapi/offline/internal/lambdaruntime"
	"wsapi/offline/internal/xraydaemon"
)

// Function is what the service needs to know of a deployed function.
type Function struct {
	Name    string // its deployed name, as the runtime knows it
	Tracing string // TracingConfig.Mode: Active or PassThrough
}

// Runtime runs an invocation; *lambdaruntime.Runtime is one.
type Runtime interface {
	Invoke(ctx context.Context, function string, payload []byte, traceHeader string) (*lambdaruntime.Result, error)
}

// Recorder takes a finished segment; *xraydaemon.Daemon is one.
type Recorder interface {
	Record(xraydaemon.Segment) error
}

// Invoker invokes functions by the key the gateway's routes and the event
// source mappings name them by. It is safe for concurrent use.
type Invoker struct {
	runtime Runtime
	xray    Recorder
	sampler *xraydaemon.Sampler

	mu        sync.RWMutex
	functions map[string]Function
}

// New returns an Invoker with no functions.
func New(rt Runtime, xray Recorder, sampler *xraydaemon.Sampler) *Invoker {
	return &Invoker{runtime: rt, xray: xray, sampler: sampler, functions: map[string]Function{}}
}

// Set makes key invoke fn.
func (s *Invoker) Set(key string, fn Function) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.functions[key] = fn
}

// Remove makes key invoke nothing: the function is no longer deployed.
func (s *Invoker) Remove(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.functions, key)
}

// InvokeFor runs the function known as key with payload, for a route or an
// event source mapping (route), as Lambda's Invoke API would for it.
func (s *Invoker) InvokeFor(ctx context.Context, key, route string, payload []byte) ([]byte, error) {
	s.mu.RLock()
	fn, ok := s.functions[key]
	s.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("function %s is not deployed", key)
	}
	// Active tracing samples by Lambda's rule; PassThrough traces only what
	// an upstream traced, and API Gateway WebSocket APIs trace nothing.
	sampled := fn.Tracing == "Active" && s.sampler.Sample(fn.Name)
	header, traceID, segmentID := xraydaemon.NewTraceHeader(sampled)
	start := time.Now()
	res, err := s.runtime.Invoke(ctx, fn.Name, payload, header)
	if err != nil {
		return nil, err
	}
	if sampled {
		seg := xraydaemon.Segment{
			TraceID: traceID, ID: segmentID, Name: fn.Name,
			Start: start, End: start.Add(time.Since(start)),
			Annotations: map[string]any{"route": route, "requestId": res.RequestID},
		}
		if res.Err != nil {
			seg.Fault, seg.Cause = true, res.Err.Error()
		}
		_ = s.xray.Record(seg) // Only a malformed segment is refused, and this one is whole.
	}
	if res.Err != nil {
		return nil, res.Err
	}
	return res.Payload, nil
}
