package main

import (
	"context"
	"time"

	"wsapi/offline/internal/lambdaruntime"
	"wsapi/offline/internal/xraydaemon"
)

// lambdaService invokes functions as the Lambda service does for API
// Gateway: it starts a trace, runs the function and records the function's
// segment, so the function's own subsegments hang under it.
type lambdaService struct {
	runtime *lambdaruntime.Runtime
	xray    *xraydaemon.Daemon // nil: no traces
	names   map[string]string  // function key -> deployed name
}

func (s *lambdaService) Invoke(ctx context.Context, function, route string, payload []byte) ([]byte, error) {
	name := s.names[function]
	header, traceID, segmentID := xraydaemon.NewTraceHeader()
	start := time.Now()
	res, err := s.runtime.Invoke(ctx, name, payload, header)
	if err != nil {
		return nil, err
	}
	if s.xray != nil {
		seg := xraydaemon.Segment{
			TraceID: traceID, ID: segmentID, Name: name,
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
