package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"wsapi/offline/internal/changeset"
	"wsapi/offline/internal/cloudformation"
	"wsapi/offline/internal/dynamolocal"
	"wsapi/offline/internal/gateway"
	"wsapi/offline/internal/hostbuild"
	"wsapi/offline/internal/lambdaruntime"
	"wsapi/offline/internal/lambdaservice"
	"wsapi/offline/internal/reload"
)

// live is what serves now, which a reload changes in place.
type live struct {
	o          options
	out, lines *console // lines is nil with -quiet
	base       string
	rt         *lambdaruntime.Runtime
	lambda     *lambdaservice.Service
	gw         *gateway.Gateway
	db         *dynamolocal.Server // nil when the first template had no table
	bin        string              // o.bin, absolute
	// Only the reload's goroutine uses these once watching starts.
	svc      *service
	deployed map[string]lambdaruntime.Function
	// framework is what the framework printed when it last packaged.
	framework []string
}

// watch rebuilds a function's bootstrap when its code changes and serves
// serverless.yml again when it changes, one console line per reload.
func (l *live) watch(ctx context.Context) error {
	if l.o.template != "" {
		// Which code builds which bootstrap is known only of the functions
		// serverless.yml declares.
		l.out.printf("reload", "not watching: with -template, rebuild the bootstraps and start again to serve new code or a new template")
		return nil
	}
	bin, err := filepath.Abs(l.o.bin)
	if err != nil {
		return err
	}
	l.bin = bin
	return reload.Watch(ctx, reload.Options{
		Root: filepath.Dir(l.o.config), Bin: bin, Functions: l.watched(),
		Deploy: func(ctx context.Context, key, executable string) error {
			fn := l.deployed[key]
			fn.Executable = executable
			if err := l.rt.Replace(ctx, fn); err != nil {
				return err
			}
			l.deployed[key] = fn
			return nil
		},
		TemplateChanged: l.reloadTemplate,
		Log:             writerFunc(func(p []byte) { l.out.write("reload", p) }),
	})
}

// watched are the functions deployed, as the Makefile builds them: each
// from the directory named for its key.
func (l *live) watched() map[string]hostbuild.Function {
	fns := make(map[string]hostbuild.Function, len(l.deployed))
	for key := range l.deployed {
		fns[key] = hostbuild.Function{Key: key, Dir: key}
	}
	return fns
}

// reloadTemplate packages serverless.yml again and deploys what changed.
// A service that no longer packages leaves the last good one serving; a
// change that cannot be deployed whole is tried again at the next save.
func (l *live) reloadTemplate(ctx context.Context) map[string]hostbuild.Function {
	start := time.Now()
	var said []string
	svc, err := load(ctx, l.o, writerFunc(func(p []byte) { said = append(said, string(p)) }), l.base, l.buildMissing)
	// The framework says much the same each time (its banner, a warning
	// not yet acted on): only what it did not say last time is news.
	for _, line := range said {
		if !slices.Contains(l.framework, line) {
			l.out.write("serverless", []byte(line))
		}
	}
	if err != nil {
		if ctx.Err() == nil {
			l.out.printf("reload", "serverless.yml: %v: the last good template still serves", err)
		}
		return nil
	}
	l.framework = said
	cs := changeset.Compute(l.svc.Service, svc.Service)
	for _, w := range cs.Warnings {
		l.out.printf("warning", "%s", w)
	}
	if err := l.deploy(ctx, svc, cs); err != nil {
		// What was deployed before the failure stays; the next save deploys
		// the rest, against the last template deployed whole.
		l.out.printf("reload", "serverless.yml: %s: not all deployed: %v: save it again to retry", cs, err)
		return nil
	}
	l.svc = svc
	l.out.printf("reload", "serverless.yml: %s (%.1f s)", cs, time.Since(start).Seconds())
	return l.watched()
}

// deploy makes the tables, then the functions, then the routes to them.
func (l *live) deploy(ctx context.Context, svc *service, cs changeset.ChangeSet) error {
	var tables []string
	for id, c := range cs.Tables {
		if c != changeset.Removed {
			tables = append(tables, id)
		}
	}
	if len(tables) > 0 {
		slices.Sort(tables)
		if err := l.deployTables(ctx, svc, tables); err != nil {
			return err
		}
	}
	for key, c := range cs.Functions {
		if c == changeset.Removed {
			// No route invokes it any more; the code watcher forgets it.
			delete(l.deployed, key)
			continue
		}
		if err := l.deployFunction(ctx, svc.Functions[key]); err != nil {
			return err
		}
	}
	if cs.RoutesChanged() {
		if err := l.gw.SetRoutes(svc.RouteSelectionExpression, gatewayRoutes(svc)); err != nil {
			return err
		}
	}
	return nil
}

// deployTables makes the tables not there yet in the running dynalite,
// and says which it keeps as they are: an existing table is not altered.
func (l *live) deployTables(ctx context.Context, svc *service, ids []string) error {
	if l.db == nil {
		l.out.printf("warning", "serverless.yml: table %s: the local DynamoDB starts with the first table: stop make offline (Ctrl-C) and start it again to create it", strings.Join(ids, ", "))
		return nil
	}
	var tables []cloudformation.Table
	for _, t := range svc.Tables {
		if slices.Contains(ids, t.LogicalID) {
			tables = append(tables, t)
		}
	}
	report, err := dynamolocal.CreateTables(ctx, l.db.Endpoint(), tableResources(tables))
	if err != nil {
		return err
	}
	printTables(l.out, report)
	return nil
}

// deployFunction deploys fn's new configuration, or fn for the first time,
// to new invocations.
func (l *live) deployFunction(ctx context.Context, fn cloudformation.Function) error {
	old, ok := l.deployed[fn.Key]
	flog := old.Log
	if !ok {
		f, err := openFunctionLog(l.o.logs, fn.Key, l.lines)
		if err != nil {
			return err
		}
		flog = f
	}
	function := lambdaFunction(fn, l.o, flog)
	err := l.rt.Replace(ctx, function)
	if errors.Is(err, lambdaruntime.ErrFunctionNotFound) {
		err = l.rt.Add(function) // new, or renamed
	}
	if err != nil {
		return err
	}
	l.deployed[fn.Key] = function
	l.lambda.Set(fn.Key, lambdaservice.Function{Name: fn.Name, Tracing: fn.Tracing})
	return nil
}

// buildMissing builds the bootstraps packaging names that are not there
// yet: those of functions just added to serverless.yml, each from the
// directory named for it, as the Makefile builds them.
func (l *live) buildMissing(ctx context.Context, bootstraps map[string]string) {
	root := filepath.Dir(l.o.config)
	var fns []hostbuild.Function
	for _, exe := range bootstraps {
		if _, err := os.Stat(exe); err == nil {
			continue
		}
		key := filepath.Base(filepath.Dir(exe))
		if info, err := os.Stat(filepath.Join(root, key)); err == nil && info.IsDir() {
			fns = append(fns, hostbuild.Function{Key: key, Dir: key})
		}
	}
	for _, r := range (&hostbuild.Builder{Root: root, Bin: l.bin}).Build(ctx, fns) {
		if r.Err != nil && ctx.Err() == nil {
			l.out.printf("reload", "%v", r.Err)
		}
	}
}
