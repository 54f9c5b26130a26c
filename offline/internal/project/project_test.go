package project

import (
	"maps"
	"path/filepath"
	"testing"

	"wsapi/offline/internal/cloudformation"
	"wsapi/offline/internal/slspackage"
)

func TestBootstraps(t *testing.T) {
	functions := []slspackage.Function{
		{Key: "hello", Name: "svc-dev-hello", Artifact: "bin/hello.zip"},
		{Key: "greet", Name: "svc-dev-greet", Artifact: "build/greeter.zip"},
		{Key: "plain", Name: "svc-dev-plain"},
	}
	want := map[string]cloudformation.Bootstrap{
		"svc-dev-hello": {Key: "hello", Path: filepath.Join("b", "hello", "bootstrap")}, // the artifact names the function
		// An artifact outside the layout, or none: the function's key.
		"svc-dev-greet": {Key: "greet", Path: filepath.Join("b", "greet", "bootstrap")},
		"svc-dev-plain": {Key: "plain", Path: filepath.Join("b", "plain", "bootstrap")},
	}
	if got := Bootstraps(functions, "b"); !maps.Equal(got, want) {
		t.Errorf("Bootstraps = %v, want %v", got, want)
	}
}
