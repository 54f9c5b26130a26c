package changeset

import (
	"maps"
	"testing"
	"time"

	"wsapi/offline/internal/cloudformation"
	"wsapi/offline/internal/deploy"
	"wsapi/offline/internal/dynamolocal"
	"wsapi/offline/internal/eventsource"
	"wsapi/offline/internal/gateway"
	"wsapi/offline/internal/sqslocal"
)

func service() *deploy.Service {
	return &deploy.Service{
		RouteSelectionExpression: "$request.body.action",
		Routes: map[string]gateway.Route{
			"$connect": {Function: "onconnect",
				Authorizer: &gateway.Authorizer{Function: "authorizer", IdentitySource: []string{"route.request.querystring.token"}}},
			"hello": {Function: "hello"},
		},
		Functions: map[string]cloudformation.Function{
			"onconnect":  {Key: "onconnect", Name: "svc-onconnect", Timeout: 3 * time.Second, MemoryMB: 128},
			"authorizer": {Key: "authorizer", Name: "svc-authorizer", Timeout: 3 * time.Second, MemoryMB: 128},
			"hello": {Key: "hello", Name: "svc-hello", Env: map[string]string{"GREETING": "hello"},
				Timeout: 3 * time.Second, MemoryMB: 128, Tracing: "Active", Bootstrap: "/bin/hello/bootstrap"},
		},
		Tables: []dynamolocal.TableResource{{LogicalID: "Connections", Properties: map[string]any{"TableName": "svc-connections"}}},
		Queues: []sqslocal.QueueResource{
			{LogicalID: "FanoutDLQ", Name: "svc-dlq", VisibilityTimeout: 30 * time.Second},
			{LogicalID: "FanoutQueue", Name: "svc-fanout", VisibilityTimeout: 60 * time.Second, DeadLetterQueue: "FanoutDLQ", MaxReceiveCount: 3},
		},
		EventSourceMappings: []eventsource.MappingResource{{LogicalID: "Fanout", Queue: "FanoutQueue", Function: "hello",
			BatchSize: 10, MaximumConcurrency: 5, ReportBatchItemFailures: true, Enabled: true}},
	}
}

func TestCompute(t *testing.T) {
	for _, tc := range []struct {
		name   string
		edit   func(s *deploy.Service)
		want   string
		empty  bool
		routes bool
	}{
		{"nothing", func(*deploy.Service) {}, "nothing served changed", true, false},
		{"route added", func(s *deploy.Service) {
			s.Routes["goodbye"] = gateway.Route{Function: "hello"}
		}, "route goodbye added", false, true},
		{"route removed", func(s *deploy.Service) { delete(s.Routes, "hello") }, "route hello removed", false, true},
		{"route to another function", func(s *deploy.Service) {
			s.Routes["hello"] = gateway.Route{Function: "onconnect"}
		}, "route hello changed", false, true},
		{"route response", func(s *deploy.Service) {
			s.Routes["hello"] = gateway.Route{Function: "hello", RouteResponse: true}
		}, "route hello changed", false, true},
		{"identity source", func(s *deploy.Service) {
			s.Routes["$connect"] = gateway.Route{Function: "onconnect",
				Authorizer: &gateway.Authorizer{Function: "authorizer", IdentitySource: []string{"route.request.header.Auth"}}}
		}, "route $connect changed", false, true},
		{"environment", func(s *deploy.Service) {
			fn := s.Functions["hello"]
			fn.Env = map[string]string{"GREETING": "hi"}
			s.Functions["hello"] = fn
		}, "function hello changed", false, false},
		{"timeout", func(s *deploy.Service) {
			edit(s, "hello", func(f *cloudformation.Function) { f.Timeout = 6 * time.Second })
		},
			"function hello changed", false, false},
		{"memory", func(s *deploy.Service) {
			edit(s, "hello", func(f *cloudformation.Function) { f.MemoryMB = 1024 })
		},
			"function hello changed", false, false},
		{"tracing", func(s *deploy.Service) {
			edit(s, "hello", func(f *cloudformation.Function) { f.Tracing = "PassThrough" })
		},
			"function hello changed", false, false},
		{"bootstrap", func(s *deploy.Service) {
			edit(s, "hello", func(f *cloudformation.Function) { f.Bootstrap = "/bin/hi/bootstrap" })
		},
			"function hello changed", false, false},
		{"function and its route added", func(s *deploy.Service) {
			s.Functions["goodbye"] = cloudformation.Function{Key: "goodbye", Name: "svc-goodbye"}
			s.Routes["goodbye"] = gateway.Route{Function: "goodbye"}
		}, "route goodbye added, function goodbye added", false, true},
		{"function removed with its route", func(s *deploy.Service) {
			delete(s.Functions, "hello")
			delete(s.Routes, "hello")
		}, "route hello removed, function hello removed", false, true},
		{"table added", func(s *deploy.Service) {
			s.Tables = append(s.Tables, dynamolocal.TableResource{LogicalID: "Rooms", Properties: map[string]any{"TableName": "svc-rooms"}})
		}, "table Rooms added", false, false},
		{"table changed", func(s *deploy.Service) {
			s.Tables = []dynamolocal.TableResource{{LogicalID: "Connections", Properties: map[string]any{"TableName": "svc-conns"}}}
		}, "table Connections changed", false, false},
		{"queue added", func(s *deploy.Service) {
			s.Queues = append(s.Queues, sqslocal.QueueResource{LogicalID: "Jobs", Name: "svc-jobs"})
		}, "queue Jobs added", false, false},
		{"queue's redrive changed", func(s *deploy.Service) { s.Queues[1].MaxReceiveCount = 5 },
			"queue FanoutQueue changed", false, false},
		{"queue removed with its mapping", func(s *deploy.Service) {
			s.Queues, s.EventSourceMappings = s.Queues[:1], nil
		}, "queue FanoutQueue removed, event source mapping Fanout removed", false, false},
		{"mapping's batch size", func(s *deploy.Service) { s.EventSourceMappings[0].BatchSize = 5 },
			"event source mapping Fanout changed", false, false},
		{"mapping disabled", func(s *deploy.Service) { s.EventSourceMappings[0].Enabled = false },
			"event source mapping Fanout changed", false, false},
		{"route selection", func(s *deploy.Service) { s.RouteSelectionExpression = "$request.body.type" },
			"route selection expression changed", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			old, new := service(), service()
			tc.edit(new)
			cs := Compute(old, new)
			if got := cs.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
			if cs.Empty() != tc.empty {
				t.Errorf("Empty() = %v, want %v", cs.Empty(), tc.empty)
			}
			if cs.RoutesChanged() != tc.routes {
				t.Errorf("RoutesChanged() = %v, want %v", cs.RoutesChanged(), tc.routes)
			}
		})
	}
}

func edit(s *deploy.Service, key string, f func(*cloudformation.Function)) {
	fn := s.Functions[key]
	fn.Env = maps.Clone(fn.Env)
	f(&fn)
	s.Functions[key] = fn
}

func TestComputeWarnings(t *testing.T) {
	old, new := service(), service()
	old.Warnings = []string{"SignedRoute: not served"}
	new.Warnings = []string{"SignedRoute: not served", "WebhookRoute: not served"}
	got := Compute(old, new).Warnings
	if len(got) != 1 || got[0] != "WebhookRoute: not served" {
		t.Errorf("Warnings = %q, want only the new one", got)
	}
}
