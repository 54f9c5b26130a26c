package emulator

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"wsapi/offline/internal/cloudformation"
	"wsapi/offline/internal/deploy"
	"wsapi/offline/internal/dynamolocal"
	"wsapi/offline/internal/gateway"
	"wsapi/offline/internal/lambda"
	"wsapi/offline/internal/lambdaruntime"
)

// calls records every call the fakes get, in order, as "Add svc-hello".
type calls []string

func (c *calls) add(s string) { *c = append(*c, s) }

type fakeRuntime struct {
	calls *calls
	fail  string // a function name whose Add or Replace fails
	fns   map[string]lambdaruntime.Function
}

func (r *fakeRuntime) Add(fn lambdaruntime.Function) error {
	r.calls.add("Add " + fn.Name)
	if fn.Name == r.fail {
		return errors.New("boom")
	}
	r.fns[fn.Name] = fn
	return nil
}

func (r *fakeRuntime) Replace(_ context.Context, fn lambdaruntime.Function) error {
	r.calls.add("Replace " + fn.Name)
	if fn.Name == r.fail {
		return errors.New("boom")
	}
	r.fns[fn.Name] = fn
	return nil
}

func (r *fakeRuntime) Remove(_ context.Context, name string) error {
	r.calls.add("Remove " + name)
	delete(r.fns, name)
	return nil
}

func (r *fakeRuntime) Close(context.Context) error {
	r.calls.add("Close runtime")
	return nil
}

type fakeInvoker struct{ calls *calls }

func (i fakeInvoker) Set(key string, _ lambda.Function) { i.calls.add("Set " + key) }
func (i fakeInvoker) Remove(key string)                 { i.calls.add("Forget " + key) }

type fakeRouter struct{ calls *calls }

func (r fakeRouter) SetRoutes(_ string, routes map[string]gateway.Route) error {
	var keys []string
	for k, route := range routes {
		keys = append(keys, k+"→"+route.Function)
	}
	slices.Sort(keys)
	r.calls.add("SetRoutes " + strings.Join(keys, ","))
	return nil
}

type fakeTables struct{ calls *calls }

func (t fakeTables) Create(_ context.Context, tables []dynamolocal.TableResource) (string, error) {
	for _, tb := range tables {
		t.calls.add("Create " + tb.LogicalID)
	}
	return "http://127.0.0.1:4567", nil
}

// fakeLog is a function's log; closed says it was closed.
type fakeLog struct {
	io.Writer
	calls *calls
	key   string
}

func (l fakeLog) Close() error {
	l.calls.add("Close log " + l.key)
	return nil
}

func service(fns map[string]string, routes map[string]string, tables ...string) *deploy.Service {
	svc := &deploy.Service{
		RouteSelectionExpression: "$request.body.action",
		Functions:                map[string]cloudformation.Function{},
		Routes:                   map[string]gateway.Route{},
	}
	for key, name := range fns {
		svc.Functions[key] = cloudformation.Function{Key: key, Name: name, Bootstrap: "/bin/" + key, Env: map[string]string{"K": name}}
	}
	for key, fn := range routes {
		svc.Routes[key] = gateway.Route{Function: fn}
	}
	for _, id := range tables {
		svc.Tables = append(svc.Tables, dynamolocal.TableResource{LogicalID: id})
	}
	return svc
}

func TestApply(t *testing.T) {
	base := service(map[string]string{"hello": "svc-hello"}, map[string]string{"hello": "hello"})
	tests := []struct {
		name     string
		old, new *deploy.Service
		fail     string
		want     []string // calls, in order, after deploying old
		wantErr  string
	}{
		{
			name: "from nothing: tables, functions, routes",
			new: service(map[string]string{"hello": "svc-hello", "send": "svc-send"},
				map[string]string{"hello": "hello", "send": "send"}, "ConnectionsTable"),
			want: []string{"Create ConnectionsTable", "Add svc-hello", "Set hello", "Add svc-send", "Set send",
				"SetRoutes hello→hello,send→send"},
		},
		{
			name: "function added with its route",
			old:  base,
			new:  service(map[string]string{"hello": "svc-hello", "bye": "svc-bye"}, map[string]string{"hello": "hello", "bye": "bye"}),
			want: []string{"Add svc-bye", "Set bye", "SetRoutes bye→bye,hello→hello"},
		},
		{
			name: "function changed",
			old:  base,
			new:  service(map[string]string{"hello": "svc-hello2"}, map[string]string{"hello": "hello"}),
			want: []string{"Add svc-hello2", "Set hello", "Remove svc-hello"},
		},
		{
			name: "function removed after its route",
			old:  service(map[string]string{"hello": "svc-hello", "bye": "svc-bye"}, map[string]string{"hello": "hello", "bye": "bye"}),
			new:  base,
			want: []string{"SetRoutes hello→hello", "Forget bye", "Remove svc-bye", "Close log bye"},
		},
		{
			name: "route changed only",
			old:  base,
			new:  service(map[string]string{"hello": "svc-hello"}, map[string]string{"hello": "hello", "$default": "hello"}),
			want: []string{"SetRoutes $default→hello,hello→hello"},
		},
		{
			name: "first table redeploys the functions with its endpoint",
			old:  base,
			new:  service(map[string]string{"hello": "svc-hello"}, map[string]string{"hello": "hello"}, "ConnectionsTable"),
			want: []string{"Create ConnectionsTable", "Replace svc-hello", "Set hello"},
		},
		{
			name:    "a failing function stops before the routes",
			old:     base,
			new:     service(map[string]string{"hello": "svc-hello", "bye": "svc-bye"}, map[string]string{"hello": "hello", "bye": "bye"}),
			fail:    "svc-bye",
			want:    []string{"Add svc-bye", "Close log bye"},
			wantErr: "functions: function bye: boom",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c calls
			rt := &fakeRuntime{calls: &c, fns: map[string]lambdaruntime.Function{}}
			s := applied(t, &c, rt, tt.old, DeployConfig{Tables: fakeTables{&c}, Env: map[string]string{"OFFLINE": "1"}})
			rt.fail = tt.fail
			_, err := s.Apply(t.Context(), tt.old, tt.new)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("Apply = %v, want %s", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if !slices.Equal(c, tt.want) {
				t.Errorf("calls:\n  %s\nwant:\n  %s", strings.Join(c, "\n  "), strings.Join(tt.want, "\n  "))
			}
			if tt.wantErr != "" {
				return
			}
			for key, fn := range tt.new.Functions {
				got := rt.fns[fn.Name]
				if got.Env["OFFLINE"] != "1" || got.Env["K"] != fn.Name {
					t.Errorf("%s deployed with env %v, want the template's and the offline one", key, got.Env)
				}
				if len(tt.new.Tables) > 0 && got.Env["AWS_ENDPOINT_URL_DYNAMODB"] != "http://127.0.0.1:4567" {
					t.Errorf("%s deployed with env %v, want the tables' endpoint", key, got.Env)
				}
			}
			if got, want := s.Functions(), slices.Sorted(func(yield func(string) bool) {
				for k := range tt.new.Functions {
					if !yield(k) {
						return
					}
				}
			}); !slices.Equal(got, want) {
				t.Errorf("Functions() = %v, want %v", got, want)
			}
		})
	}
}

func TestDeployReplacesTheCode(t *testing.T) {
	var c calls
	rt := &fakeRuntime{calls: &c, fns: map[string]lambdaruntime.Function{}}
	s := NewDeployment(DeployConfig{Runtime: rt, Invoker: fakeInvoker{&c}, Router: fakeRouter{&c},
		OpenLog: func(key string) (io.WriteCloser, error) { return fakeLog{Writer: io.Discard, calls: &c, key: key}, nil }})
	if _, err := s.Apply(t.Context(), nil, service(map[string]string{"hello": "svc-hello"}, nil)); err != nil {
		t.Fatal(err)
	}
	if err := s.Deploy(t.Context(), "hello", "/new/bootstrap"); err != nil {
		t.Fatal(err)
	}
	if got := rt.fns["svc-hello"].Executable; got != "/new/bootstrap" {
		t.Errorf("after Deploy the runtime runs %s, want /new/bootstrap", got)
	}
	if err := s.Deploy(t.Context(), "nothing", "/x"); !errors.Is(err, lambdaruntime.ErrFunctionNotFound) {
		t.Errorf("Deploy of an unknown function = %v, want ErrFunctionNotFound", err)
	}
}

// applied is a Deployment of cfg over rt and fakes that record their calls
// in c, with old applied (nil: nothing) and c emptied again.
func applied(t *testing.T, c *calls, rt *fakeRuntime, old *deploy.Service, cfg DeployConfig) *Deployment {
	t.Helper()
	cfg.Runtime, cfg.Invoker, cfg.Router = rt, fakeInvoker{c}, fakeRouter{c}
	cfg.OpenLog = func(key string) (io.WriteCloser, error) {
		return fakeLog{Writer: io.Discard, calls: c, key: key}, nil
	}
	s := NewDeployment(cfg)
	if old != nil {
		if _, err := s.Apply(t.Context(), nil, old); err != nil {
			t.Fatal(err)
		}
	}
	*c = nil
	return s
}
