package slsconfig

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

// Options are what `serverless deploy` would take from its command line.
type Options struct {
	Stage  string                      // --stage; "" means provider.stage, else "dev"
	Region string                      // --region; "" means provider.region, else "us-east-1"
	Env    func(string) (string, bool) // answers ${env:NAME}; nil means os.LookupEnv
}

// Config is what the offline gateway needs from serverless.yml.
type Config struct {
	Service string
	Stage   string // the stage option, else provider.stage, else "dev"
	Region  string // the region option, else provider.region, else "us-east-1"
	// RouteSelectionExpression is provider.websocketsApiRouteSelectionExpression,
	// "$request.body.action" if unset.
	RouteSelectionExpression string
	Functions                map[string]*Function // by the key under `functions:`
	Routes                   []Route              // every websocket event, in file order
	// Resources is resources.Resources, the CloudFormation resources, with
	// variables resolved and short forms (!Ref) in their long form.
	Resources map[string]any
	// Warnings name what a local run cannot reproduce: variables and
	// expressions only AWS can resolve, authorizers given by ARN, and keys
	// this package does not know. Each begins with file:line: key.path.
	Warnings []string
}

// Function is one function with the provider's settings applied.
type Function struct {
	Key          string
	Name         string // the deployed name: `name:`, else {service}-{stage}-{key}
	Handler      string
	Artifact     string // package.artifact, joined to the directory of serverless.yml
	Runtime      string // "" when neither the function nor the provider sets it
	Architecture string // "x86_64" when unset, as in Lambda
	MemoryMB     int    // 1024 when unset, as in the framework
	Timeout      time.Duration
	// Environment is provider.environment overlaid with the function's own.
	Environment map[string]string
	// Tracing is the X-Ray mode, Lambda's TracingConfig: "Active" (the
	// function's `tracing`, else provider.tracing.lambda, is true or
	// Active) or "PassThrough" (unset, false or PassThrough).
	Tracing string
}

// Route is one websocket event: a route key and the function behind it.
type Route struct {
	Key      string // "$connect", "$disconnect", "$default" or a custom key
	Function string // a key of Config.Functions
	// RouteResponseSelectionExpression is "$default" when the function's
	// return value is sent back to the client, else "".
	RouteResponseSelectionExpression string
	Authorizer                       *Authorizer // nil if the route has none
}

// Authorizer is a Lambda REQUEST authorizer of this service. WebSocket APIs
// do not cache authorizer results, so it runs on every $connect.
type Authorizer struct {
	Function string // a key of Config.Functions
	// IdentitySource lists the request parts that must be present, such as
	// "route.request.querystring.token"; the framework's default is
	// "route.request.header.Auth".
	IdentitySource []string
}

// budget bounds, in bytes, what a file may expand to: YAML aliases and
// variables can each repeat what they refer to.
const budget = 16 << 20

// valueCost is roughly what a Go value in Config.Resources takes in memory.
const valueCost = 64

// Load reads the serverless.yml at path, resolving its variables as the
// Serverless Framework would for opts. It resolves only what the gateway
// reads: the service, the provider, the functions and resources.Resources,
// and whatever those refer to.
func Load(path string, opts Options) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read serverless config: %w", err)
	}
	return parse(path, data, opts)
}

func parse(file string, data []byte, opts Options) (*Config, error) {
	root, err := parseTree(file, data)
	if err != nil {
		return nil, err
	}
	if opts.Env == nil {
		opts.Env = os.LookupEnv
	}
	l := &loader{file: file, root: root, opts: opts, budget: budget}
	return l.config()
}

type loader struct {
	file     string
	root     *node
	opts     Options
	budget   int
	warnings []string
}

func (l *loader) errorf(n *node, path, format string, args ...any) error {
	prefix := l.file
	if n != nil {
		prefix += ":" + strconv.Itoa(n.line)
	}
	if path != "" {
		prefix += ": " + path
	}
	return fmt.Errorf("%s: "+format, append([]any{prefix}, args...)...)
}

func (l *loader) warnf(n *node, path, format string, args ...any) {
	l.warnings = append(l.warnings, l.errorf(n, path, format, args...).Error())
}

func (l *loader) spend(n int) error {
	if l.budget -= n; l.budget < 0 {
		return l.errorf(nil, "", "the configuration expands to more than %d MiB; do aliases or variables repeat each other?", budget>>20)
	}
	return nil
}

func (l *loader) config() (*Config, error) {
	c := &Config{Functions: map[string]*Function{}}
	var err error
	if c.Service, err = l.required(l.root, "", "service", "the service name"); err != nil {
		return nil, err
	}
	if c.Stage, err = l.stage(); err != nil {
		return nil, err
	}
	if c.Region, err = l.region(); err != nil {
		return nil, err
	}
	provider, _, err := l.mapping(l.root, "", "provider")
	if err != nil {
		return nil, err
	}
	if c.RouteSelectionExpression, err = l.str(provider, "provider", "websocketsApiRouteSelectionExpression"); err != nil {
		return nil, err
	}
	if c.RouteSelectionExpression == "" {
		c.RouteSelectionExpression = "$request.body.action"
	}
	defaults, err := l.settings(provider, "provider")
	if err != nil {
		return nil, err
	}
	tracing, tp, err := l.mapping(provider, "provider", "tracing")
	if err != nil {
		return nil, err
	}
	if defaults.tracing, err = l.tracingMode(tracing, tp, "lambda"); err != nil {
		return nil, err
	}
	events, err := l.functions(c, defaults)
	if err != nil {
		return nil, err
	}
	if c.Routes, err = l.routes(c, events); err != nil {
		return nil, err
	}
	if c.Resources, err = l.resources(); err != nil {
		return nil, err
	}
	c.Warnings = l.warnings
	return c, nil
}

func (l *loader) resources() (map[string]any, error) {
	res, path, err := l.mapping(l.root, "", "resources")
	if err != nil {
		return nil, err
	}
	cfn, path, err := l.mapping(res, path, "Resources")
	if err != nil || cfn == nil {
		return nil, err
	}
	if err := l.resolveAll(cfn, path); err != nil {
		return nil, err
	}
	v, err := l.toAny(cfn)
	m, _ := v.(map[string]any)
	return m, err
}

// toAny copies n into plain Go values, so that callers may keep or change
// them without touching what aliases share.
func (l *loader) toAny(n *node) (any, error) {
	if err := l.spend(valueCost); err != nil {
		return nil, err
	}
	switch n.kind {
	case mapKind:
		m := make(map[string]any, len(n.keys))
		for i, k := range n.keys {
			v, err := l.toAny(n.items[i])
			if err != nil {
				return nil, err
			}
			m[k] = v
		}
		return m, nil
	case seqKind:
		s := make([]any, len(n.items))
		for i, item := range n.items {
			v, err := l.toAny(item)
			if err != nil {
				return nil, err
			}
			s[i] = v
		}
		return s, nil
	}
	return n.value, nil
}
