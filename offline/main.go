// Command offline runs the API on this machine as API Gateway and Lambda
// would: the functions' real bootstrap binaries behind a local WebSocket
// endpoint, with the @connections API, an X-Ray daemon and DynamoDB, all as
// the CloudFormation template that deploys declares them.
//
//	go run ./offline            # packages serverless.yml, serves ws://localhost:3001
//	go run ./offline -port 4000 -stage dev
//	go run ./offline -template cdk.out/Stack.template.json -bootstrap MyFunction=build/fn/bootstrap
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"wsapi/offline/internal/childproc"
	"wsapi/offline/internal/console"
	"wsapi/offline/internal/dynamolocal"
	"wsapi/offline/internal/emulator"
	"wsapi/offline/internal/gateway"
	"wsapi/offline/internal/project"
	"wsapi/offline/internal/reload"
	"wsapi/offline/internal/sqslocal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // A second Ctrl-C ends the process at once.
	}()
	// Started by make, whose death passes on no signal, stop with it.
	ctx, cancel := childproc.WithParent(ctx)
	defer cancel()
	err := run(ctx, os.Args[1:], os.Stdout)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "offline:", err)
		os.Exit(1)
	}
}

type options struct {
	config, pkgDir, template, bin, logs, data, host, stage, region string
	port, maxInstances                                             int
	idleTimeout, maxDuration, mgmtDelay                            time.Duration
	traces, traceAll, quiet, watch, build, buildOnly, throttle     bool
	env, bootstraps                                                kvFlag
	domainNames, params                                            listFlag
}

// startingReason is what a client that comes during the start is told.
func startingReason(o options) string {
	switch {
	case o.template != "":
		return "the offline gateway is starting: reading " + o.template
	case o.build:
		return "the offline gateway is starting: packaging " + o.config + " and building the functions for this machine"
	default:
		return "the offline gateway is starting: packaging " + o.config
	}
}

// kvFlag collects repeatable KEY=VALUE settings.
type kvFlag map[string]string

func (e kvFlag) String() string { return fmt.Sprint(map[string]string(e)) }

func (e kvFlag) Set(kv string) error {
	k, v, ok := strings.Cut(kv, "=")
	if !ok || k == "" {
		return fmt.Errorf("want KEY=VALUE, got %q", kv)
	}
	e[k] = v
	return nil
}

// listFlag collects a repeatable flag's values.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}

func parseFlags(args []string, stdout io.Writer) (options, error) {
	o := options{env: kvFlag{}, bootstraps: kvFlag{}}
	fs := flag.NewFlagSet("offline", flag.ContinueOnError)
	fs.SetOutput(stdout)
	port := 3001
	if p := os.Getenv("PORT"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			return o, fmt.Errorf("PORT=%q is not a port number", p)
		}
		port = n
	}
	fs.StringVar(&o.config, "config", "serverless.yml", "the service's serverless.yml, packaged with the project's pinned `serverless package`")
	fs.StringVar(&o.pkgDir, "package", ".offline/package", "where `serverless package` writes the template the gateway serves")
	fs.StringVar(&o.template, "template", "", "serve this CloudFormation template (JSON or YAML) as it is, instead of packaging -config")
	fs.Var(o.bootstraps, "bootstrap", "with -template: LogicalId=path (or FunctionName=path) of a function's bootstrap built for this machine (repeatable)")
	fs.StringVar(&o.bin, "bin", ".offline/bin", "where each function's host-built bootstrap is: <bin>/<function>/bootstrap, <function> as in its artifact bin/<function>.zip")
	fs.StringVar(&o.logs, "logs", ".offline/logs", "where each function's log file is written: <logs>/<function>.log")
	fs.StringVar(&o.data, "data", "", "keep the local DynamoDB tables in this directory between runs (default: in memory)")
	fs.Var(o.env, "env", "add KEY=VALUE to every function's environment, for settings that only exist offline (repeatable)")
	fs.StringVar(&o.host, "host", "127.0.0.1", "address to listen on; 0.0.0.0 serves other machines too")
	fs.Var(&o.domainNames, "domain-name", "another name clients reach the gateway by, such as a LAN or container host name: host (any port) or host:port (repeatable). "+
		"Any other Host is refused with 403, as API Gateway refuses an unknown domain; events still carry the gateway's own domainName")
	fs.IntVar(&o.port, "port", port, "port to listen on (also $PORT); 0 picks a free one")
	fs.StringVar(&o.stage, "stage", "local", "stage name: --stage of `serverless package`, and the path /{stage}")
	fs.Var(&o.params, "param", "pass key=value on to `serverless package` as --param, for serverless.yml's ${param:key} (repeatable): "+
		"tracing=otel serves the functions tracing with OpenTelemetry")
	fs.StringVar(&o.region, "region", "", "region (default: the one serverless.yml resolves to; with -template, the one its ARNs state, else us-east-1)")
	fs.IntVar(&o.maxInstances, "max-instances", 10, "instances per function at most; more concurrent invocations wait")
	fs.DurationVar(&o.idleTimeout, "idle-timeout", 10*time.Minute, "close a connection idle this long (API Gateway: 10m)")
	fs.DurationVar(&o.maxDuration, "max-duration", 2*time.Hour, "close a connection open this long (API Gateway: 2h)")
	fs.DurationVar(&o.mgmtDelay, "management-delay", 0, "add this delay to every @connections call, as the network to API Gateway would")
	fs.BoolVar(&o.throttle, "throttle", true, "throttle each route as the stage's DefaultRouteSettings and RouteSettings say (-throttle=false for load tests that go past them on purpose)")
	fs.BoolVar(&o.traces, "traces", true, "print each traced invocation's X-Ray trace")
	fs.BoolVar(&o.traceAll, "trace-all", false, "trace every invocation of an actively traced function, not Lambda's first each second and 5% of the rest")
	fs.BoolVar(&o.watch, "watch", true, "rebuild and redeploy a function when its code changes (-watch=false for benchmarks and CI)")
	fs.BoolVar(&o.build, "build", false, "once listening, build every function's bootstrap for this machine into -bin: a missing or stale one (make offline sets it)")
	fs.BoolVar(&o.buildOnly, "build-only", false, "build every function's bootstrap for this machine into -bin, and exit (make offline-build)")
	fs.BoolVar(&o.quiet, "quiet", false, "print only what is served, warnings, errors and the ready line (function logs still go to -logs)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	for _, p := range o.params {
		switch k, _, ok := strings.Cut(p, "="); {
		case !ok || k == "":
			return o, fmt.Errorf("-param %q: want key=value, such as tracing=otel", p)
		case k == "build":
			return o, fmt.Errorf("-param %q: the gateway packages with build=off itself (it runs bootstraps built for this machine)", p)
		case o.template != "":
			return o, fmt.Errorf("-param %q: -template serves a template as it is, and -param is for `serverless package`", p)
		}
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	o, err := parseFlags(args, stdout)
	if err != nil {
		return err
	}
	out := console.New(stdout)
	build := console.NewBuild(out, o.quiet)
	if o.buildOnly {
		return project.BuildBootstraps(ctx, o.config, o.bin, build)
	}
	// Listening first gives the API its endpoint, which the template may
	// hand functions (Fn::GetAtt Api.ApiEndpoint), and stops a second
	// gateway before it builds anything under the first. A client that
	// comes meanwhile is told to retry.
	port, err := gateway.Listen(o.host, o.port)
	if err != nil {
		return err
	}
	defer port.Close()
	port.Starting(startingReason(o))
	// The gateway's own name: the banner's, and every event's domainName.
	domainName := console.DisplayAddr(port.Addr(), o.host)
	base := "ws://" + domainName
	if !o.quiet {
		out.Printf("gateway", "listening at %s; until ready, a client is answered 503 with Retry-After", base)
	}
	// The one place the source is chosen.
	placement := project.Placement{Stage: o.stage, Region: o.region, Endpoint: base}
	var src project.Source = &project.Serverless{Placement: placement, Config: o.config, PackageDir: o.pkgDir, Bin: o.bin,
		Params: o.params, Build: o.build, BuildReport: build, Failed: out.Error}
	if o.template != "" {
		src = &project.Template{Placement: placement, Path: o.template, Bootstraps: o.bootstraps}
	}
	framework := console.NewFramework(out)
	svc, err := src.Load(ctx, framework)
	if err != nil {
		return err
	}
	out.Warn(svc.Warnings...)
	// Quiet, function lines go to their log files only, and the gateway's
	// own per-message lines are not even formatted.
	lines, gatewayLog := out, log.New(out, "", 0)
	if o.quiet {
		lines, gatewayLog = nil, nil
	}

	traces := console.Traces(out, o.traces && !o.quiet)
	// Quiet, dynalite's own lines are dropped.
	dynaliteLog := out.Tagged("dynamodb")
	if o.quiet {
		dynaliteLog = nil
	}
	tables := &dynamolocal.Endpoint{
		Options: dynamolocal.Options{ProjectDir: filepath.Dir(o.config), DataDir: o.data, Log: dynaliteLog,
			OnExit: func(err error) { console.DynamoDBStopped(out, err) }},
		Report:  func(r dynamolocal.Report) { console.Tables(out, r) },
		Started: func(endpoint string) { out.Printf("dynamodb", "DynamoDB API (dynalite) at %s", endpoint) },
	}
	emu, err := emulator.New(svc, svc.Region, emulator.Config{
		Traces: traces, TraceAll: o.traceAll, MalformedDatagram: console.MalformedDatagram(out),
		Tables:        tables,
		QueuesStarted: func(endpoint string) { out.Printf("sqs", "SQS API at %s", endpoint) },
		Moved:         func(m sqslocal.Moved) { console.Moved(out, m) },
		Gateway: gateway.Config{DomainName: domainName, Aliases: o.domainNames, Unthrottled: !o.throttle,
			IdleTimeout: o.idleTimeout, MaxDuration: o.maxDuration, ManagementDelay: o.mgmtDelay, Log: gatewayLog},
		Deploy: emulator.DeployConfig{Env: o.env, MaxInstances: o.maxInstances,
			OpenLog: func(key string) (io.WriteCloser, error) { return console.OpenFunctionLog(o.logs, key, lines) }},
	})
	if err != nil {
		return err
	}
	defer emu.Close()
	// Starting is a deploy from nothing.
	live := &reload.Live{Source: src, Stack: emu.Deployment, Out: out, Framework: framework.Lines}
	if err := live.Start(ctx, svc); err != nil {
		return err
	}
	if o.watch {
		if err := live.Watch(ctx); err != nil {
			return err
		}
	}

	console.WarnIfExposed(out, o.host)
	console.PrintRoutes(out, svc, base, emu.Daemon.Addr(), console.Sampling(traces != nil, o.traceAll), o.throttle)
	console.PrintQueues(out, svc)
	port.Open(emu.Gateway)
	out.Printf("gateway", "ready: %s (also %s/%s). Ctrl-C stops.", base, base, svc.Stage)
	if err := emu.Serve(ctx, port, func(n int) {
		out.Printf("gateway", "stopping: closing %d connections with 1001 and running their $disconnect", n)
	}); err != nil {
		return err
	}
	out.Printf("gateway", "stopped")
	return nil
}
