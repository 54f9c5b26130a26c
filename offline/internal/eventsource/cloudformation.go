package eventsource

import (
	"slices"
	"strings"
	"time"

	"wsapi/offline/internal/cloudformation"
	"wsapi/offline/internal/sqslocal"
)

// ResourceTypes are the resource types eventsource reads.
var ResourceTypes = []string{"AWS::Lambda::EventSourceMapping"}

// MappingResource is an AWS::Lambda::EventSourceMapping of a template, from
// one of its queues to a function, with Lambda's defaults filled in.
type MappingResource struct {
	LogicalID string
	Queue     string // a QueueResource's LogicalID
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

// ReadMappings reads the mappings from the template's queues, sorted by
// logical id, and makes their functions served, as a route's are.
func ReadMappings(t *cloudformation.Template) []MappingResource {
	var mappings []MappingResource
	for _, id := range t.OfType("AWS::Lambda::EventSourceMapping") {
		p := t.Properties(id)
		source := cloudformation.String(p["EventSourceArn"])
		if !strings.HasPrefix(source, "arn:") || !strings.Contains(source, ":sqs:") {
			t.Warnf(id, "event source %s is not emulated: only queues of the template are polled", source)
			continue
		}
		queue, ok := sqslocal.QueueByARN(t, source)
		if !ok {
			t.Warnf(id, "event source %s is no queue of this template: not polled", source)
			continue
		}
		fnID, ok := mappingFunction(t, cloudformation.String(p["FunctionName"]))
		if !ok {
			t.Warnf(id, "FunctionName %s is no function of this template: not polled", cloudformation.String(p["FunctionName"]))
			continue
		}
		m := MappingResource{
			LogicalID:      id,
			Queue:          queue,
			BatchSize:      defaultBatchSize,
			BatchingWindow: cloudformation.Seconds(p["MaximumBatchingWindowInSeconds"], 0),
			Enabled:        true,
		}
		if n, ok := cloudformation.Int(p["BatchSize"]); ok {
			m.BatchSize = n
		}
		if on, ok := p["Enabled"].(bool); ok {
			m.Enabled = on
		} else if s := cloudformation.String(p["Enabled"]); s != "" {
			m.Enabled = s == "true"
		}
		if sc, ok := p["ScalingConfig"].(map[string]any); ok {
			m.MaximumConcurrency, _ = cloudformation.Int(sc["MaximumConcurrency"])
		}
		m.ReportBatchItemFailures = slices.Contains(cloudformation.Strings(p["FunctionResponseTypes"]), "ReportBatchItemFailures")
		// Lambda refuses these when the mapping is created.
		switch {
		case m.BatchSize < 1 || m.BatchSize > 10000:
			t.Warnf(id, "BatchSize %d is outside 1 to 10000: not polled", m.BatchSize)
			continue
		case m.BatchSize > 10 && m.BatchingWindow < time.Second:
			t.Warnf(id, "BatchSize %d over 10 needs a MaximumBatchingWindowInSeconds of at least 1: not polled", m.BatchSize)
			continue
		case m.BatchingWindow > 300*time.Second:
			t.Warnf(id, "MaximumBatchingWindowInSeconds over 300: not polled")
			continue
		case m.MaximumConcurrency != 0 && (m.MaximumConcurrency < 2 || m.MaximumConcurrency > 1000):
			t.Warnf(id, "ScalingConfig.MaximumConcurrency %d is outside 2 to 1000: not polled", m.MaximumConcurrency)
			continue
		}
		key, ok := t.ServeFunction(fnID)
		if !ok {
			continue
		}
		m.Function = key
		mappings = append(mappings, m)
	}
	return mappings
}

// mappingFunction finds the function a mapping's FunctionName names: its
// name, its ARN, or its ARN with a version or alias.
func mappingFunction(t *cloudformation.Template, name string) (string, bool) {
	if id, ok := t.FunctionByARN(t.FunctionARN(name)); ok {
		return id, true
	}
	if i := strings.LastIndex(name, ":"); i > 0 && strings.Count(name, ":") == 7 {
		return t.FunctionByARN(name[:i])
	}
	return "", false
}

// MappingOf is what a template's mapping polls; false when the mapping is
// disabled or its queue is not in queues.
func MappingOf(m MappingResource, queues []sqslocal.QueueResource, region string) (Mapping, bool) {
	i := slices.IndexFunc(queues, func(q sqslocal.QueueResource) bool { return q.LogicalID == m.Queue })
	if i < 0 || !m.Enabled {
		return Mapping{}, false
	}
	q := queues[i]
	return Mapping{
		ID: m.LogicalID, Queue: q.Name, QueueARN: q.ARN, Region: region, Function: m.Function,
		BatchSize: m.BatchSize, BatchingWindow: m.BatchingWindow,
		MaximumConcurrency: m.MaximumConcurrency, ReportBatchItemFailures: m.ReportBatchItemFailures,
	}, true
}
