package main

import (
	"context"
	"time"

	"wsapi/offline/internal/lambdaruntime"
	"wsapi/offline/internal/slsconfig"
	"wsapi/offline/internal/xraydaemon"
)

// lambdaService invokes functions as the Lambda service does for API
// Gateway: it makes the tracing decision, runs the function and records
// the function's segment of a traced invocation, so the function's own
// subsegments hang under it.
type lambdaService struct {
	runtime   *lambdaruntime.Runtime
	xray      *xraydaemon.Daemon
	sampler   *xraydaemon.Sampler
	functions map[string]*slsconfig.Function // by key
}

func (s *lambdaService) Invoke(ctx context.Context, function, route string, payload []byte) ([]byte, error) {
	fn := s.functions[function]
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
