package project

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"wsapi/offline/internal/deploy"
)

// cdkTemplate is what `cdk synth` writes for offline/testdata/cdk.
const cdkTemplate = "../../testdata/cdk/cdk.template.json"

func bootstrapIn(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), dir, "bootstrap")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, nil, 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// A given template's functions are named by their bootstraps' directories,
// and a bootstrap given for no function of it is warned about.
func TestTemplate(t *testing.T) {
	src := &Template{Placement: Placement{Stage: "dev"}, Path: cdkTemplate,
		Bootstraps: map[string]string{"Hello4A628BD4": bootstrapIn(t, "greeter"), "Nope": bootstrapIn(t, "nope")}}
	svc, err := src.Load(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if fn := svc.Routes["hello"].Function; fn != "greeter" {
		t.Errorf("hello calls %q, want greeter, its bootstrap's directory", fn)
	}
	if !slices.ContainsFunc(svc.Warnings, func(w string) bool { return strings.HasPrefix(w, "Nope: a bootstrap is given for Nope") }) {
		t.Errorf("warnings %q, want one for Nope", svc.Warnings)
	}
}

// A given template that would serve no route is refused: nothing builds
// its bootstraps later.
func TestTemplateServingNothingIsRefused(t *testing.T) {
	_, err := (&Template{Placement: Placement{Stage: "dev"}, Path: cdkTemplate}).Load(t.Context(), nil)
	var nothing *deploy.NothingServedError
	if !errors.As(err, &nothing) || !strings.HasPrefix(err.Error(), cdkTemplate+": nothing to serve") {
		t.Errorf("Load = %v, want a NothingServedError naming the template", err)
	}
}
