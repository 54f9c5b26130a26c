package makefile

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// root is the project root, where the Makefile is.
const root = "../.."

// run runs make in the project root with env added to the test's environment.
func run(t *testing.T, env []string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := exec.Command("make", append([]string{"-s", "-C", root}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.String(), errOut.String(), err
}

// docs is the README and every page under docs/, where the targets are explained.
func docs(t *testing.T) string {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	var b strings.Builder
	for _, p := range append([]string{filepath.Join(root, "README.md")}, paths...) {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(raw)
	}
	return b.String()
}

func TestHelp(t *testing.T) {
	help, _, err := run(t, nil, "help")
	if err != nil {
		t.Fatal(err)
	}
	mk, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	text := docs(t)

	t.Run("every target the docs name", func(t *testing.T) {
		mentioned := regexp.MustCompile("make ([a-z][a-z-]*)")
		named := map[string]bool{}
		for _, m := range mentioned.FindAllStringSubmatch(text, -1) {
			named[m[1]] = true
		}
		checked := 0
		for _, target := range withRecipe(string(mk)) {
			if !named[target] {
				continue
			}
			checked++
			if !regexp.MustCompile(`(?m)^  make ` + regexp.QuoteMeta(target) + ` `).MatchString(help) {
				t.Errorf("the docs name make %s, which make help does not list:\n%s", target, help)
			}
		}
		if checked < 10 {
			t.Errorf("checked %d targets: the Makefile or the docs were not read as expected", checked)
		}
	})

	t.Run("no make variables in the text", func(t *testing.T) {
		if strings.Contains(help, "$(") {
			t.Errorf("make help shows a variable's name:\n%s", help)
		}
	})

	t.Run("bench takes what the docs say", func(t *testing.T) {
		minutes := regexp.MustCompile(`about (\d+) minutes`)
		inHelp := minutes.FindStringSubmatch(regexp.MustCompile(`(?m)^  make bench .*$`).FindString(help))
		inDocs := minutes.FindStringSubmatch(regexp.MustCompile("`make bench`[^\n]*").FindString(text))
		if inHelp == nil || inDocs == nil || inHelp[1] != inDocs[1] {
			t.Errorf("make bench: help says %v, the docs %v, want the same minutes", inHelp, inDocs)
		}
	})
}

// withRecipe lists the Makefile's targets that have a recipe: a rule line
// followed, past comments and conditionals, by a tab-indented line.
func withRecipe(makefile string) []string {
	rule := regexp.MustCompile(`^([a-z][a-z-]*):([^=]|$)`)
	var out []string
	lines := strings.Split(makefile, "\n")
	for i, l := range lines {
		m := rule.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		for _, next := range lines[i+1:] {
			if strings.HasPrefix(next, "#") || strings.HasPrefix(next, "if") || next == "else" || next == "endif" {
				continue
			}
			if strings.HasPrefix(next, "\t") {
				out = append(out, m[1])
			}
			break
		}
	}
	return out
}

// TestTokenNeedsAUser: make's USER comes from the environment when the
// command line has none, and there it is the login name, not an API user.
func TestTokenNeedsAUser(t *testing.T) {
	tests := []struct {
		name string
		env  []string
		args []string
		ok   bool
	}{
		{"USER from the environment", []string{"USER=somelogin"}, []string{"token"}, false},
		{"no USER at all", []string{"USER="}, []string{"token"}, false},
		{"USER on the command line", []string{"USER=somelogin"}, []string{"token", "USER=taro", "TTL=1m"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, err := run(t, tt.env, tt.args...)
			if tt.ok {
				if err != nil || strings.Count(strings.TrimSpace(out), ".") != 2 {
					t.Errorf("make %v: %v, stdout %q stderr %q, want a token", tt.args, err, out, errOut)
				}
				return
			}
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() == 0 || out != "" ||
				!strings.Contains(errOut, "make token USER=taro") {
				t.Errorf("make %v: %v, stdout %q stderr %q, want a refusal saying how to name the user", tt.args, err, out, errOut)
			}
		})
	}
}
