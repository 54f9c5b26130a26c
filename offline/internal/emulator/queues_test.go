package emulator

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"

	"wsapi/offline/internal/cloudformation"
	"wsapi/offline/internal/deploy"
	"wsapi/offline/internal/eventsource"
	"wsapi/offline/internal/lambdaruntime"
	"wsapi/offline/internal/sqslocal"
)

type fakeQueues struct{ calls *calls }

func (q fakeQueues) Set(_ context.Context, spec sqslocal.QueueSpec) (string, error) {
	q.calls.add("Set queue " + spec.Name + " DLQ " + spec.DeadLetterQueue)
	return "http://127.0.0.1:9324", nil
}
func (q fakeQueues) Remove(name string) { q.calls.add("Remove queue " + name) }
func (q fakeQueues) Close() error {
	q.calls.add("Close queues")
	return nil
}

type fakeMappings struct{ calls *calls }

func (m fakeMappings) Set(mp eventsource.Mapping) {
	m.calls.add("Poll " + mp.ID + " " + mp.Queue + "→" + mp.Function)
}
func (m fakeMappings) Remove(id string) { m.calls.add("Stop polling " + id) }
func (m fakeMappings) Close()           { m.calls.add("Close mappings") }

// withQueue is svc with a worker function fed by a queue that has a
// dead-letter queue.
func withQueue(svc *deploy.Service) *deploy.Service {
	svc.Functions["worker"] = cloudformation.Function{Key: "worker", Name: "svc-worker", Bootstrap: "/bin/worker"}
	svc.Queues = []sqslocal.QueueResource{
		{LogicalID: "DLQ", Name: "svc-dlq"},
		{LogicalID: "Jobs", Name: "svc-jobs", DeadLetterQueue: "DLQ", MaxReceiveCount: 5},
	}
	svc.EventSourceMappings = []eventsource.MappingResource{
		{LogicalID: "WorkerMapping", Queue: "Jobs", Function: "worker", BatchSize: 5, Enabled: true},
	}
	return svc
}

func TestApplyQueuesAndMappings(t *testing.T) {
	base := func() *deploy.Service {
		return service(map[string]string{"hello": "svc-hello"}, map[string]string{"hello": "hello"})
	}
	disabled := withQueue(base())
	disabled.EventSourceMappings[0].Enabled = false
	tests := []struct {
		name     string
		old, new *deploy.Service
		want     []string
	}{
		{
			name: "first start: queues before functions, mappings after them",
			new:  withQueue(base()),
			want: []string{
				"Set queue svc-dlq DLQ ", "Set queue svc-jobs DLQ svc-dlq",
				"Add svc-hello", "Set hello", "Add svc-worker", "Set worker",
				"Poll WorkerMapping svc-jobs→worker",
				"SetRoutes hello→hello",
			},
		},
		{
			name: "the first queue at a reload redeploys every function with the SQS endpoint",
			old:  base(),
			new:  withQueue(base()),
			want: []string{
				"Set queue svc-dlq DLQ ", "Set queue svc-jobs DLQ svc-dlq",
				"Replace svc-hello", "Set hello", "Add svc-worker", "Set worker",
				"Poll WorkerMapping svc-jobs→worker",
			},
		},
		{
			name: "queues and mapping removed: polling stops, then the worker, then the queues",
			old:  withQueue(base()),
			new:  base(),
			want: []string{
				"Stop polling WorkerMapping",
				"Forget worker", "Remove svc-worker", "Close log worker",
				"Remove queue svc-dlq", "Remove queue svc-jobs",
			},
		},
		{
			name: "a mapping disabled stops polling",
			old:  withQueue(base()),
			new:  disabled,
			want: []string{"Stop polling WorkerMapping"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c calls
			rt := &fakeRuntime{calls: &c, fns: map[string]lambdaruntime.Function{}}
			s := applied(t, &c, rt, tt.old, DeployConfig{Queues: fakeQueues{&c}, Mappings: fakeMappings{&c}})
			if _, err := s.Apply(t.Context(), tt.old, tt.new); err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if !slices.Equal(c, tt.want) {
				t.Errorf("calls:\n  %s\nwant:\n  %s", strings.Join(c, "\n  "), strings.Join(tt.want, "\n  "))
			}
			for key, fn := range tt.new.Functions {
				got := rt.fns[fn.Name].Env["AWS_ENDPOINT_URL_SQS"]
				want := ""
				if len(tt.new.Queues) > 0 || tt.old != nil && len(tt.old.Queues) > 0 {
					want = "http://127.0.0.1:9324"
				}
				if got != want {
					t.Errorf("%s deployed with AWS_ENDPOINT_URL_SQS %q, want %q", key, got, want)
				}
			}
		})
	}
}

func TestCloseStopsPollingBeforeTheFunctionsAndTheQueues(t *testing.T) {
	var c calls
	rt := &fakeRuntime{calls: &c, fns: map[string]lambdaruntime.Function{}}
	s := NewDeployment(DeployConfig{
		Runtime: rt, Invoker: fakeInvoker{&c}, Router: fakeRouter{&c},
		Queues: fakeQueues{&c}, Mappings: fakeMappings{&c},
		OpenLog: func(key string) (io.WriteCloser, error) { return fakeLog{Writer: io.Discard, calls: &c, key: key}, nil },
	})
	if _, err := s.Apply(t.Context(), nil, withQueue(service(map[string]string{}, nil))); err != nil {
		t.Fatal(err)
	}
	c = nil
	if err := s.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	want := []string{"Close mappings", "Close runtime", "Close queues", "Close log worker"}
	if !slices.Equal(c, want) {
		t.Errorf("Close calls %v, want %v", c, want)
	}
}
