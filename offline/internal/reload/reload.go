// Package reload keeps the offline gateway serving the code on disk: when a
// source file changes, it rebuilds the functions that depend on it and
// deploys each one that builds, so that new invocations run the new code
// while open connections stay open. A build that fails is reported with the
// compiler's errors and the last good build keeps serving.
package reload

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"wsapi/offline/internal/hostbuild"
	"wsapi/offline/internal/watch"
)

// DefaultTemplate is the service's config when Config.Template is empty.
const DefaultTemplate = "serverless.yml"

// Config is what Run needs.
type Config struct {
	// Changes are batches of changed paths, relative to the workspace root
	// and slash-separated, as a watch.Watcher sends them.
	Changes <-chan []string
	Graph   *hostbuild.Graph
	// Template is the service's config (serverless.yml unless -config
	// names another), as Changes names it: a change to it means the
	// service's resources may have changed, not only its code. Empty is
	// DefaultTemplate.
	Template string
	Builder  *hostbuild.Builder
	// Functions are the functions served, by key.
	Functions map[string]hostbuild.Function
	// Deploy puts a function's newly built bootstrap in service.
	Deploy func(ctx context.Context, key, executable string) error
	// TemplateChanged is called when Template changed; nil ignores it.
	// It returns the functions served from then on, which are watched from
	// then on too, or nil when they are the same.
	TemplateChanged func(ctx context.Context) map[string]hostbuild.Function
	// Log receives one Write per reload: a line saying what was rebuilt,
	// why and how long it took, or the compiler's errors.
	Log io.Writer
}

// Options is what Watch needs beyond the functions and how to deploy them.
type Options struct {
	Root, Bin       string
	Template        string // relative to Root
	Functions       map[string]hostbuild.Function
	Deploy          func(ctx context.Context, key, executable string) error
	TemplateChanged func(ctx context.Context) map[string]hostbuild.Function
	Log             io.Writer
}

// Watch watches the workspace under o.Root and reloads what changes until
// ctx ends, in the background. It returns once the watch is in place: a
// change from then on is seen, even one made while the build graph is
// still being listed.
func Watch(ctx context.Context, o Options) error {
	if o.Log == nil {
		o.Log = io.Discard
	}
	w, err := watch.New(o.Root, watch.Options{OnError: func(err error) { fmt.Fprintf(o.Log, "%v\n", err) }})
	if err != nil {
		return err
	}
	go func() {
		defer w.Close()
		g, err := hostbuild.LoadGraph(ctx, o.Root, slices.Collect(maps.Values(o.Functions)))
		if err != nil {
			if ctx.Err() == nil {
				fmt.Fprintf(o.Log, "not watching: %v\n", err)
			}
			return
		}
		Run(ctx, Config{
			Changes: w.Batches(), Graph: g, Template: filepath.ToSlash(o.Template), Builder: &hostbuild.Builder{Root: o.Root, Bin: o.Bin},
			Functions: o.Functions, Deploy: o.Deploy, TemplateChanged: o.TemplateChanged, Log: o.Log,
		})
	}()
	return nil
}

// Run reloads after each batch of changes until ctx ends or Changes is
// closed. Batches are handled one at a time: changes made during a build
// arrive as the next batch.
func Run(ctx context.Context, cfg Config) {
	if cfg.Template == "" {
		cfg.Template = DefaultTemplate
	}
	failed := map[string]bool{} // functions whose last build failed
	for {
		var changed []string
		select {
		case <-ctx.Done():
			return
		case b, ok := <-cfg.Changes:
			if !ok {
				return
			}
			changed = b
		}
		if slices.Contains(changed, cfg.Template) && cfg.TemplateChanged != nil {
			if fns := cfg.TemplateChanged(ctx); fns != nil {
				learn(ctx, &cfg, fns)
			}
		}
		keys := cfg.Graph.Affected(changed)
		if slices.ContainsFunc(changed, isGoSource) {
			// A function that did not build may be waiting for a package
			// its last good build did not import yet.
			for k := range failed {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		keys = slices.Compact(keys)
		var fns []hostbuild.Function
		for _, k := range keys {
			if fn, ok := cfg.Functions[k]; ok {
				fns = append(fns, fn)
			}
		}
		if len(fns) == 0 {
			continue
		}
		reload(ctx, cfg, fns, changed, failed)
	}
}

// learn makes fns the functions watched, listing the packages of those
// that are new.
func learn(ctx context.Context, cfg *Config, fns map[string]hostbuild.Function) {
	var added []hostbuild.Function
	for key, fn := range fns {
		if old, ok := cfg.Functions[key]; !ok || old != fn {
			added = append(added, fn)
		}
	}
	cfg.Functions = fns
	if err := cfg.Graph.Refresh(ctx, added); err != nil && ctx.Err() == nil && cfg.Log != nil {
		fmt.Fprintf(cfg.Log, "a change to its code will not rebuild it: %v\n", err)
	}
}

// reload builds fns, deploys those that built and reports it in one Write.
func reload(ctx context.Context, cfg Config, fns []hostbuild.Function, changed []string, failed map[string]bool) {
	start := time.Now()
	var rebuilt []string
	var errs []error
	for _, r := range cfg.Builder.Build(ctx, fns) {
		key := r.Function.Key
		err := r.Err
		if err == nil {
			if err = cfg.Deploy(ctx, key, r.Executable); err != nil {
				err = fmt.Errorf("%s built but was not deployed: %w", key, err)
			}
		}
		if err != nil {
			failed[key] = true
			errs = append(errs, err)
			continue
		}
		delete(failed, key)
		rebuilt = append(rebuilt, key)
	}
	took := time.Since(start)
	if ctx.Err() != nil {
		return // shutting down: a build cut short is no news
	}
	var msg strings.Builder
	if len(rebuilt) > 0 {
		fmt.Fprintf(&msg, "%s rebuilt in %.1f s (%s)\n", strings.Join(rebuilt, ", "), took.Seconds(), summary(changed))
	}
	for _, err := range errs {
		msg.WriteString(describe(err))
	}
	if cfg.Log != nil {
		_, _ = io.WriteString(cfg.Log, msg.String())
	}
	// The build graph may have changed with the code: a new import, a
	// go.mod edited. Listing it again comes after the new code serves, and
	// only then: on two cores it would slow the new code's first start.
	if cfg.Graph.Outdated(changed) {
		_ = cfg.Graph.Refresh(ctx, fns) // A function that cannot be listed now keeps its last graph, and fails its build.
	}
}

// describe says why a function was not reloaded, the compiler's errors
// included, and that its last good build still serves.
func describe(err error) string {
	var be *hostbuild.BuildError
	if errors.As(err, &be) {
		return fmt.Sprintf("%s did not build, its last good build still serves:\n%s\n", be.Function, indent(be.Output))
	}
	return fmt.Sprintf("%v\n", err)
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}

// summary names the changed Go sources, at most three of them.
func summary(changed []string) string {
	const most = 3
	if sources := slices.DeleteFunc(slices.Clone(changed), func(p string) bool { return !isGoSource(p) }); len(sources) > 0 {
		changed = sources
	}
	if len(changed) <= most {
		return strings.Join(changed, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(changed[:most], ", "), len(changed)-most)
}

func isGoSource(p string) bool {
	base := path.Base(p)
	return path.Ext(base) == ".go" || base == "go.mod" || base == "go.sum" || base == "go.work" || base == "go.work.sum"
}
