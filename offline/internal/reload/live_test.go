package reload

import (
	"fmt"
	"slices"
	"testing"

	"wsapi/offline/internal/project"
)

// printed is a Console that keeps each line it is told, tagged.
type printed []string

func (p *printed) Printf(tag, format string, args ...any) {
	*p = append(*p, tag+" │ "+fmt.Sprintf(format, args...))
}

func (p *printed) Print(tag string, text []byte) { *p = append(*p, tag+" │ "+string(text)) }

// TestWatchFromTemplateSaysWhyItDoesNotWatch: a template given as it is
// names no code to rebuild, so Watch says so and returns at once, the
// gateway serving on. Its Stack is nil: watching would use it.
func TestWatchFromTemplateSaysWhyItDoesNotWatch(t *testing.T) {
	var out printed
	l := &Live{Source: &project.Template{Path: "stack.template.json"}, Out: &out}
	if err := l.Watch(t.Context()); err != nil {
		t.Fatalf("Watch: %v, want nil: the gateway serves on", err)
	}
	want := []string{"reload │ not watching: with -template, rebuild the bootstraps and start again to serve new code or a new template"}
	if !slices.Equal(out, want) {
		t.Errorf("printed %q, want %q", out, want)
	}
}
