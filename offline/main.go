// Command offline runs the API on this machine as API Gateway and Lambda
// would: the functions' real bootstrap binaries behind a local WebSocket
// endpoint, with the @connections API and an X-Ray daemon, all read from
// serverless.yml.
//
//	go run ./offline            # ws://localhost:3001
//	go run ./offline -port 4000 -stage dev
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"maps"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"wsapi/offline/internal/dynamolocal"
	"wsapi/offline/internal/gateway"
	"wsapi/offline/internal/lambdaruntime"
	"wsapi/offline/internal/slsconfig"
	"wsapi/offline/internal/xraydaemon"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // A second Ctrl-C ends the process at once.
	}()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "offline:", err)
		os.Exit(1)
	}
}

type options struct {
	config, bin, logs, data, host, stage, region string
	port, maxInstances                           int
	idleTimeout, maxDuration, mgmtDelay          time.Duration
	traces, traceAll, quiet, watch               bool
	env                                          envFlag
}

// envFlag collects -env KEY=VALUE settings.
type envFlag map[string]string

func (e envFlag) String() string { return fmt.Sprint(map[string]string(e)) }

func (e envFlag) Set(kv string) error {
	k, v, ok := strings.Cut(kv, "=")
	if !ok || k == "" {
		return fmt.Errorf("want KEY=VALUE, got %q", kv)
	}
	e[k] = v
	return nil
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	o := options{env: envFlag{}}
	fs := flag.NewFlagSet("offline", flag.ContinueOnError)
	fs.SetOutput(stderr)
	port := 3001
	if p := os.Getenv("PORT"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			return o, fmt.Errorf("PORT=%q is not a port number", p)
		}
		port = n
	}
	fs.StringVar(&o.config, "config", "serverless.yml", "the service's serverless.yml")
	fs.StringVar(&o.bin, "bin", ".offline/bin", "where each function's host-built bootstrap is: <bin>/<function>/bootstrap")
	fs.StringVar(&o.logs, "logs", ".offline/logs", "where each function's log file is written: <logs>/<function>.log")
	fs.StringVar(&o.data, "data", "", "keep the local DynamoDB tables in this directory between runs (default: in memory)")
	fs.Var(o.env, "env", "add KEY=VALUE to every function's environment, for settings that only exist offline (repeatable)")
	fs.StringVar(&o.host, "host", "127.0.0.1", "address to listen on; 0.0.0.0 serves other machines too")
	fs.IntVar(&o.port, "port", port, "port to listen on (also $PORT); 0 picks a free one")
	fs.StringVar(&o.stage, "stage", "local", "stage name: the ${sls:stage} of serverless.yml and the path /{stage}")
	fs.StringVar(&o.region, "region", "", "region (default: the one serverless.yml resolves to)")
	fs.IntVar(&o.maxInstances, "max-instances", 10, "instances per function at most; more concurrent invocations wait")
	fs.DurationVar(&o.idleTimeout, "idle-timeout", 10*time.Minute, "close a connection idle this long (API Gateway: 10m)")
	fs.DurationVar(&o.maxDuration, "max-duration", 2*time.Hour, "close a connection open this long (API Gateway: 2h)")
	fs.DurationVar(&o.mgmtDelay, "management-delay", 0, "add this delay to every @connections call, as the network to API Gateway would")
	fs.BoolVar(&o.traces, "traces", true, "print each traced invocation's X-Ray trace")
	fs.BoolVar(&o.traceAll, "trace-all", false, "trace every invocation of an actively traced function, not Lambda's first each second and 5% of the rest")
	fs.BoolVar(&o.watch, "watch", true, "rebuild and redeploy a function when its code changes (-watch=false for benchmarks and CI)")
	fs.BoolVar(&o.quiet, "quiet", false, "print only the routes, warnings and the ready line (function logs still go to -logs)")
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
	cfg, err := slsconfig.Load(o.config, slsconfig.Options{Stage: o.stage, Region: o.region})
	if err != nil {
		return err
	}
	out := &console{w: stdout, width: 12}
	for _, w := range cfg.Warnings {
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
	daemonAddr := daemon.Addr()

	if len(tablesOf(cfg.Resources)) > 0 {
		db, err := startDynamoDB(ctx, cfg, o, out)
		if err != nil {
			return err
		}
		defer db.Close()
		o.env["AWS_ENDPOINT_URL_DYNAMODB"] = db.Endpoint()
	}

	rt, err := lambdaruntime.New(lambdaruntime.Options{Region: cfg.Region, XRayDaemonAddr: daemonAddr})
	if err != nil {
		return err
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = rt.Close(ctx)
	}()

	routes, deployed, err := deploy(cfg, o, rt, lines)
	if err != nil {
		return err
	}
	if o.watch {
		if err := watchCode(ctx, o, rt, deployed, out); err != nil {
			return err
		}
	}

	ln, err := net.Listen("tcp", net.JoinHostPort(o.host, strconv.Itoa(o.port)))
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	gw, err := gateway.New(gateway.Config{
		APIID:                    apiID(cfg.Service),
		AccountID:                lambdaruntime.AccountID,
		Region:                   cfg.Region,
		Stage:                    o.stage,
		RouteSelectionExpression: cfg.RouteSelectionExpression,
		Routes:                   routes,
		Invoker:                  &lambdaService{runtime: rt, xray: daemon, sampler: &xraydaemon.Sampler{All: o.traceAll}, functions: cfg.Functions},
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

	if ip := net.ParseIP(o.host); o.host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		out.printf("warning", "listening on %s: other machines can connect, sign @connections calls with the local "+
			"runtime's well-known credentials and, with the development secret, tokens for any user. Use it on a network you trust.", o.host)
	}
	base := "ws://" + displayAddr(ln.Addr(), o.host)
	sampling := ""
	if xrayCfg.OnComplete != nil {
		sampling = "traced as Lambda samples: the first invocation of each function every second and 5% of the rest (-trace-all: every one)"
		if o.traceAll {
			sampling = "every invocation traced (-trace-all)"
		}
	}
	printRoutes(out, cfg, routes, base, o.stage, daemonAddr, sampling)
	srv := gw.Server()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	out.printf("gateway", "ready: %s (also %s/%s). Ctrl-C stops.", base, base, o.stage)

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

// deploy adds every function a route or authorizer uses to the runtime and
// returns the gateway's routes and the functions, by key.
func deploy(cfg *slsconfig.Config, o options, rt *lambdaruntime.Runtime, out *console) (map[string]gateway.Route, map[string]lambdaruntime.Function, error) {
	routes := make(map[string]gateway.Route)
	added := make(map[string]lambdaruntime.Function)
	add := func(key string) error {
		if _, ok := added[key]; ok {
			return nil
		}
		fn := cfg.Functions[key]
		exe := filepath.Join(o.bin, fn.Key, "bootstrap")
		if _, err := os.Stat(exe); err != nil {
			return fmt.Errorf("function %s: no bootstrap at %s: build it for this machine first (make offline does)", fn.Key, exe)
		}
		flog, err := openFunctionLog(o.logs, fn.Key, out)
		if err != nil {
			return err
		}
		env := maps.Clone(fn.Environment)
		if env == nil {
			env = map[string]string{}
		}
		maps.Copy(env, o.env)
		function := lambdaruntime.Function{
			Name:           fn.Name,
			Executable:     exe,
			Env:            env,
			Timeout:        fn.Timeout,
			MemoryMB:       fn.MemoryMB,
			MaxConcurrency: o.maxInstances,
			Log:            flog,
		}
		if err := rt.Add(function); err != nil {
			return err
		}
		added[key] = function
		return nil
	}
	for _, r := range cfg.Routes {
		route := gateway.Route{Function: r.Function, RouteResponse: r.RouteResponseSelectionExpression != ""}
		if a := r.Authorizer; a != nil {
			route.Authorizer = &gateway.Authorizer{Function: a.Function, IdentitySource: a.IdentitySource}
			if err := add(a.Function); err != nil {
				return nil, nil, err
			}
		}
		if err := add(r.Function); err != nil {
			return nil, nil, err
		}
		routes[r.Key] = route
	}
	return routes, added, nil
}

// tablesOf lists the DynamoDB tables among CloudFormation resources.
func tablesOf(resources map[string]any) []string {
	var ids []string
	for id, r := range resources {
		if m, ok := r.(map[string]any); ok && m["Type"] == "AWS::DynamoDB::Table" {
			ids = append(ids, id)
		}
	}
	return ids
}

// startDynamoDB runs dynalite, a DynamoDB API server from npm, and creates
// the tables serverless.yml declares.
func startDynamoDB(ctx context.Context, cfg *slsconfig.Config, o options, out *console) (*dynamolocal.Server, error) {
	db, err := dynamolocal.Start(ctx, dynamolocal.Options{
		ProjectDir: filepath.Dir(o.config),
		DataDir:    o.data,
		Log:        writerFunc(func(p []byte) { out.write("dynamodb", p) }),
	})
	if err != nil {
		return nil, err
	}
	report, err := dynamolocal.CreateTables(ctx, db.Endpoint(), cfg.Resources)
	if err != nil {
		db.Close()
		return nil, err
	}
	for _, line := range report.Tables {
		out.printf("dynamodb", "%s", line)
	}
	for _, w := range report.Warnings {
		out.printf("warning", "%s", w)
	}
	out.printf("dynamodb", "DynamoDB API (dynalite) at %s", db.Endpoint())
	return db, nil
}

// printRoutes shows what is served; sampling, when traces are printed, says
// which invocations are traced.
func printRoutes(out *console, cfg *slsconfig.Config, routes map[string]gateway.Route, base, stage, daemonAddr, sampling string) {
	out.printf("gateway", "%s, stage %s, region %s, routes on %s:", cfg.Service, stage, cfg.Region, cfg.RouteSelectionExpression)
	keys := make([]string, 0, len(routes))
	for k := range routes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fn := cfg.Functions[routes[k].Function]
		out.printf("gateway", "  %-14s → %s (%s, %d MB, %s timeout)", k, fn.Key, fn.Name, fn.MemoryMB, fn.Timeout)
		if a := routes[k].Authorizer; a != nil {
			out.printf("gateway", "  %-14s   authorized by %s from %s", "", a.Function, strings.Join(a.IdentitySource, ", "))
		}
	}
	mgmt := "http" + base[len("ws"):] + "/" + stage + "/@connections/{connectionId}"
	out.printf("gateway", "  %-14s → %s", "@connections", mgmt)
	if sampling != "" {
		out.printf("gateway", "  %-14s → udp %s, %s", "X-Ray daemon", daemonAddr, sampling)
	}
}

// apiID is a stable stand-in for the 10-character id AWS gives an API.
func apiID(service string) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	var h uint32 = 2166136261
	for i := 0; i < len(service); i++ {
		h = (h ^ uint32(service[i])) * 16777619
	}
	id := make([]byte, 10)
	for i := range id {
		id[i] = alphabet[h%uint32(len(alphabet))]
		h = h*1103515245 + 12345
	}
	return string(id)
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
