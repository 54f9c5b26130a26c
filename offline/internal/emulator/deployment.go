package emulator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"

	"wsapi/offline/internal/changeset"
	"wsapi/offline/internal/cloudformation"
	"wsapi/offline/internal/deploy"
	"wsapi/offline/internal/dynamolocal"
	"wsapi/offline/internal/eventsource"
	"wsapi/offline/internal/gateway"
	"wsapi/offline/internal/lambda"
	"wsapi/offline/internal/lambdaruntime"
	"wsapi/offline/internal/sqslocal"
)

// Runtime runs the functions' processes; *lambdaruntime.Runtime is one.
type Runtime interface {
	Add(fn lambdaruntime.Function) error
	Replace(ctx context.Context, fn lambdaruntime.Function) error
	Remove(ctx context.Context, name string) error
	// Close stops every function's processes.
	Close(ctx context.Context) error
}

// Invoker invokes functions by the key routes name them by;
// *lambda.Invoker is one.
type Invoker interface {
	Set(key string, fn lambda.Function)
	Remove(key string)
}

// Router serves the API's routes; *gateway.Gateway is one.
type Router interface {
	SetRoutes(routeSelectionExpression string, routes map[string]gateway.Route) error
}

// Tables makes tables; *dynamolocal.Endpoint is one.
type Tables interface {
	// Create makes the tables not there yet and keeps those that are as
	// they are. It returns the endpoint functions reach DynamoDB at, ""
	// while there is no table at all.
	Create(ctx context.Context, tables []dynamolocal.TableResource) (endpoint string, err error)
}

// Queues serves queues; *sqslocal.Endpoint is one.
type Queues interface {
	// Set creates a queue or changes it, keeping its messages. It returns
	// the endpoint functions reach SQS at.
	Set(ctx context.Context, spec sqslocal.QueueSpec) (endpoint string, err error)
	Remove(name string)
	Close() error
}

// Mappings polls queues for functions; *eventsource.Pollers is one.
type Mappings interface {
	Set(m eventsource.Mapping)
	Remove(id string)
	// Close stops polling and waits for the batches in flight.
	Close()
}

// DeployConfig is what a Deployment deploys to and how.
type DeployConfig struct {
	Runtime Runtime
	Invoker Invoker
	Router  Router
	Tables  Tables
	// Queues and Mappings serve the template's queues and event source
	// mappings; nil when the template has none.
	Queues   Queues
	Mappings Mappings
	// Env is added to every function's environment: settings that only
	// exist offline.
	Env map[string]string
	// MaxInstances is each function's concurrency at most.
	MaxInstances int
	// OpenLog opens the writer a function's lines go to, by its key. The
	// Deployment closes it when the function is removed, or at Close.
	OpenLog func(key string) (io.WriteCloser, error)
}

// Deployment is what the gateway has deployed from a template: its tables,
// queues, functions, event source mappings and routes, as a CloudFormation
// stack holds them. Starting the gateway is an Apply from nothing and a
// reload an Apply from the template applied last: one path, which computes
// the change and applies each kind of resource in one step, in the order a
// stack update would: tables, then the functions that use them, then the
// routes to the functions, and only then the removals, once no route
// points at them. Queues come right after tables, as functions are given
// their URLs, and event source mappings after the functions they invoke.
// Apply, Deploy and Close must not be
// called concurrently.
type Deployment struct {
	cfg DeployConfig
	// dynamoEndpoint is the DynamoDB endpoint the functions were deployed
	// with; a new one (the first table) redeploys them all.
	dynamoEndpoint string
	// sqsEndpoint likewise, with the first queue.
	sqsEndpoint string
	functions   map[string]function
	// queueNames are the queues served, by logical id.
	queueNames map[string]string
}

// function is one function as deployed, by its key.
type function struct {
	runtime lambdaruntime.Function
	log     io.WriteCloser
}

// NewDeployment returns a Deployment with nothing deployed.
func NewDeployment(cfg DeployConfig) *Deployment {
	return &Deployment{cfg: cfg, functions: map[string]function{}, queueNames: map[string]string{}}
}

// Apply deploys what changed from old (nil: nothing deployed yet) to new
// and returns the change. On error, what the change set lists was not all
// applied: the steps before the failing one were, the failing one in part,
// the later ones not. Applying new again from the same old retries.
func (s *Deployment) Apply(ctx context.Context, old, new *deploy.Service) (changeset.ChangeSet, error) {
	if old == nil {
		old = &deploy.Service{}
	}
	cs := changeset.Compute(old, new)
	steps := []struct {
		name  string
		apply func(context.Context, *deploy.Service, changeset.ChangeSet) error
	}{
		{"tables", s.applyTables},
		{"queues", s.applyQueues},
		{"functions", s.applyFunctions},
		{"mappings", s.applyMappings},
		{"routes", s.applyRoutes},
		{"removals", s.applyRemovals},
	}
	for _, step := range steps {
		if err := step.apply(ctx, new, cs); err != nil {
			return cs, fmt.Errorf("%s: %w", step.name, err)
		}
	}
	return cs, nil
}

func (s *Deployment) applyTables(ctx context.Context, svc *deploy.Service, cs changeset.ChangeSet) error {
	var tables []dynamolocal.TableResource
	for _, t := range svc.Tables {
		if c, ok := cs.Tables[t.LogicalID]; ok && c != changeset.Removed {
			tables = append(tables, t)
		}
	}
	if len(tables) == 0 || s.cfg.Tables == nil {
		return nil
	}
	endpoint, err := s.cfg.Tables.Create(ctx, tables)
	if err != nil {
		return err
	}
	s.dynamoEndpoint = endpoint
	return nil
}

func (s *Deployment) applyQueues(ctx context.Context, svc *deploy.Service, cs changeset.ChangeSet) error {
	for _, q := range svc.Queues {
		if c, ok := cs.Queues[q.LogicalID]; !ok || c == changeset.Removed {
			continue
		}
		if s.cfg.Queues == nil {
			return fmt.Errorf("queue %s: no SQS to serve it", q.LogicalID)
		}
		endpoint, err := s.cfg.Queues.Set(ctx, sqslocal.SpecOf(q, svc.Queues))
		if err != nil {
			return fmt.Errorf("queue %s: %w", q.LogicalID, err)
		}
		s.sqsEndpoint = endpoint
		if old, ok := s.queueNames[q.LogicalID]; ok && old != q.Name {
			// Renamed: a new queue, as CloudFormation replaces one.
			s.cfg.Queues.Remove(old)
		}
		s.queueNames[q.LogicalID] = q.Name
	}
	return nil
}

// applyFunctions deploys the functions added or changed, and every one
// when the DynamoDB or SQS endpoint they reach is new.
func (s *Deployment) applyFunctions(ctx context.Context, svc *deploy.Service, cs changeset.ChangeSet) error {
	for _, key := range slices.Sorted(maps.Keys(svc.Functions)) {
		fn := svc.Functions[key]
		want := s.runtimeFunction(fn)
		have, ok := s.functions[key]
		c := cs.Functions[key]
		if ok && c == 0 && have.runtime.Env[dynamoEndpointEnv] == want.Env[dynamoEndpointEnv] &&
			have.runtime.Env[sqsEndpointEnv] == want.Env[sqsEndpointEnv] {
			continue
		}
		if err := s.deployFunction(ctx, key, fn, want); err != nil {
			return fmt.Errorf("function %s: %w", key, err)
		}
	}
	return nil
}

// Where the AWS SDKs read the DynamoDB and SQS endpoints from.
const (
	dynamoEndpointEnv = "AWS_ENDPOINT_URL_DYNAMODB"
	sqsEndpointEnv    = "AWS_ENDPOINT_URL_SQS"
)

// runtimeFunction is fn as the runtime deploys it, with the environment
// every function gets offline.
func (s *Deployment) runtimeFunction(fn cloudformation.Function) lambdaruntime.Function {
	env := maps.Clone(fn.Env)
	if env == nil {
		env = map[string]string{}
	}
	maps.Copy(env, s.cfg.Env)
	if s.dynamoEndpoint != "" {
		env[dynamoEndpointEnv] = s.dynamoEndpoint
	}
	if s.sqsEndpoint != "" {
		env[sqsEndpointEnv] = s.sqsEndpoint
	}
	return lambdaruntime.Function{
		Name:           fn.Name,
		Executable:     fn.Bootstrap,
		Env:            env,
		Timeout:        fn.Timeout,
		MemoryMB:       fn.MemoryMB,
		MaxConcurrency: s.cfg.MaxInstances,
	}
}

// deployFunction deploys want for new invocations: as a new function, a
// replacement of the one deployed under key, or, renamed, beside it until
// the removals step.
func (s *Deployment) deployFunction(ctx context.Context, key string, fn cloudformation.Function, want lambdaruntime.Function) error {
	have, ok := s.functions[key]
	if !ok {
		log, err := s.cfg.OpenLog(key)
		if err != nil {
			return err
		}
		have.log = log
	}
	want.Log = have.log
	var err error
	if ok && have.runtime.Name == want.Name {
		err = s.cfg.Runtime.Replace(ctx, want)
	} else {
		err = s.cfg.Runtime.Add(want)
	}
	if err != nil {
		if !ok {
			_ = have.log.Close()
		}
		return err
	}
	s.functions[key] = function{runtime: want, log: have.log}
	s.cfg.Invoker.Set(key, lambda.Function{Name: fn.Name, Tracing: fn.Tracing})
	if ok && have.runtime.Name != want.Name {
		// Renamed: the old name stops once the key invokes the new one.
		if err := s.cfg.Runtime.Remove(ctx, have.runtime.Name); err != nil && !errors.Is(err, lambdaruntime.ErrFunctionNotFound) {
			return err
		}
	}
	return nil
}

// applyMappings starts polling for the mappings added and restarts those
// changed; a mapping disabled, or whose queue is gone, stops polling.
func (s *Deployment) applyMappings(_ context.Context, svc *deploy.Service, cs changeset.ChangeSet) error {
	for _, m := range svc.EventSourceMappings {
		if c, ok := cs.EventSourceMappings[m.LogicalID]; !ok || c == changeset.Removed {
			continue
		}
		if s.cfg.Mappings == nil {
			return fmt.Errorf("event source mapping %s: nothing to poll it", m.LogicalID)
		}
		if mapping, ok := eventsource.MappingOf(m, svc.Queues, svc.Region); ok {
			s.cfg.Mappings.Set(mapping)
		} else {
			s.cfg.Mappings.Remove(m.LogicalID)
		}
	}
	return nil
}

func (s *Deployment) applyRoutes(_ context.Context, svc *deploy.Service, cs changeset.ChangeSet) error {
	if !cs.RoutesChanged() {
		return nil
	}
	return s.cfg.Router.SetRoutes(svc.RouteSelectionExpression, svc.Routes)
}

// applyRemovals removes the event source mappings removed, their batches
// in flight finishing, then the functions no route or mapping points at any
// more: their invocations in flight finish, then their processes stop and
// their logs close; then the queues removed, with their messages. Tables
// are kept, as their data would be lost.
func (s *Deployment) applyRemovals(ctx context.Context, _ *deploy.Service, cs changeset.ChangeSet) error {
	for _, id := range slices.Sorted(maps.Keys(cs.EventSourceMappings)) {
		if cs.EventSourceMappings[id] == changeset.Removed && s.cfg.Mappings != nil {
			s.cfg.Mappings.Remove(id)
		}
	}
	for _, key := range slices.Sorted(maps.Keys(cs.Functions)) {
		if cs.Functions[key] != changeset.Removed {
			continue
		}
		if err := s.removeFunction(ctx, key); err != nil {
			return fmt.Errorf("function %s: %w", key, err)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(cs.Queues)) {
		if cs.Queues[id] == changeset.Removed && s.cfg.Queues != nil {
			s.cfg.Queues.Remove(s.queueNames[id])
			delete(s.queueNames, id)
		}
	}
	return nil
}

func (s *Deployment) removeFunction(ctx context.Context, key string) error {
	fn, ok := s.functions[key]
	if !ok {
		return nil
	}
	s.cfg.Invoker.Remove(key)
	if err := s.cfg.Runtime.Remove(ctx, fn.runtime.Name); err != nil && !errors.Is(err, lambdaruntime.ErrFunctionNotFound) {
		return err
	}
	delete(s.functions, key)
	return fn.log.Close()
}

// Deploy puts newly built code in service for the function deployed under
// key, as updating its code in Lambda does.
func (s *Deployment) Deploy(ctx context.Context, key, executable string) error {
	fn, ok := s.functions[key]
	if !ok {
		return fmt.Errorf("%w: %s", lambdaruntime.ErrFunctionNotFound, key)
	}
	fn.runtime.Executable = executable
	if err := s.cfg.Runtime.Replace(ctx, fn.runtime); err != nil {
		return err
	}
	s.functions[key] = fn
	return nil
}

// Functions are the keys of the functions deployed, sorted.
func (s *Deployment) Functions() []string {
	return slices.Sorted(maps.Keys(s.functions))
}

// Close takes down what was deployed, in the order deleting the stack
// would: the event source mappings, waiting for their batches in flight,
// which may still send to queues; the functions' processes; the queues;
// and the functions' logs, once no process writes to them any more.
func (s *Deployment) Close(ctx context.Context) error {
	var errs []error
	if s.cfg.Mappings != nil {
		s.cfg.Mappings.Close()
	}
	errs = append(errs, s.cfg.Runtime.Close(ctx))
	if s.cfg.Queues != nil {
		errs = append(errs, s.cfg.Queues.Close())
	}
	for _, fn := range s.functions {
		errs = append(errs, fn.log.Close())
	}
	s.functions = map[string]function{}
	return errors.Join(errs...)
}
