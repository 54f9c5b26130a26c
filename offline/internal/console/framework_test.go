package console

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestFrameworkPrintsAndKeepsWhatItIsTold(t *testing.T) {
	var b strings.Builder
	f := NewFramework(New(&b))
	fmt.Fprint(f, "Packaging go-websocket-api for stage local\n")
	fmt.Fprint(f, "Warning: one\nWarning: two\n")
	want := "serverless   │ Packaging go-websocket-api for stage local\n" +
		"serverless   │ Warning: one\nserverless   │ Warning: two\n"
	if b.String() != want {
		t.Errorf("printed\n%s\nwant\n%s", b.String(), want)
	}
	// A reload compares what the framework says write by write.
	if kept := []string{"Packaging go-websocket-api for stage local\n", "Warning: one\nWarning: two\n"}; !slices.Equal(f.Lines, kept) {
		t.Errorf("kept %q, want %q", f.Lines, kept)
	}
}
