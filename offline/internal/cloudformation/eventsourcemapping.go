package cloudformation

import (
	"slices"
	"strings"
	"time"
)

// EventSourceMapping is an AWS::Lambda::EventSourceMapping from a queue of
// the template to a function, with Lambda's defaults filled in.
type EventSourceMapping struct {
	LogicalID string
	Queue     string // a Queue's LogicalID
	Function  string // a Function's Key
	// BatchSize is 10 unless set; BatchingWindow is
	// MaximumBatchingWindowInSeconds.
	BatchSize      int
	BatchingWindow time.Duration
	// MaximumConcurrency is ScalingConfig.MaximumConcurrency, 0 when unset.
	MaximumConcurrency int
	// ReportBatchItemFailures is set by FunctionResponseTypes.
	ReportBatchItemFailures bool
	Enabled                 bool
}

const defaultBatchSize = 10

// eventSourceMappings reads the mappings from the template's queues, and
// makes their functions served, as a route's are; queues are read first.
func (rd *reading) eventSourceMappings() {
	for _, id := range sortedKeys(rd.res) {
		res := rd.res[id]
		if res.Type != "AWS::Lambda::EventSourceMapping" {
			continue
		}
		p := res.Properties
		source := str(p["EventSourceArn"])
		if !strings.HasPrefix(source, "arn:") || !strings.Contains(source, ":sqs:") {
			rd.warnf(id, "event source %s is not emulated: only queues of the template are polled", source)
			continue
		}
		queue, ok := rd.queueByARN(source)
		if !ok {
			rd.warnf(id, "event source %s is no queue of this template: not polled", source)
			continue
		}
		fnID, ok := rd.mappingFunction(str(p["FunctionName"]))
		if !ok {
			rd.warnf(id, "FunctionName %s is no function of this template: not polled", str(p["FunctionName"]))
			continue
		}
		m := EventSourceMapping{
			LogicalID:      id,
			Queue:          queue,
			BatchSize:      defaultBatchSize,
			BatchingWindow: seconds(p["MaximumBatchingWindowInSeconds"], 0),
			Enabled:        true,
		}
		if n, ok := number(p["BatchSize"]); ok {
			m.BatchSize = n
		}
		if on, ok := p["Enabled"].(bool); ok {
			m.Enabled = on
		} else if s := str(p["Enabled"]); s != "" {
			m.Enabled = s == "true"
		}
		if sc, ok := p["ScalingConfig"].(map[string]any); ok {
			m.MaximumConcurrency, _ = number(sc["MaximumConcurrency"])
		}
		m.ReportBatchItemFailures = slices.Contains(strs(p["FunctionResponseTypes"]), "ReportBatchItemFailures")
		// Lambda refuses these when the mapping is created.
		switch {
		case m.BatchSize < 1 || m.BatchSize > 10000:
			rd.warnf(id, "BatchSize %d is outside 1 to 10000: not polled", m.BatchSize)
			continue
		case m.BatchSize > 10 && m.BatchingWindow < time.Second:
			rd.warnf(id, "BatchSize %d over 10 needs a MaximumBatchingWindowInSeconds of at least 1: not polled", m.BatchSize)
			continue
		case m.BatchingWindow > 300*time.Second:
			rd.warnf(id, "MaximumBatchingWindowInSeconds over 300: not polled")
			continue
		case m.MaximumConcurrency != 0 && (m.MaximumConcurrency < 2 || m.MaximumConcurrency > 1000):
			rd.warnf(id, "ScalingConfig.MaximumConcurrency %d is outside 2 to 1000: not polled", m.MaximumConcurrency)
			continue
		}
		key, ok := rd.add(fnID)
		if !ok {
			continue
		}
		m.Function = key
		rd.s.EventSourceMappings = append(rd.s.EventSourceMappings, m)
	}
}

// mappingFunction finds the function a mapping's FunctionName names: its
// name, its ARN, or its ARN with a version or alias.
func (rd *reading) mappingFunction(name string) (string, bool) {
	if id, ok := rd.byARN[rd.r.functionARN(name)]; ok {
		return id, true
	}
	if i := strings.LastIndex(name, ":"); i > 0 && strings.Count(name, ":") == 7 {
		id, ok := rd.byARN[name[:i]]
		return id, ok
	}
	return "", false
}
