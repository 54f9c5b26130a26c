package lambda

import (
	"context"
	"errors"
	"strings"
	"testing"

	"wsapi/offline/internal/lambdaruntime"
	"wsapi/offline/internal/xraydaemon"
)

type fakeRuntime struct {
	header string
	result *lambdaruntime.Result
}

func (f *fakeRuntime) Invoke(_ context.Context, _ string, _ []byte, header string) (*lambdaruntime.Result, error) {
	f.header = header
	return f.result, nil
}

type recorder []xraydaemon.Segment

func (r *recorder) Record(s xraydaemon.Segment) error {
	*r = append(*r, s)
	return nil
}

func TestInvoke(t *testing.T) {
	tests := []struct {
		name     string
		tracing  string
		fail     bool
		segments int
		sampled  string // in the trace header the function gets
	}{
		{"active: traced, its segment recorded", "Active", false, 1, "Sampled=1"},
		{"pass-through: API Gateway sends no trace", "PassThrough", false, 0, "Sampled=0"},
		{"a failure is the segment's fault", "Active", true, 1, "Sampled=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := &lambdaruntime.Result{RequestID: "r-1", Payload: []byte(`{"statusCode":200}`)}
			if tt.fail {
				res = &lambdaruntime.Result{RequestID: "r-1", Err: &lambdaruntime.FunctionError{Type: "Runtime.ExitError", Message: "boom"}}
			}
			rt, rec := &fakeRuntime{result: res}, &recorder{}
			s := New(rt, rec, &xraydaemon.Sampler{All: true})
			s.Set("hello", Function{Name: "svc-hello", Tracing: tt.tracing})
			out, err := s.InvokeFor(t.Context(), "hello", "hello", []byte(`{}`))
			if tt.fail != (err != nil) || (!tt.fail && string(out) != `{"statusCode":200}`) {
				t.Errorf("Invoke = %s, %v", out, err)
			}
			if !strings.Contains(rt.header, tt.sampled) {
				t.Errorf("trace header %q, want %s", rt.header, tt.sampled)
			}
			if len(*rec) != tt.segments {
				t.Fatalf("%d segments recorded, want %d", len(*rec), tt.segments)
			}
			if tt.segments == 1 {
				seg := (*rec)[0]
				if seg.Name != "svc-hello" || seg.Annotations["route"] != "hello" || seg.Annotations["requestId"] != "r-1" || seg.Fault != tt.fail {
					t.Errorf("segment %+v", seg)
				}
			}
		})
	}
	_, err := New(&fakeRuntime{}, &recorder{}, &xraydaemon.Sampler{}).InvokeFor(t.Context(), "nothing", "x", nil)
	if err == nil || errors.Is(err, context.Canceled) {
		t.Errorf("Invoke of an unknown function: %v, want an error naming it", err)
	}
}

func TestRemoveForgetsTheFunction(t *testing.T) {
	rt := &fakeRuntime{result: &lambdaruntime.Result{Payload: []byte(`{}`)}}
	s := New(rt, &recorder{}, &xraydaemon.Sampler{})
	s.Set("hello", Function{Name: "svc-hello"})
	if _, err := s.InvokeFor(t.Context(), "hello", "hello", nil); err != nil {
		t.Fatalf("Invoke before Remove: %v", err)
	}
	s.Remove("hello")
	if _, err := s.InvokeFor(t.Context(), "hello", "hello", nil); err == nil || !strings.Contains(err.Error(), "hello is not deployed") {
		t.Errorf("Invoke after Remove: %v, want hello is not deployed", err)
	}
}
