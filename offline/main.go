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
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"wsapi/offline/internal/childproc"
	"wsapi/offline/internal/cloudformation"
	"wsapi/offline/internal/dynamolocal"
	"wsapi/offline/internal/eventsource"
	"wsapi/offline/internal/gateway"
	"wsapi/offline/internal/lambdaruntime"
	"wsapi/offline/internal/lambdaservice"
	"wsapi/offline/internal/slspackage"
	"wsapi/offline/internal/sqslocal"
	"wsapi/offline/internal/stack"
	"wsapi/offline/internal/xraydaemon"
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
	traces, traceAll, quiet, watch                                 bool
	env, bootstraps                                                kvFlag
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
	fs.IntVar(&o.port, "port", port, "port to listen on (also $PORT); 0 picks a free one")
	fs.StringVar(&o.stage, "stage", "local", "stage name: --stage of `serverless package`, and the path /{stage}")
	fs.StringVar(&o.region, "region", "", "region (default: the one serverless.yml resolves to; with -template, the one its ARNs state, else us-east-1)")
	fs.IntVar(&o.maxInstances, "max-instances", 10, "instances per function at most; more concurrent invocations wait")
	fs.DurationVar(&o.idleTimeout, "idle-timeout", 10*time.Minute, "close a connection idle this long (API Gateway: 10m)")
	fs.DurationVar(&o.maxDuration, "max-duration", 2*time.Hour, "close a connection open this long (API Gateway: 2h)")
	fs.DurationVar(&o.mgmtDelay, "management-delay", 0, "add this delay to every @connections call, as the network to API Gateway would")
	fs.BoolVar(&o.traces, "traces", true, "print each traced invocation's X-Ray trace")
	fs.BoolVar(&o.traceAll, "trace-all", false, "trace every invocation of an actively traced function, not Lambda's first each second and 5% of the rest")
	fs.BoolVar(&o.watch, "watch", true, "rebuild and redeploy a function when its code changes (-watch=false for benchmarks and CI)")
	fs.BoolVar(&o.quiet, "quiet", false, "print only what is served, warnings, errors and the ready line (function logs still go to -logs)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	o, err := parseFlags(args, stdout)
	if err != nil {
		return err
	}
	out := &console{w: stdout, width: 12}
	// Listening first gives the API its endpoint, which the template may
	// hand functions (Fn::GetAtt Api.ApiEndpoint).
	ln, err := net.Listen("tcp", net.JoinHostPort(o.host, strconv.Itoa(o.port)))
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("listen: %w: another program (a gateway already running?) has port %d: "+
				"pick another with PORT=4000 make offline, or make offline ARGS=\"-port 0\" for any free one", err, o.port)
		}
		return fmt.Errorf("listen: %w", err)
	}
	defer ln.Close()
	base := "ws://" + displayAddr(ln.Addr(), o.host)

	// The framework's lines, for a reload to print only what is new.
	var framework []string
	svc, err := load(ctx, o, writerFunc(func(p []byte) {
		framework = append(framework, string(p))
		out.write("serverless", p)
	}), base, nil)
	if err != nil {
		return err
	}
	for _, w := range svc.Warnings {
		out.printf("warning", "%s", w)
	}
	// Quiet, function lines go to their log files only, and the gateway's
	// own per-message lines are not even formatted.
	lines, gatewayLog := out, log.New(out, "", 0)
	if o.quiet {
		lines, gatewayLog = nil, nil
	}

	// The daemon listens even when traces are not printed: in Lambda there
	// is always one, and functions sending to nothing log errors.
	var xrayCfg xraydaemon.Config
	if o.traces && !o.quiet {
		xrayCfg.OnComplete = func(t *xraydaemon.Trace) {
			_ = xraydaemon.Render(writerFunc(func(p []byte) { out.write("x-ray", p) }), t)
		}
	}
	daemon, err := xraydaemon.Listen("127.0.0.1:0", xrayCfg)
	if err != nil {
		return err
	}
	defer daemon.Close()

	rt, err := lambdaruntime.New(lambdaruntime.Options{Region: svc.region, XRayDaemonAddr: daemon.Addr()})
	if err != nil {
		return err
	}
	tables := newDynalite(o, out)
	lambda := lambdaservice.New(rt, daemon, &xraydaemon.Sampler{All: o.traceAll})
	queues := &stack.SQS{Server: sqslocal.New(sqslocal.Options{Region: svc.region, AccountID: lambdaruntime.AccountID,
		OnMoved: func(m sqslocal.Moved) { out.printf("warning", "%s", eventsource.MovedLine(m)) }}),
		Started: func(endpoint string) { out.printf("sqs", "SQS API at %s", endpoint) }}
	gw, err := gateway.New(gateway.Config{
		APIID:                    svc.APIID,
		AccountID:                lambdaruntime.AccountID,
		Region:                   svc.region,
		Stage:                    svc.Stage,
		RouteSelectionExpression: svc.RouteSelectionExpression,
		Invoker:                  lambda,
		AccessKeyID:              lambdaruntime.AccessKeyID,
		SecretAccessKey:          lambdaruntime.SecretAccessKey,
		SessionToken:             lambdaruntime.SessionToken,
		IdleTimeout:              o.idleTimeout,
		MaxDuration:              o.maxDuration,
		ManagementDelay:          o.mgmtDelay,
		Log:                      gatewayLog,
	})
	if err != nil {
		return err
	}
	deployed := stack.New(stack.Config{
		Runtime: rt, Invoker: lambda, Router: gw, Tables: tables, Queues: queues,
		Mappings: eventsource.New(context.WithoutCancel(ctx), queues.Server, lambda, nil),
		Env:      o.env, MaxInstances: o.maxInstances,
		OpenLog: func(key string) (io.WriteCloser, error) { return openFunctionLog(o.logs, key, lines) },
	})
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = deployed.Close(ctx)
		_ = tables.Close()
	}()
	// Starting is a deploy from nothing.
	if _, err := deployed.Apply(ctx, nil, svc.Service); err != nil {
		return err
	}
	if o.watch {
		l := &live{o: o, out: out, base: base, stack: deployed, svc: svc, framework: framework}
		if err := l.watch(ctx); err != nil {
			return err
		}
	}

	if ip := net.ParseIP(o.host); o.host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		out.printf("warning", "listening on %s: other machines can connect, sign @connections calls with the local "+
			"runtime's well-known credentials and, with the development secret, tokens for any user. Use it on a network you trust.", o.host)
	}
	sampling := ""
	if xrayCfg.OnComplete != nil {
		sampling = "traced as Lambda samples: the first invocation of each function every second and 5% of the rest (-trace-all: every one)"
		if o.traceAll {
			sampling = "every invocation traced (-trace-all)"
		}
	}
	printRoutes(out, svc, base, daemon.Addr(), sampling)
	for _, line := range eventsource.Summary(svc.Queues, svc.EventSourceMappings) {
		out.printf("sqs", "%s", strings.TrimPrefix(line, "sqs │ "))
	}
	srv := gw.Server()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	out.printf("gateway", "ready: %s (also %s/%s). Ctrl-C stops.", base, base, svc.Stage)

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	out.printf("gateway", "stopping: closing %d connections with 1001 and running their $disconnect", gw.Connections())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err = gw.Shutdown(shutdownCtx)
	_ = srv.Close()
	if err != nil {
		return err
	}
	out.printf("gateway", "stopped")
	return nil
}

// service is what a template deploys, placed: under which name and in
// which region.
type service struct {
	*cloudformation.Service
	name, region string
}

// load reads what to serve: the template `serverless package` writes for
// -config, or the -template given, the framework's lines going to
// framework. It is the step a reload repeats, with
// build to make the bootstraps packaging names that are not there yet (a
// function just added); nil leaves them to `make offline-build`.
func load(ctx context.Context, o options, framework io.Writer, endpoint string, build func(ctx context.Context, bootstraps map[string]string)) (*service, error) {
	opts := cloudformation.Options{AccountID: lambdaruntime.AccountID, Stage: o.stage, APIEndpoint: endpoint, Region: o.region}
	if o.template != "" {
		opts.StackName = strings.TrimSuffix(filepath.Base(o.template), filepath.Ext(o.template))
		opts.Bootstraps = o.bootstraps
		opts.RequireRoute = true
		opts.BuildCommand = "go build, for this machine, and name it with -bootstrap LogicalId=path"
		svc, err := cloudformation.LoadFile(o.template, opts)
		if err != nil {
			return nil, err
		}
		return &service{Service: svc, name: svc.APIName, region: svc.Region}, nil
	}
	state, err := slspackage.Package(ctx, slspackage.Options{
		Config: o.config, Stage: o.stage, Region: o.region, Dir: o.pkgDir,
		Output: framework,
	})
	if err != nil {
		return nil, err
	}
	opts.Region, opts.StackName = state.Region, state.StackName()
	opts.Bootstraps = state.Bootstraps(o.bin)
	if build != nil {
		build(ctx, opts.Bootstraps)
	}
	opts.BuildCommand = "make offline-build"
	svc, err := cloudformation.LoadFile(filepath.Join(state.Dir, slspackage.Template), opts)
	if err != nil {
		return nil, err
	}
	return &service{Service: svc, name: state.Service, region: state.Region}, nil
}

// newDynalite is where the template's tables are made, saying loudly if
// dynalite dies while the gateway serves.
func newDynalite(o options, out *console) *stack.Dynalite {
	var dynaliteLog io.Writer = writerFunc(func(p []byte) { out.write("dynamodb", p) })
	if o.quiet {
		dynaliteLog = nil
	}
	return &stack.Dynalite{
		Options: dynamolocal.Options{
			ProjectDir: filepath.Dir(o.config),
			DataDir:    o.data,
			Log:        dynaliteLog,
			OnExit: func(err error) {
				out.printf("error", "the local DynamoDB stopped: %v", err)
				out.printf("error", "every DynamoDB call of the functions fails from now on: stop the gateway (Ctrl-C) and start it again")
			},
		},
		Report:  func(r dynamolocal.Report) { printTables(out, r) },
		Started: func(endpoint string) { out.printf("dynamodb", "DynamoDB API (dynalite) at %s", endpoint) },
	}
}

func printTables(out *console, report dynamolocal.Report) {
	for _, line := range report.Tables {
		out.printf("dynamodb", "%s", line)
	}
	for _, w := range report.Warnings {
		out.printf("warning", "%s", w)
	}
}

// printRoutes shows what is served; sampling, when traces are printed, says
// which invocations are traced.
func printRoutes(out *console, svc *service, base, daemonAddr, sampling string) {
	out.printf("gateway", "%s, stage %s, region %s, routes on %s:", svc.name, svc.Stage, svc.region, svc.RouteSelectionExpression)
	keys := make([]string, 0, len(svc.Routes))
	for k := range svc.Routes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fn := svc.Functions[svc.Routes[k].Function]
		out.printf("gateway", "  %-14s → %s (%s, %d MB, %s timeout)", k, fn.Key, fn.Name, fn.MemoryMB, fn.Timeout)
		if a := svc.Routes[k].Authorizer; a != nil {
			out.printf("gateway", "  %-14s   authorized by %s from %s", "", a.Function, strings.Join(a.IdentitySource, ", "))
		}
	}
	endpoint := "http" + base[len("ws"):] + "/" + svc.Stage
	out.printf("gateway", "  %-14s → %s/@connections/{connectionId}", "@connections", endpoint)
	// Any key signs as an IAM principal would; only the signature's form,
	// service, region and age are checked.
	out.printf("gateway", "  %-14s   AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws apigatewaymanagementapi post-to-connection "+
		"--region %s --endpoint-url %s --connection-id <id> --data '{\"message\":\"hi\"}'", "", svc.region, endpoint)
	if sampling != "" {
		out.printf("gateway", "  %-14s → udp %s, %s", "X-Ray daemon", daemonAddr, sampling)
	}
}

// displayAddr names the listener the way a user types it.
func displayAddr(addr net.Addr, host string) string {
	_, port, _ := net.SplitHostPort(addr.String())
	if host == "127.0.0.1" || host == "localhost" || host == "" {
		return "localhost:" + port
	}
	return net.JoinHostPort(host, port)
}

type writerFunc func([]byte)

func (f writerFunc) Write(p []byte) (int, error) {
	f(p)
	return len(p), nil
}
